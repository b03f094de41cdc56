//! The key tables, one per context. Help and hints are generated from them.

use super::*;

pub(super) const UP: &[Key] = &[k('k'), code(KeyCode::Up)];
pub(super) const DOWN: &[Key] = &[k('j'), code(KeyCode::Down)];
pub(super) const PG_UP: &[Key] = &[code(KeyCode::PageUp), ctrl('u')];
pub(super) const PG_DOWN: &[Key] = &[code(KeyCode::PageDown), ctrl('d')];
pub(super) const TOP: &[Key] = &[k('g'), code(KeyCode::Home)];
pub(super) const BOTTOM: &[Key] = &[k('G'), code(KeyCode::End)];
pub(super) const ESC: &[Key] = &[code(KeyCode::Esc)];
pub(super) const ENTER: &[Key] = &[code(KeyCode::Enter)];

pub(super) const ALWAYS: &[Binding] = &[b(&[ctrl('c')], Action::Quit, "quit", false)];

pub(super) const GLOBAL: &[Binding] = &[
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

pub(super) const SEARCH: &[Binding] = &[
    b(
        &[code(KeyCode::Enter)],
        Action::Open,
        "open the match",
        true,
    ),
    b(&[code(KeyCode::Down)], Action::Down, "go to results", false),
    b(&[code(KeyCode::Tab)], Action::FocusNext, "next pane", true),
    b(
        &[code(KeyCode::BackTab)],
        Action::FocusPrev,
        "previous pane",
        false,
    ),
    b(ESC, Action::Back, "leave the search box", true),
];

pub(super) const RESULTS: &[Binding] = &[
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
];

pub(super) const PROFILE: &[Binding] = &[
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

pub(super) const TIMELINE: &[Binding] = &[
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

pub(super) const ITEM_VIEW: &[Binding] = &[
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

pub(super) const MENU: &[Binding] = &[
    b(DOWN, Action::Down, "next choice", false),
    b(UP, Action::Up, "previous choice", false),
    b(ENTER, Action::Submit, "choose", true),
    b(ESC, Action::Cancel, "cancel", true),
];

pub(super) const CONFIRM: &[Binding] = &[
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

pub(super) const TYPED_CONFIRM: &[Binding] = &[
    b(
        ENTER,
        Action::Submit,
        "delete, once the name or ID is typed",
        true,
    ),
    b(ESC, Action::Cancel, "cancel", true),
];

pub(super) const NOTICE: &[Binding] = &[
    b(
        &[code(KeyCode::Esc), code(KeyCode::Enter)],
        Action::Back,
        "close",
        true,
    ),
    b(&[k('q')], Action::Quit, "quit", true),
];

pub(super) const RECEIPT: &[Binding] = &[
    b(&[k('s')], Action::Save, "save the receipt (JSON)", true),
    b(
        &[code(KeyCode::Esc), code(KeyCode::Enter)],
        Action::Back,
        "close",
        true,
    ),
];

pub(super) const AUDIT: &[Binding] = &[
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

pub(super) const AUDIT_FILTER: &[Binding] = &[
    b(ENTER, Action::Submit, "apply the filter", true),
    b(ESC, Action::Cancel, "cancel", true),
];

pub(super) const RETENTION: &[Binding] = &[
    b(DOWN, Action::Down, "next choice", false),
    b(UP, Action::Up, "previous choice", false),
    b(PG_DOWN, Action::PageDown, "scroll the blocked list", false),
    b(PG_UP, Action::PageUp, "scroll it back", false),
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

pub(super) const RETENTION_DAYS: &[Binding] = &[
    guarded(
        ENTER,
        Action::Save,
        "save this policy",
        Permission::ChangeRetention,
    ),
    b(ESC, Action::Back, "stop editing", true),
];

pub(super) const REQUESTS: &[Binding] = &[
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
    b(&[k('n')], Action::New, "new request", true),
];

pub(super) const REQUEST: &[Binding] = &[
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

pub(super) const REQUEST_REASON: &[Binding] = &[
    b(ENTER, Action::Submit, "extend with this reason", true),
    b(ESC, Action::Cancel, "cancel", true),
];

pub(super) const REQUEST_INTAKE: &[Binding] = &[
    b(ENTER, Action::Submit, "record the request", true),
    b(
        &[code(KeyCode::Tab), code(KeyCode::Down)],
        Action::FocusNext,
        "next field",
        true,
    ),
    b(
        &[code(KeyCode::BackTab), code(KeyCode::Up)],
        Action::FocusPrev,
        "previous field",
        false,
    ),
    b(ESC, Action::Cancel, "cancel", true),
];

pub(super) const HELP: &[Binding] = &[
    b(DOWN, Action::Down, "scroll down", false),
    b(UP, Action::Up, "scroll up", false),
    b(PG_DOWN, Action::PageDown, "page down", false),
    b(PG_UP, Action::PageUp, "page up", false),
    b(&[code(KeyCode::Esc), k('?')], Action::Back, "close", true),
    b(&[k('q')], Action::Quit, "quit", true),
];

pub(super) const TRIAGE: &[Binding] = &[
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
