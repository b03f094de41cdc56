//! Every key the console knows, in one table per layer. The status-bar
//! hints and the `?` help screen are generated from these tables, so they
//! cannot disagree with what the keys do.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::action::Action;
use crate::access::Permission;

mod tables;
use tables::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key {
    pub code: KeyCode,
    pub mods: KeyModifiers,
}

const fn k(c: char) -> Key {
    Key {
        code: KeyCode::Char(c),
        mods: KeyModifiers::NONE,
    }
}

const fn code(code: KeyCode) -> Key {
    Key {
        code,
        mods: KeyModifiers::NONE,
    }
}

const fn ctrl(c: char) -> Key {
    Key {
        code: KeyCode::Char(c),
        mods: KeyModifiers::CONTROL,
    }
}

impl Key {
    pub fn matches(&self, e: &KeyEvent) -> bool {
        // Shift is part of the character for letters and symbols (`G`, `?`),
        // so it is ignored there; other modifiers must match exactly.
        let mods = match e.code {
            KeyCode::Char(_) => e.modifiers - KeyModifiers::SHIFT,
            KeyCode::BackTab => e.modifiers - KeyModifiers::SHIFT,
            _ => e.modifiers,
        };
        self.code == e.code && self.mods == mods
    }

    pub fn label(&self) -> String {
        let base = match self.code {
            KeyCode::Char(' ') => "Space".to_string(),
            KeyCode::Char(c) => c.to_string(),
            KeyCode::Up => "↑".into(),
            KeyCode::Down => "↓".into(),
            KeyCode::Left => "←".into(),
            KeyCode::Right => "→".into(),
            KeyCode::Enter => "Enter".into(),
            KeyCode::Esc => "Esc".into(),
            KeyCode::Tab => "Tab".into(),
            KeyCode::BackTab => "S-Tab".into(),
            KeyCode::PageUp => "PgUp".into(),
            KeyCode::PageDown => "PgDn".into(),
            KeyCode::Home => "Home".into(),
            KeyCode::End => "End".into(),
            other => format!("{other:?}"),
        };
        if self.mods.contains(KeyModifiers::CONTROL) {
            format!("C-{base}")
        } else {
            base
        }
    }
}

pub struct Binding {
    pub keys: &'static [Key],
    pub action: Action,
    pub desc: &'static str,
    /// Shown in the status bar (every binding is on the help screen).
    pub hint: bool,
    /// The permission the action needs; without it the hint is greyed out
    /// and the key explains the refusal.
    pub needs: Option<Permission>,
}

impl Binding {
    pub fn label(&self) -> String {
        self.keys
            .iter()
            .map(Key::label)
            .collect::<Vec<_>>()
            .join("/")
    }
}

const fn b(keys: &'static [Key], action: Action, desc: &'static str, hint: bool) -> Binding {
    Binding {
        keys,
        action,
        desc,
        hint,
        needs: None,
    }
}

const fn guarded(
    keys: &'static [Key],
    action: Action,
    desc: &'static str,
    p: Permission,
) -> Binding {
    Binding {
        keys,
        action,
        desc,
        hint: true,
        needs: Some(p),
    }
}

/// Where a key press goes: the top modal, else the focused pane.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    Always,
    Global,
    Search,
    Results,
    Profile,
    Timeline,
    Audit,
    AuditFilter,
    ItemView,
    Menu,
    Confirm,
    TypedConfirm,
    Notice,
    Receipt,
    Retention,
    RetentionDays,
    Requests,
    Request,
    RequestReason,
    RequestIntake,
    Help,
    Triage,
}

impl Context {
    /// The order of the help screen.
    pub const ALL: [Context; 22] = [
        Context::Always,
        Context::Global,
        Context::Search,
        Context::Results,
        Context::Profile,
        Context::Timeline,
        Context::ItemView,
        Context::Menu,
        Context::Confirm,
        Context::TypedConfirm,
        Context::Notice,
        Context::Receipt,
        Context::Audit,
        Context::AuditFilter,
        Context::Retention,
        Context::RetentionDays,
        Context::Requests,
        Context::Request,
        Context::RequestReason,
        Context::RequestIntake,
        Context::Triage,
        Context::Help,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Context::Always => "Everywhere",
            Context::Global => "Outside text fields and dialogs",
            Context::Search => "Search box (typing)",
            Context::Results => "Search results",
            Context::Profile => "Profile",
            Context::Timeline => "Timeline",
            Context::Audit => "Audit trail",
            Context::AuditFilter => "Audit filter (typing)",
            Context::ItemView => "Item view",
            Context::Menu => "Choose what to delete or save",
            Context::Confirm => "Confirm deletion",
            Context::TypedConfirm => "Confirm profile deletion (typing)",
            Context::Notice => "Notice (blocked deletion, entry details)",
            Context::Receipt => "Profile deleted",
            Context::Retention => "Retention",
            Context::RetentionDays => "Retention days (typing)",
            Context::Requests => "Requests queue",
            Context::Request => "Request",
            Context::RequestReason => "Extension reason (typing)",
            Context::RequestIntake => "New request (typing)",
            Context::Help => "This help",
            Context::Triage => "Triage (open PII findings)",
        }
    }

    /// Text fields take every key their table does not name, so global
    /// keys are off and `q` types a q.
    pub fn is_text(self) -> bool {
        matches!(
            self,
            Context::Search
                | Context::AuditFilter
                | Context::TypedConfirm
                | Context::RetentionDays
                | Context::RequestReason
                | Context::RequestIntake
        )
    }

    /// Whether unhandled keys fall through to the global layer. Dialogs
    /// that can delete something keep every key to themselves.
    pub fn falls_through(self) -> bool {
        matches!(
            self,
            Context::Results
                | Context::Profile
                | Context::Timeline
                | Context::Audit
                | Context::Retention
                | Context::Requests
                | Context::Request
                | Context::Triage
        )
    }
}

pub fn bindings(ctx: Context) -> &'static [Binding] {
    match ctx {
        Context::Always => ALWAYS,
        Context::Global => GLOBAL,
        Context::Search => SEARCH,
        Context::Results => RESULTS,
        Context::Profile => PROFILE,
        Context::Timeline => TIMELINE,
        Context::Audit => AUDIT,
        Context::AuditFilter => AUDIT_FILTER,
        Context::ItemView => ITEM_VIEW,
        Context::Menu => MENU,
        Context::Confirm => CONFIRM,
        Context::TypedConfirm => TYPED_CONFIRM,
        Context::Notice => NOTICE,
        Context::Receipt => RECEIPT,
        Context::Retention => RETENTION,
        Context::RetentionDays => RETENTION_DAYS,
        Context::Requests => REQUESTS,
        Context::Request => REQUEST,
        Context::RequestReason => REQUEST_REASON,
        Context::RequestIntake => REQUEST_INTAKE,
        Context::Help => HELP,
        Context::Triage => TRIAGE,
    }
}

fn find(ctx: Context, e: &KeyEvent) -> Option<&'static Binding> {
    bindings(ctx)
        .iter()
        .find(|b| b.keys.iter().any(|k| k.matches(e)))
}

/// The binding a key press means in `ctx`: the always-on keys, then the
/// context's own table, then (outside text fields and dialogs) the global
/// one. None for a key a text field should receive as typing, or an
/// unknown key.
pub fn lookup(ctx: Context, e: &KeyEvent) -> Option<&'static Binding> {
    find(Context::Always, e)
        .or_else(|| find(ctx, e))
        .or_else(|| {
            ctx.falls_through()
                .then(|| find(Context::Global, e))
                .flatten()
        })
}

/// The status-bar hints for `ctx`: its own, then the global ones it
/// falls through to. Each is (key label, description, permitted).
pub fn hints(ctx: Context, can: impl Fn(Permission) -> bool) -> Vec<(String, &'static str, bool)> {
    let mut out: Vec<(String, &'static str, bool)> = Vec::new();
    let mut tables = vec![ctx];
    if ctx.falls_through() {
        tables.push(Context::Global);
    }
    for t in tables {
        for b in bindings(t).iter().filter(|b| b.hint) {
            if out.iter().any(|(_, d, _)| *d == b.desc) {
                continue;
            }
            out.push((b.label(), b.desc, b.needs.is_none_or(&can)));
        }
    }
    out
}

#[cfg(test)]
mod tests;
