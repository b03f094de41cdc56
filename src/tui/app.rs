//! The console's state and `update`, which turns an Action into a state
//! change plus the effects the runtime must carry out. No I/O happens here.

use std::path::PathBuf;

use crossterm::event::KeyEvent;

use super::action::{Action, Effect, PendingAction};
use super::keymap::{self, Context};
use super::screens::audit::AuditState;
use super::screens::customers::{self, CustomersState, Focus};
use super::screens::requests::{self, RequestsState};
use super::screens::retention::{self, RetentionState};
use super::screens::triage::{self, TriageState};
use super::theme::Theme;
use crate::access::Actor;
use crate::erase::{ItemTarget, Receipt};
use crate::timeline::BlobRef;

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
            Tab::Customers => vec![],
            Tab::Audit => vec![Effect::LoadAudit],
            Tab::Retention => vec![Effect::LoadRetention],
            Tab::Requests => vec![Effect::LoadRequests {
                include_closed: app.requests.include_closed,
            }],
            Tab::Triage => vec![Effect::LoadTriage],
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusKind {
    Info,
    Error,
}

#[derive(Debug, Clone, PartialEq)]
pub enum MenuThen {
    Preview(ItemTarget),
    Save(BlobRef),
}

#[derive(Debug, Clone)]
pub struct Menu {
    pub title: String,
    pub choices: Vec<(String, MenuThen)>,
    pub selected: usize,
}

#[derive(Debug, Clone)]
pub struct Confirm {
    pub pending: PendingAction,
    pub title: String,
    pub lines: Vec<String>,
    /// Cancel has the focus until the admin moves it.
    pub delete_focused: bool,
}

#[derive(Debug, Clone)]
pub struct TypedConfirm {
    pub pending: PendingAction,
    pub customer_id: String,
    pub removes: Vec<(String, i64)>,
    pub keeps: Vec<String>,
    /// What must be typed: the customer's name, or `delete` without one.
    pub expected: String,
    pub input: tui_input::Input,
    pub mismatch: bool,
}

/// Layers over the screen; the top one gets keys first.
#[derive(Debug, Clone)]
pub enum Modal {
    Help {
        scroll: u16,
    },
    /// The item on timeline row `row`, in full.
    Item {
        row: usize,
        scroll: u16,
    },
    Menu(Menu),
    Confirm(Confirm),
    TypedConfirm(Box<TypedConfirm>),
    Notice {
        title: String,
        lines: Vec<String>,
    },
    Receipt {
        receipt: Box<Receipt>,
        saved: Option<PathBuf>,
    },
}

impl Modal {
    pub fn context(&self) -> Context {
        match self {
            Modal::Help { .. } => Context::Help,
            Modal::Item { .. } => Context::ItemView,
            Modal::Menu(_) => Context::Menu,
            Modal::Confirm(_) => Context::Confirm,
            Modal::TypedConfirm(_) => Context::TypedConfirm,
            Modal::Notice { .. } => Context::Notice,
            Modal::Receipt { .. } => Context::Receipt,
        }
    }
}

pub struct App {
    pub actor: Actor,
    pub theme: Theme,
    /// The terminal's size, for layouts that `update` needs (page sizes).
    pub size: (u16, u16),
    pub tab: Tab,
    pub customers: CustomersState,
    pub audit: AuditState,
    pub retention: RetentionState,
    pub requests: RequestsState,
    pub triage: TriageState,
    pub modals: Vec<Modal>,
    pub status: Option<(StatusKind, String)>,
    pub quit: bool,
}

impl App {
    pub fn new(actor: Actor, theme: Theme, size: (u16, u16)) -> App {
        App {
            actor,
            theme,
            size,
            tab: Tab::Customers,
            customers: CustomersState::default(),
            audit: AuditState::default(),
            retention: RetentionState::default(),
            requests: RequestsState::default(),
            triage: TriageState::default(),
            modals: vec![],
            status: None,
            quit: false,
        }
    }

    /// Whether the actor can change nothing (the read-only banner shows).
    pub fn read_only(&self) -> bool {
        !self.actor.can(crate::access::Permission::Delete)
    }

    pub fn context(&self) -> Context {
        if let Some(m) = self.modals.last() {
            return m.context();
        }
        match self.tab {
            Tab::Customers => match self.customers.focus {
                Focus::Search => Context::Search,
                Focus::Results => Context::Results,
                Focus::Profile => Context::Profile,
                Focus::Timeline => Context::Timeline,
            },
            Tab::Audit if self.audit.editing => Context::AuditFilter,
            Tab::Audit => Context::Audit,
            Tab::Retention => retention::context(&self.retention),
            Tab::Requests => requests::context(&self.requests),
            Tab::Triage => Context::Triage,
        }
    }

    pub fn info(&mut self, text: impl Into<String>) {
        self.status = Some((StatusKind::Info, text.into()));
    }

    pub fn error(&mut self, text: impl Into<String>) {
        self.status = Some((StatusKind::Error, text.into()));
    }
}

/// What a key press means right now, per the keymap. Keys bound to an
/// action the actor may not take become `Refused`, so the status bar can
/// say why.
pub fn key_action(app: &App, key: KeyEvent) -> Option<Action> {
    let ctx = app.context();
    match keymap::lookup(ctx, &key) {
        Some(b) => match b.needs {
            Some(p) if !app.actor.can(p) => Some(Action::Refused(p, refused_as(ctx, &b.action))),
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

pub fn update(app: &mut App, action: Action) -> Vec<Effect> {
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
        app.status = None;
    }
    match action {
        Action::Quit => {
            app.quit = true;
            vec![]
        }
        Action::Resize(w, h) => {
            app.size = (w, h);
            vec![]
        }
        Action::Refused(p, audit_action) => {
            let why = app.actor.refusal(p).unwrap_or_default();
            app.error(why);
            // Recorded as the command line records it: every refusal is
            // in the audit trail.
            vec![Effect::AuditRefusal {
                action: audit_action,
            }]
        }
        Action::Help => {
            app.modals.push(Modal::Help { scroll: 0 });
            vec![]
        }
        Action::GoTab(n) => match Tab::ALL.iter().find(|t| t.number() == n + 1) {
            Some(&tab) if tab != app.tab => {
                app.tab = tab;
                tab.on_show(app)
            }
            _ => vec![],
        },
        Action::AuditLoaded(r) => super::screens::audit::loaded(app, r),
        action if triage::is_result(app, &action) => triage::result(app, action),
        action if is_result(&action) => customers::update(app, action),
        action if retention::is_result(&action) => retention::update(app, action),
        action if requests::is_result(&action) => requests::update(app, action),
        action if !app.modals.is_empty() => super::modals::modal_update(app, action),
        action => match app.tab {
            Tab::Customers => customers::update(app, action),
            Tab::Audit => super::screens::audit::update(app, action),
            Tab::Retention => retention::update(app, action),
            Tab::Requests => requests::update(app, action),
            Tab::Triage => triage::update(app, action),
        },
    }
}

/// `/` from a screen without a search of its own: the customer search.
pub fn go_to_search(app: &mut App) -> Vec<Effect> {
    app.tab = Tab::Customers;
    app.customers.focus = Focus::Search;
    vec![]
}

/// Results of effects go to their screen whatever is on top.
fn is_result(action: &Action) -> bool {
    matches!(
        action,
        Action::SearchDone(_)
            | Action::CustomerLoaded(_)
            | Action::ItemPreviewed(..)
            | Action::ProfilePreviewed(_)
            | Action::ItemDeleted(_)
            | Action::ProfileDeleted(..)
            | Action::Saved(_)
    )
}
