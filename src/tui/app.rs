//! The console's state and `update`, which turns an Action into a state
//! change plus the effects the runtime must carry out. No I/O happens here.

use crossterm::event::KeyEvent;

use super::action::{Action, Effect, Jump, PendingAction};
use super::keymap::{self, Context};
use super::modals;
use super::screens::audit::{self, AuditState};
use super::screens::customers::{self, CustomersState};
use super::screens::requests::{self, RequestsState};
use super::screens::retention::{self, RetentionState};
use super::screens::triage::{self, TriageState};
use super::shell::{Confirm, Modal, Shell};
use super::theme::Theme;
use crate::access::Actor;

/// The screens, in tab order. Adding one: a variant here, its title, a
/// `GoTab` key in the keymap, and its module under `screens/`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    Customers,
    Audit,
    Retention,
    Requests,
    Triage,
}

impl Tab {
    pub const ALL: [Tab; 5] = [
        Tab::Customers,
        Tab::Audit,
        Tab::Retention,
        Tab::Requests,
        Tab::Triage,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Tab::Customers => "Customers",
            Tab::Audit => "Audit",
            Tab::Retention => "Retention",
            Tab::Requests => "Requests",
            Tab::Triage => "Triage",
        }
    }

    /// The digit that opens the tab (numbers are fixed per screen, so they
    /// stay the same whichever screens a build has).
    pub fn number(self) -> usize {
        match self {
            Tab::Customers => 1,
            Tab::Audit => 2,
            Tab::Retention => 3,
            Tab::Requests => 4,
            Tab::Triage => 5,
        }
    }

    /// What a screen reads each time it is shown.
    fn on_show(self, app: &App) -> Vec<Effect> {
        match self {
            Tab::Customers => customers::on_show(&app.customers),
            Tab::Audit => audit::on_show(&app.audit),
            Tab::Retention => retention::on_show(),
            Tab::Requests => requests::on_show(&app.requests),
            Tab::Triage => triage::on_show(&app.triage),
        }
    }
}

pub struct App {
    pub shell: Shell,
    pub tab: Tab,
    pub customers: CustomersState,
    pub audit: AuditState,
    pub retention: RetentionState,
    pub requests: RequestsState,
    pub triage: TriageState,
}

impl App {
    pub fn new(actor: Actor, theme: Theme, size: (u16, u16)) -> App {
        App {
            shell: Shell::new(actor, theme, size),
            tab: Tab::Customers,
            customers: CustomersState::default(),
            audit: AuditState::default(),
            retention: RetentionState::default(),
            requests: RequestsState::default(),
            triage: TriageState::default(),
        }
    }

    pub fn context(&self) -> Context {
        if let Some(m) = self.shell.modals.last() {
            return m.context();
        }
        match self.tab {
            Tab::Customers => customers::context(&self.customers),
            Tab::Audit => audit::context(&self.audit),
            Tab::Retention => retention::context(&self.retention),
            Tab::Requests => requests::context(&self.requests),
            Tab::Triage => Context::Triage,
        }
    }
}

/// What a key press means right now, per the keymap. Keys bound to an
/// action the actor may not take become `Refused`, so the status bar can
/// say why.
pub fn key_action(app: &App, key: KeyEvent) -> Option<Action> {
    let ctx = app.context();
    match keymap::lookup(ctx, &key) {
        Some(b) => match b.needs {
            Some(p) if !app.shell.actor.can(p) => {
                Some(Action::Refused(p, refused_as(ctx, &b.action)))
            }
            _ => Some(b.action.clone()),
        },
        None if ctx.is_text() => Some(Action::Input(key)),
        None => None,
    }
}

/// The audit action a refused key is recorded under: what the key would
/// have done.
fn refused_as(ctx: Context, action: &Action) -> crate::audit::Action {
    use crate::audit;
    match (ctx, action) {
        (_, Action::DeleteProfile) => audit::DELETE_PROFILE,
        (Context::Retention | Context::RetentionDays, Action::Save) => audit::RETENTION_SET,
        (Context::Retention, _) => audit::RETENTION_SWEEP,
        (Context::Request, Action::Extend) => audit::REQUEST_EXTEND,
        (Context::Request, _) => audit::REQUEST_COMPLETE,
        (_, Action::Redact) => audit::REDACT,
        (_, Action::Dismiss) => audit::DISMISS_FINDING,
        (_, Action::Scan) => audit::SCAN,
        (_, Action::Save) => audit::EXPORT,
        _ => audit::DELETE_ITEM,
    }
}

/// Changes the state for one action and returns the effects the runtime
/// must carry out; jumps between screens are carried out here.
pub fn update(app: &mut App, action: Action) -> Vec<Effect> {
    let mut out = vec![];
    let mut todo: std::collections::VecDeque<Effect> = route(app, action).into();
    while let Some(effect) = todo.pop_front() {
        match effect {
            Effect::Jump(jump) => todo.extend(go(app, jump)),
            Effect::Changed(by) if by != app.tab => todo.extend(app.tab.on_show(app)),
            Effect::Changed(_) => {}
            Effect::Execute(PendingAction::Quit) => app.shell.quit = true,
            other => out.push(other),
        }
    }
    out
}

fn route(app: &mut App, action: Action) -> Vec<Effect> {
    // A message stays until the next key.
    if matches!(
        action,
        Action::Input(_)
            | Action::Up
            | Action::Down
            | Action::Open
            | Action::Back
            | Action::FocusNext
            | Action::FocusPrev
            | Action::FocusSearch
            | Action::GoTab(_)
    ) {
        app.shell.status = None;
    }
    let here = app.context();
    let sh = &mut app.shell;
    match action {
        Action::Quit => {
            let asked = matches!(sh.modals.last(),
                Some(Modal::Confirm(c)) if c.pending == PendingAction::Quit);
            if sh.jobs == 0 || asked {
                sh.quit = true;
            } else {
                let lines = vec![
                    match sh.jobs {
                        1 => "A job is still running.".to_string(),
                        n => format!("{n} jobs are still running."),
                    },
                    "Quitting stops a sweep between profiles and waits for deletions and requests \
                     to finish; nothing is left half-done."
                        .into(),
                ];
                sh.confirm(Confirm::new(PendingAction::Quit, "Quit Lethe?", lines));
            }
            vec![]
        }
        Action::Resize(w, h) => {
            sh.size = (w, h);
            vec![]
        }
        Action::Refused(p, audit_action) => {
            let why = sh.actor.refusal(p).unwrap_or_default();
            sh.error(why);
            // Recorded as the command line records it: every refusal is
            // in the audit trail.
            vec![Effect::AuditRefusal {
                action: audit_action,
            }]
        }
        Action::Help => {
            sh.modals.push(Modal::Help {
                scroll: 0,
                from: here,
            });
            vec![]
        }
        Action::GoTab(n) => match Tab::ALL.iter().find(|t| t.number() == n + 1) {
            Some(&tab) => vec![Effect::Jump(Jump::Tab(tab))],
            None => vec![],
        },
        Action::ReceiptSaved(r) => modals::receipt_saved(sh, r),
        // Results go to the screen that asked, whatever is on top.
        Action::Customers(m) => customers::result(&mut app.customers, sh, m),
        Action::Audit(m) => audit::result(&mut app.audit, sh, m),
        Action::Retention(m) => retention::result(&mut app.retention, sh, m),
        Action::Requests(m) => requests::result(&mut app.requests, sh, m),
        Action::Triage(m) => triage::result(&mut app.triage, sh, m),
        action if !sh.modals.is_empty() => modals::update(sh, action),
        action => match app.tab {
            Tab::Customers => customers::update(&mut app.customers, sh, action),
            Tab::Audit => audit::update(&mut app.audit, sh, action),
            Tab::Retention => retention::update(&mut app.retention, sh, action),
            Tab::Requests => requests::update(&mut app.requests, sh, action),
            Tab::Triage => triage::update(&mut app.triage, sh, action),
        },
    }
}

/// Carries out a jump: the tab changes, and the screen shown is told why.
fn go(app: &mut App, jump: Jump) -> Vec<Effect> {
    match jump {
        Jump::Search => {
            app.tab = Tab::Customers;
            customers::focus(&mut app.customers, customers::Focus::Search);
            vec![]
        }
        Jump::Tab(tab) if tab != app.tab => {
            app.tab = tab;
            tab.on_show(app)
        }
        Jump::Tab(_) => vec![],
        Jump::Item {
            customer_id,
            item_id,
        } => customers::open_at(customer_id, item_id),
    }
}
