//! Where the Customers panes go. Wide terminals (150+ columns) get three
//! columns; medium ones a result column beside the customer; at 80x24 one
//! stack at a time: search and results, or a profile summary over the
//! timeline (Tab or Esc go back).

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::Frame;

use super::super::super::shell::Shell;
use super::CustomersState;
use super::{item_popup, profile_view, results_view, timeline_view, Focus};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Panes {
    pub search: Option<Rect>,
    pub results: Option<Rect>,
    /// The profile pane, and whether it shows only a summary.
    pub profile: Option<(Rect, bool)>,
    pub timeline: Option<Rect>,
}

const SEARCH_H: u16 = 3;
const SUMMARY_H: u16 = 5;

fn left_column(area: Rect) -> (Rect, Rect) {
    let [s, r] = Layout::vertical([Constraint::Length(SEARCH_H), Constraint::Min(0)]).areas(area);
    (s, r)
}

pub fn panes(st: &CustomersState, body: Rect) -> Panes {
    let open = st.open.is_some();
    if body.width >= 150 {
        let [l, m, r] = Layout::horizontal([
            Constraint::Percentage(30),
            Constraint::Percentage(25),
            Constraint::Percentage(45),
        ])
        .areas(body);
        let (s, res) = left_column(l);
        return Panes {
            search: Some(s),
            results: Some(res),
            profile: Some((m, false)),
            timeline: Some(r),
        };
    }
    let customer_view = |area: Rect| -> (Option<(Rect, bool)>, Option<Rect>) {
        if st.focus == Focus::Profile {
            (Some((area, false)), None)
        } else {
            let [p, t] =
                Layout::vertical([Constraint::Length(SUMMARY_H), Constraint::Min(0)]).areas(area);
            (Some((p, true)), Some(t))
        }
    };
    if body.width >= 100 {
        let [l, r] = Layout::horizontal([Constraint::Percentage(40), Constraint::Percentage(60)])
            .areas(body);
        let (s, res) = left_column(l);
        let (profile, timeline) = customer_view(r);
        return Panes {
            search: Some(s),
            results: Some(res),
            profile,
            timeline,
        };
    }
    if open && matches!(st.focus, Focus::Profile | Focus::Timeline) {
        let (profile, timeline) = customer_view(body);
        return Panes {
            profile,
            timeline,
            ..Panes::default()
        };
    }
    let (s, res) = left_column(body);
    Panes {
        search: Some(s),
        results: Some(res),
        ..Panes::default()
    }
}

pub fn render(st: &CustomersState, sh: &Shell, frame: &mut Frame, body: Rect) {
    let p = panes(st, body);
    if let Some(a) = p.search {
        results_view::render_search(st, sh, frame, a);
    }
    if let Some(a) = p.results {
        results_view::render_results(st, sh, frame, a);
    }
    if let Some((a, summary)) = p.profile {
        profile_view::render(st, sh, frame, a, summary);
    }
    if let Some(a) = p.timeline {
        timeline_view::render(st, sh, frame, a);
    }
    item_popup::render(st, sh, frame, body);
}
