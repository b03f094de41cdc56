//! The Customers screen: search as you type, a profile, and the
//! conversation timeline, with Contact- and profile-level deletion.

mod delete;
mod findings;
mod io;
pub mod item_popup;
pub mod profile_view;
pub mod results_view;
pub mod timeline_view;
pub mod view;

use std::path::PathBuf;

use tui_input::backend::crossterm::EventHandler;
use tui_input::Input;

use super::super::action::{Action, Effect, Failure, Jump, SearchResponse};
use super::super::keymap::Context;
use super::super::modals::scrolled;
use super::super::shell::Shell;
use crate::erase::{ItemDeletion, ItemPreview, ItemTarget, ProfilePreview, Receipt};
use crate::profile::Profile;
use crate::search::CustomerSummary;
use crate::timeline::{BlobRef, Timeline};

pub use delete::{begin_delete_item, begin_save, duration, plural, size};
pub use findings::{find_row, mark_flagged, seek, SEEK_LIMIT};
pub use io::*;

/// What this screen asks the runtime to do.
#[derive(Debug, Clone, PartialEq)]
pub enum Io {
    Search {
        generation: u64,
        query: String,
    },
    Open(String),
    /// Rereads the open customer after a change, keeping the selection.
    Reload,
    /// Opens the customer at an item's row (from Triage).
    OpenAt {
        customer_id: String,
        item_id: String,
    },
    PreviewItem(ItemTarget),
    PreviewProfile(String),
    SaveBlob(BlobRef),
    /// The open findings per item of the customer (the timeline's marks).
    LoadItemFindings(String),
    /// The next or previous timeline row with open findings.
    SeekFinding {
        forward: bool,
    },
}

/// The answers to `Io` and to confirmed deletions.
#[derive(Debug, Clone)]
pub enum Msg {
    SearchDone(SearchResponse),
    /// Of the results of this search generation, those sharing an email,
    /// phone or external ID with a profile outside the list.
    Duplicates(u64, Result<Vec<String>, Failure>),
    Loaded(Result<Box<(Profile, Timeline)>, Failure>),
    /// Opened from Triage, and the row of the item if it was found.
    OpenedAt(Result<Box<(Profile, Timeline)>, Failure>, Option<usize>),
    ItemPreviewed(ItemTarget, Result<ItemPreview, Failure>),
    ProfilePreviewed(Result<ProfilePreview, Failure>),
    ItemDeleted(Result<Box<ItemDeletion>, Failure>),
    ProfileDeleted(String, Result<Box<Receipt>, Failure>),
    Saved(Result<PathBuf, Failure>),
    ItemFindings(String, Result<Vec<(String, usize)>, Failure>),
    FindingRow(Result<Option<usize>, Failure>),
}

/// How many results one search returns.
pub const RESULT_LIMIT: usize = 50;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Focus {
    #[default]
    Search,
    Results,
    Profile,
    Timeline,
}

#[derive(Debug, Clone, Default)]
pub struct CustomersState {
    pub focus: Focus,
    pub input: Input,
    /// Generation of the newest query typed, and of the results shown. A
    /// result older than the one shown is dropped, so a slow search never
    /// overwrites a newer one.
    pub search_gen: u64,
    pub results_gen: u64,
    pub results: Vec<CustomerSummary>,
    /// Per result: another live profile, in the list or not, shares its
    /// email, phone or external ID.
    pub duplicate: Vec<bool>,
    pub selected: usize,
    pub open: Option<OpenCustomer>,
    /// Open PII findings per item of the open customer (timeline marks).
    pub flagged: std::collections::HashMap<String, usize>,
    /// The selected timeline item shown in full, and how far it is
    /// scrolled.
    pub viewing: Option<u16>,
    /// Enter was pressed in the search box before the results came.
    pub enter_pending: bool,
}

/// Enter in the search box: a single match opens, several go to the
/// list.
fn enter(st: &mut CustomersState, sh: &mut Shell) -> Vec<Effect> {
    st.enter_pending = false;
    match st.results.as_slice() {
        [] => {
            sh.info("No results yet: type a name, email, phone, external ID or customer ID.");
            vec![]
        }
        [only] => vec![Io::Open(only.id.clone()).into()],
        _ => {
            st.focus = Focus::Results;
            vec![]
        }
    }
}

pub fn context(st: &CustomersState) -> Context {
    if st.viewing.is_some() {
        return Context::ItemView;
    }
    match st.focus {
        Focus::Search => Context::Search,
        Focus::Results => Context::Results,
        Focus::Profile => Context::Profile,
        Focus::Timeline => Context::Timeline,
    }
}

/// Shown again: the open customer's finding marks are read afresh (Triage
/// may have changed them).
pub fn on_show(st: &CustomersState) -> Vec<Effect> {
    match &st.open {
        Some(o) => vec![Io::LoadItemFindings(o.profile.id.clone()).into()],
        None => vec![],
    }
}

pub fn focus(st: &mut CustomersState, focus: Focus) {
    st.focus = focus;
}

/// The jump from Triage: the screen is shown once the customer is open.
pub fn open_at(customer_id: String, item_id: String) -> Vec<Effect> {
    vec![Io::OpenAt {
        customer_id,
        item_id,
    }
    .into()]
}

impl CustomersState {
    pub fn searching(&self) -> bool {
        self.results_gen < self.search_gen && !self.input.value().trim().is_empty()
    }
}

#[derive(Debug, Clone)]
pub struct OpenCustomer {
    pub profile: Profile,
    pub timeline: Timeline,
    pub selected: usize,
    /// First timeline row drawn.
    pub top: usize,
    pub profile_scroll: u16,
}

impl OpenCustomer {
    pub fn new(profile: Profile, timeline: Timeline) -> OpenCustomer {
        OpenCustomer {
            profile,
            timeline,
            selected: 0,
            top: 0,
            profile_scroll: 0,
        }
    }
}

/// Marks results that share an email or external ID with another result:
/// duplicates the admin must handle one by one.
fn duplicates(results: &[CustomerSummary]) -> Vec<bool> {
    let key = |s: &Option<String>| s.as_deref().map(|v| v.trim().to_lowercase());
    results
        .iter()
        .enumerate()
        .map(|(i, a)| {
            results.iter().enumerate().any(|(j, b)| {
                i != j
                    && ((a.email.is_some() && key(&a.email) == key(&b.email))
                        || (a.external_id.is_some() && key(&a.external_id) == key(&b.external_id)))
            })
        })
        .collect()
}

fn step(current: usize, len: usize, delta: isize) -> usize {
    if len == 0 {
        return 0;
    }
    (current as isize + delta).clamp(0, len as isize - 1) as usize
}

/// Timeline rows per page move, from the pane's height.
fn page_rows(sh: &Shell) -> isize {
    (sh.size.1 as isize / 3).max(1)
}

/// Keys in the item view: scroll, delete or save the item, back out.
fn update_viewing(st: &mut CustomersState, sh: &mut Shell, action: Action) -> Vec<Effect> {
    let row = st.open.as_ref().map_or(0, |o| o.selected);
    match action {
        Action::Back => {
            st.viewing = None;
            vec![]
        }
        Action::DeleteItem => begin_delete_item(st, sh, row),
        Action::Save => begin_save(st, sh, row),
        a => {
            if let Some(scroll) = st.viewing.as_mut() {
                *scroll = scrolled(*scroll, &a).min(2000);
            }
            vec![]
        }
    }
}

pub fn update(st: &mut CustomersState, sh: &mut Shell, action: Action) -> Vec<Effect> {
    if st.viewing.is_some() {
        return update_viewing(st, sh, action);
    }
    let focus = st.focus;
    let open = st.open.is_some();
    match action {
        Action::Input(key) => {
            let before = st.input.value().to_string();
            st.input.handle_event(&crossterm::event::Event::Key(key));
            if st.input.value() == before {
                return vec![];
            }
            st.search_gen += 1;
            let query = st.input.value().to_string();
            if query.trim().is_empty() {
                st.results.clear();
                st.duplicate.clear();
                st.results_gen = st.search_gen;
                return vec![];
            }
            vec![Io::Search {
                generation: st.search_gen,
                query,
            }
            .into()]
        }
        Action::FocusSearch => {
            st.focus = Focus::Search;
            vec![]
        }
        Action::FocusNext | Action::FocusPrev => {
            let order: &[Focus] = if open {
                &[
                    Focus::Search,
                    Focus::Results,
                    Focus::Profile,
                    Focus::Timeline,
                ]
            } else {
                &[Focus::Search, Focus::Results]
            };
            let i = order.iter().position(|f| *f == focus).unwrap_or(0);
            let n = order.len();
            let next = if matches!(action, Action::FocusNext) {
                (i + 1) % n
            } else {
                (i + n - 1) % n
            };
            st.focus = order[next];
            vec![]
        }
        Action::Back => {
            // One level out, never into the text field: the results are
            // the top, and leaving the search box turns the global keys
            // (`q`, the tab digits) back on.
            st.focus = Focus::Results;
            st.enter_pending = false;
            vec![]
        }
        Action::Open => {
            match focus {
                Focus::Search if st.searching() => {
                    // Answered when the results arrive (`enter`).
                    st.enter_pending = true;
                    vec![]
                }
                Focus::Search => enter(st, sh),
                Focus::Results => match st.results.get(st.selected) {
                    Some(r) => vec![Io::Open(r.id.clone()).into()],
                    None => vec![],
                },
                Focus::Timeline => {
                    if let Some(o) = &st.open {
                        if o.timeline.item(o.selected).is_some() {
                            st.viewing = Some(0);
                        }
                    }
                    vec![]
                }
                Focus::Profile => vec![],
            }
        }
        Action::Down if focus == Focus::Search => {
            st.focus = Focus::Results;
            vec![]
        }
        Action::Up
        | Action::Down
        | Action::PageUp
        | Action::PageDown
        | Action::Top
        | Action::Bottom => {
            move_selection(st, sh, &action);
            vec![]
        }
        Action::DeleteItem if focus == Focus::Timeline => {
            let row = st.open.as_ref().map(|o| o.selected);
            row.map(|r| begin_delete_item(st, sh, r))
                .unwrap_or_default()
        }
        Action::Save if focus == Focus::Timeline => {
            let row = st.open.as_ref().map(|o| o.selected);
            row.map(|r| begin_save(st, sh, r)).unwrap_or_default()
        }
        Action::NextFinding | Action::PrevFinding if focus == Focus::Timeline => {
            vec![Io::SeekFinding {
                forward: matches!(action, Action::NextFinding),
            }
            .into()]
        }
        Action::DeleteProfile => delete::begin_delete_profile(st, sh),
        _ => vec![],
    }
}

/// The answers to this screen's effects and deletions.
pub fn result(st: &mut CustomersState, sh: &mut Shell, msg: Msg) -> Vec<Effect> {
    match msg {
        Msg::SearchDone(resp) => {
            if resp.generation <= st.results_gen || resp.generation > st.search_gen {
                return vec![];
            }
            st.results_gen = resp.generation;
            match resp.result {
                Ok(rows) => {
                    st.duplicate = duplicates(&rows);
                    st.results = rows;
                    st.selected = 0;
                }
                Err(e) => sh.error(format!("Search failed: {e}")),
            }
            if st.enter_pending && resp.generation == st.search_gen {
                return enter(st, sh);
            }
            vec![]
        }
        Msg::Loaded(result) => {
            match result {
                Ok(loaded) => {
                    let (profile, timeline) = *loaded;
                    // A reload keeps the admin's place in the timeline.
                    let keep = st
                        .open
                        .as_ref()
                        .filter(|o| o.profile.id == profile.id)
                        .map(|o| (o.selected, o.top, o.profile_scroll));
                    let mut o = OpenCustomer::new(profile, timeline);
                    if let Some((sel, top, scroll)) = keep {
                        o.selected = sel.min(o.timeline.len().saturating_sub(1));
                        o.top = top.min(o.selected);
                        o.profile_scroll = scroll;
                    } else {
                        st.focus = Focus::Timeline;
                        st.viewing = None;
                    }
                    let id = o.profile.id.clone();
                    st.open = Some(o);
                    return vec![Io::LoadItemFindings(id).into()];
                }
                Err(e) => sh.error(format!("Could not open the customer: {e}")),
            }
            vec![]
        }
        Msg::Duplicates(generation, r) => {
            match r {
                Ok(ids) if generation == st.results_gen => {
                    for (i, row) in st.results.iter().enumerate() {
                        if ids.contains(&row.id) {
                            if let Some(d) = st.duplicate.get_mut(i) {
                                *d = true;
                            }
                        }
                    }
                }
                Ok(_) => {}
                Err(e) => sh.error(format!("Could not check for duplicate profiles: {e}")),
            }
            vec![]
        }
        Msg::OpenedAt(loaded, row) => findings::opened_at(st, sh, loaded, row),
        m @ (Msg::ItemFindings(..) | Msg::FindingRow(_)) => findings::result(st, sh, m),
        other => delete::result(st, sh, other),
    }
}

fn move_selection(st: &mut CustomersState, sh: &Shell, action: &Action) {
    let page = page_rows(sh);
    let (theme, width) = (sh.theme, sh.size.0 as usize);
    let delta = |len: usize| -> isize {
        match action {
            Action::Up => -1,
            Action::Down => 1,
            Action::PageUp => -page,
            Action::PageDown => page,
            Action::Top => -(len as isize),
            _ => len as isize,
        }
    };
    match st.focus {
        Focus::Results => {
            st.selected = step(st.selected, st.results.len(), delta(st.results.len()))
        }
        Focus::Timeline => {
            if let Some(o) = st.open.as_mut() {
                let len = o.timeline.len();
                o.selected = step(o.selected, len, delta(len));
            }
        }
        Focus::Profile => {
            if let Some(o) = st.open.as_mut() {
                let max = profile_view::lines(&theme, &o.profile, width).len() as isize;
                let d = delta(max as usize);
                o.profile_scroll = (o.profile_scroll as isize + d).clamp(0, max) as u16;
            }
        }
        Focus::Search => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(id: &str, email: &str) -> CustomerSummary {
        CustomerSummary {
            id: id.into(),
            name: None,
            email: Some(email.into()),
            phone: None,
            external_id: None,
            created_at: 0,
            last_contact_at: None,
            open_status: None,
            deleted_at: None,
        }
    }

    #[test]
    fn shared_emails_are_marked_as_duplicates() {
        let rows = [
            summary("a", "X@y.com"),
            summary("b", "x@y.com"),
            summary("c", "z@y.com"),
        ];
        assert_eq!(duplicates(&rows), vec![true, true, false]);
    }
}
