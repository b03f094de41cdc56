//! Every key the console knows, in one table per layer. The status-bar
//! hints and the `?` help screen are generated from these tables, so they
//! cannot disagree with what the keys do.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::action::Action;
use crate::access::Permission;

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
    Help,
    Triage,
}

impl Context {
    /// The order of the help screen.
    pub const ALL: [Context; 21] = [
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

const UP: &[Key] = &[k('k'), code(KeyCode::Up)];
const DOWN: &[Key] = &[k('j'), code(KeyCode::Down)];
const PG_UP: &[Key] = &[code(KeyCode::PageUp), ctrl('u')];
const PG_DOWN: &[Key] = &[code(KeyCode::PageDown), ctrl('d')];
const TOP: &[Key] = &[k('g'), code(KeyCode::Home)];
const BOTTOM: &[Key] = &[k('G'), code(KeyCode::End)];
const ESC: &[Key] = &[code(KeyCode::Esc)];
const ENTER: &[Key] = &[code(KeyCode::Enter)];

const ALWAYS: &[Binding] = &[b(&[ctrl('c')], Action::Quit, "quit", false)];

const GLOBAL: &[Binding] = &[
    b(&[k('/')], Action::FocusSearch, "search", true),
    b(&[code(KeyCode::Tab)], Action::FocusNext, "next pane", true),
    b(
        &[code(KeyCode::BackTab)],
        Action::FocusPrev,
        "previous pane",
        false,
    ),
    b(&[k('1')], Action::GoTab(0), "Customers screen", false),
    b(&[k('2')], Action::GoTab(1), "Audit screen", false),
    b(&[k('3')], Action::GoTab(2), "Retention screen", false),
    b(&[k('4')], Action::GoTab(3), "Requests screen", false),
    b(&[k('5')], Action::GoTab(4), "Triage screen", false),
    b(&[k('?')], Action::Help, "help", true),
    b(&[k('q')], Action::Quit, "quit", true),
];

const SEARCH: &[Binding] = &[
    b(
        &[code(KeyCode::Enter), code(KeyCode::Down)],
        Action::Open,
        "go to results",
        true,
    ),
    b(&[code(KeyCode::Tab)], Action::FocusNext, "next pane", true),
    b(
        &[code(KeyCode::BackTab)],
        Action::FocusPrev,
        "previous pane",
        false,
    ),
    b(ESC, Action::Back, "leave the search box", true),
];

const RESULTS: &[Binding] = &[
    b(DOWN, Action::Down, "next", false),
    b(UP, Action::Up, "previous", false),
    b(PG_DOWN, Action::PageDown, "page down", false),
    b(PG_UP, Action::PageUp, "page up", false),
    b(TOP, Action::Top, "first", false),
    b(BOTTOM, Action::Bottom, "last", false),
    b(ENTER, Action::Open, "open customer", true),
    guarded(
        &[k('D')],
        Action::DeleteProfile,
        "delete profile",
        Permission::Delete,
    ),
    b(ESC, Action::Back, "back to search", false),
];

const PROFILE: &[Binding] = &[
    b(DOWN, Action::Down, "scroll down", false),
    b(UP, Action::Up, "scroll up", false),
    guarded(
        &[k('D')],
        Action::DeleteProfile,
        "delete profile",
        Permission::Delete,
    ),
    b(ESC, Action::Back, "back to results", true),
];

const TIMELINE: &[Binding] = &[
    b(DOWN, Action::Down, "next row", false),
    b(UP, Action::Up, "previous row", false),
    b(PG_DOWN, Action::PageDown, "page down", false),
    b(PG_UP, Action::PageUp, "page up", false),
    b(TOP, Action::Top, "first row", false),
    b(BOTTOM, Action::Bottom, "last row", false),
    b(ENTER, Action::Open, "open item", true),
    guarded(
        &[k('d')],
        Action::DeleteItem,
        "delete item",
        Permission::Delete,
    ),
    guarded(&[k('s')], Action::Save, "save a copy", Permission::Export),
    guarded(
        &[k('D')],
        Action::DeleteProfile,
        "delete profile",
        Permission::Delete,
    ),
    b(ESC, Action::Back, "back to results", false),
    b(&[k('n')], Action::NextFinding, "next item with PII", false),
    b(
        &[k('N')],
        Action::PrevFinding,
        "previous item with PII",
        false,
    ),
];

const ITEM_VIEW: &[Binding] = &[
    b(DOWN, Action::Down, "scroll down", false),
    b(UP, Action::Up, "scroll up", false),
    b(PG_DOWN, Action::PageDown, "page down", false),
    b(PG_UP, Action::PageUp, "page up", false),
    guarded(
        &[k('d')],
        Action::DeleteItem,
        "delete item",
        Permission::Delete,
    ),
    guarded(&[k('s')], Action::Save, "save a copy", Permission::Export),
    b(
        &[code(KeyCode::Esc), code(KeyCode::Enter)],
        Action::Back,
        "close",
        true,
    ),
    b(&[k('q')], Action::Quit, "quit", true),
];

const MENU: &[Binding] = &[
    b(DOWN, Action::Down, "next choice", false),
    b(UP, Action::Up, "previous choice", false),
    b(ENTER, Action::Submit, "choose", true),
    b(ESC, Action::Cancel, "cancel", true),
];

const CONFIRM: &[Binding] = &[
    b(&[k('y')], Action::Confirm, "confirm", true),
    b(
        &[k('n'), code(KeyCode::Esc)],
        Action::Cancel,
        "cancel",
        true,
    ),
    b(
        &[
            code(KeyCode::Tab),
            code(KeyCode::Left),
            code(KeyCode::Right),
            k('h'),
            k('l'),
        ],
        Action::ToggleButton,
        "switch button",
        false,
    ),
    b(
        ENTER,
        Action::Submit,
        "press the highlighted button (Cancel first)",
        true,
    ),
];

const TYPED_CONFIRM: &[Binding] = &[
    b(
        ENTER,
        Action::Submit,
        "delete, once the name is typed exactly",
        true,
    ),
    b(ESC, Action::Cancel, "cancel", true),
];

const NOTICE: &[Binding] = &[
    b(
        &[code(KeyCode::Esc), code(KeyCode::Enter)],
        Action::Back,
        "close",
        true,
    ),
    b(&[k('q')], Action::Quit, "quit", true),
];

const RECEIPT: &[Binding] = &[
    b(&[k('s')], Action::Save, "save the receipt (JSON)", true),
    b(
        &[code(KeyCode::Esc), code(KeyCode::Enter)],
        Action::Back,
        "close",
        true,
    ),
];

const AUDIT: &[Binding] = &[
    b(DOWN, Action::Down, "next entry", false),
    b(UP, Action::Up, "previous entry", false),
    b(PG_DOWN, Action::PageDown, "page down", false),
    b(PG_UP, Action::PageUp, "page up", false),
    b(TOP, Action::Top, "first entry", false),
    b(BOTTOM, Action::Bottom, "last entry", false),
    b(ENTER, Action::Open, "entry details", false),
    b(
        &[k('f')],
        Action::FocusSearch,
        "filter (operator= action= date=)",
        true,
    ),
    b(&[k('c')], Action::ClearFilter, "clear the filter", true),
    b(&[k('r')], Action::Refresh, "reload and verify", true),
];

const AUDIT_FILTER: &[Binding] = &[
    b(ENTER, Action::Submit, "apply the filter", true),
    b(ESC, Action::Cancel, "cancel", true),
];

const RETENTION: &[Binding] = &[
    b(DOWN, Action::Down, "next choice", false),
    b(UP, Action::Up, "previous choice", false),
    b(
        &[k('e'), code(KeyCode::Enter)],
        Action::Edit,
        "edit the days",
        true,
    ),
    guarded(
        &[k('s')],
        Action::Save,
        "save the policy",
        Permission::ChangeRetention,
    ),
    guarded(
        &[k('x')],
        Action::RunNow,
        "run a sweep now",
        Permission::Delete,
    ),
    // The gauge says `c cancels` while a sweep runs.
    Binding {
        keys: &[k('c')],
        action: Action::Cancel,
        desc: "cancel the sweep",
        hint: false,
        needs: Some(Permission::Delete),
    },
    b(&[k('r')], Action::Refresh, "reload", false),
];

const RETENTION_DAYS: &[Binding] = &[
    guarded(
        ENTER,
        Action::Save,
        "save this policy",
        Permission::ChangeRetention,
    ),
    b(ESC, Action::Back, "stop editing", true),
];

const REQUESTS: &[Binding] = &[
    b(DOWN, Action::Down, "next request", false),
    b(UP, Action::Up, "previous request", false),
    b(PG_DOWN, Action::PageDown, "page down", false),
    b(PG_UP, Action::PageUp, "page up", false),
    b(TOP, Action::Top, "first request", false),
    b(BOTTOM, Action::Bottom, "last request", false),
    b(ENTER, Action::Open, "open request", true),
    b(
        &[k('a')],
        Action::ToggleClosed,
        "show or hide closed requests",
        true,
    ),
    b(&[k('r')], Action::Refresh, "reload", false),
];

const REQUEST: &[Binding] = &[
    b(DOWN, Action::Down, "scroll down", false),
    b(UP, Action::Up, "scroll up", false),
    b(&[k('n')], Action::NextMatch, "next matched profile", false),
    b(
        &[k(' ')],
        Action::MarkMatch,
        "mark as the requester's",
        false,
    ),
    guarded(
        &[k('x')],
        Action::RunNow,
        "run the request",
        Permission::Delete,
    ),
    guarded(
        &[k('e')],
        Action::Extend,
        "extend the deadline",
        Permission::Delete,
    ),
    b(&[k('r')], Action::Refresh, "reload", false),
    b(ESC, Action::Back, "back to the queue", true),
];

const REQUEST_REASON: &[Binding] = &[
    b(ENTER, Action::Submit, "extend with this reason", true),
    b(ESC, Action::Cancel, "cancel", true),
];

const HELP: &[Binding] = &[
    b(DOWN, Action::Down, "scroll down", false),
    b(UP, Action::Up, "scroll up", false),
    b(PG_DOWN, Action::PageDown, "page down", false),
    b(PG_UP, Action::PageUp, "page up", false),
    b(&[code(KeyCode::Esc), k('?')], Action::Back, "close", true),
    b(&[k('q')], Action::Quit, "quit", true),
];

const TRIAGE: &[Binding] = &[
    b(DOWN, Action::Down, "next finding", false),
    b(UP, Action::Up, "previous finding", false),
    b(PG_DOWN, Action::PageDown, "page down", false),
    b(PG_UP, Action::PageUp, "page up", false),
    b(TOP, Action::Top, "first finding", false),
    b(BOTTOM, Action::Bottom, "last finding", false),
    guarded(&[k('r')], Action::Redact, "redact", Permission::Redact),
    guarded(&[k('x')], Action::Dismiss, "dismiss", Permission::Redact),
    guarded(
        &[k('d')],
        Action::DeleteItem,
        "delete item",
        Permission::Delete,
    ),
    b(
        &[code(KeyCode::Enter), k('o')],
        Action::Open,
        "timeline",
        true,
    ),
    b(&[k('f')], Action::CycleKind, "kind", true),
    b(&[k('c')], Action::ToggleConfidence, "high/all", true),
    guarded(&[k('S')], Action::Scan, "scan", Permission::Redact),
];

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
mod tests {
    use super::*;

    fn press(c: char) -> KeyEvent {
        KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)
    }

    #[test]
    fn q_types_in_text_fields_and_quits_elsewhere() {
        assert!(lookup(Context::Search, &press('q')).is_none());
        assert!(lookup(Context::TypedConfirm, &press('q')).is_none());
        assert!(matches!(
            lookup(Context::Results, &press('q')).map(|b| &b.action),
            Some(Action::Quit)
        ));
        let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
        for ctx in Context::ALL {
            assert!(
                matches!(lookup(ctx, &ctrl_c).map(|b| &b.action), Some(Action::Quit)),
                "{ctx:?}"
            );
        }
    }

    #[test]
    fn dialogs_keep_global_keys_off() {
        assert!(lookup(Context::Confirm, &press('q')).is_none());
        assert!(lookup(Context::Confirm, &press('1')).is_none());
        assert!(matches!(
            lookup(Context::Confirm, &press('y')).map(|b| &b.action),
            Some(Action::Confirm)
        ));
    }

    #[test]
    fn no_key_is_bound_twice_in_one_layer() {
        for ctx in Context::ALL {
            let mut seen: Vec<Key> = vec![];
            let mut tables = vec![ctx];
            if ctx.falls_through() {
                tables.push(Context::Global);
            }
            // A context may override a global key, so check each table alone.
            for key in bindings(ctx).iter().flat_map(|b| b.keys.iter()) {
                assert!(!seen.contains(key), "{ctx:?} binds {} twice", key.label());
                seen.push(*key);
            }
        }
    }

    #[test]
    fn shifted_letters_match() {
        let shift_d = KeyEvent::new(KeyCode::Char('D'), KeyModifiers::SHIFT);
        assert!(matches!(
            lookup(Context::Timeline, &shift_d).map(|b| &b.action),
            Some(Action::DeleteProfile)
        ));
    }
}
