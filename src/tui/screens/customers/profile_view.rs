//! The profile pane: everything held about the customer, or a three-line
//! summary when the screen is narrow.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};
use ratatui::Frame;

use super::super::super::sanitize::{truncate, wrap};
use super::super::super::shell::Shell;
use super::super::super::theme::Theme;
use super::delete::plural;
use super::CustomersState;
use super::{Focus, OpenCustomer};
use crate::clock;
use crate::profile::Profile;

const LABEL: usize = 13;

fn field(theme: &Theme, lines: &mut Vec<Line<'static>>, label: &str, values: &[String], w: usize) {
    let values: Vec<String> = if values.is_empty() {
        vec!["—".into()]
    } else {
        values.to_vec()
    };
    for (i, v) in values.iter().enumerate() {
        let label = if i == 0 { label } else { "" };
        for (j, part) in wrap(v, w.saturating_sub(LABEL).max(8))
            .into_iter()
            .enumerate()
        {
            let l = if j == 0 { label } else { "" };
            lines.push(Line::from(vec![
                Span::styled(format!("{l:<LABEL$}"), theme.dim()),
                Span::raw(part),
            ]));
        }
    }
}

fn holds(p: &Profile) -> String {
    let c = &p.counts;
    let deleted = if c.deleted_items > 0 {
        format!(" ({} deleted)", c.deleted_items)
    } else {
        String::new()
    };
    format!(
        "{} · {}{deleted} · {} · {}",
        plural(c.conversations, "conversation"),
        plural(c.items, "item"),
        plural(c.attachments, "attachment"),
        plural(c.recordings, "recording")
    )
}

/// Every line of the full profile at `w` columns.
pub fn lines(theme: &Theme, p: &Profile, w: usize) -> Vec<Line<'static>> {
    let mut out = vec![Line::styled(
        truncate(p.name.as_deref().unwrap_or("(no name)"), w),
        theme.title(),
    )];
    let mut f = |label: &str, values: Vec<String>| field(theme, &mut out, label, &values, w);
    f("Customer ID", vec![p.id.clone()]);
    f("Emails", p.emails.clone());
    f("Phones", p.phones.clone());
    f("Addresses", p.addresses.clone());
    f(
        "External IDs",
        p.external_ids
            .iter()
            .map(|(k, v)| format!("{k}: {v}"))
            .collect(),
    );
    f(
        "Attributes",
        p.custom_attributes
            .iter()
            .map(|(k, v)| format!("{k}: {v}"))
            .collect(),
    );
    f("Created", vec![clock::date(p.created_at)]);
    f(
        "Last Contact",
        vec![p
            .last_contact_at
            .map(clock::date)
            .unwrap_or_else(|| "none".into())],
    );
    f("Holds", vec![holds(p)]);
    if !p.open_conversations.is_empty() {
        f(
            "Open work",
            p.open_conversations
                .iter()
                .map(|(id, s)| format!("{s} {id}"))
                .collect(),
        );
    }
    out
}

fn collapsed(theme: &Theme, p: &Profile, w: usize) -> Vec<Line<'static>> {
    let mut first = vec![Span::styled(
        truncate(p.name.as_deref().unwrap_or("(no name)"), w / 2),
        theme.title(),
    )];
    first.push(Span::styled(format!(" · {}", p.id), theme.dim()));
    for (_, s) in p.open_conversations.iter().take(1) {
        first.push(Span::styled(format!("  {s} "), theme.badge(s)));
    }
    let ids: Vec<String> = p
        .emails
        .first()
        .into_iter()
        .chain(p.phones.first())
        .cloned()
        .chain(p.external_ids.first().map(|(_, v)| v.clone()))
        .collect();
    let c = &p.counts;
    let dates = format!(
        "since {} · last contact {} · {} conv · {} · {} att · {} rec",
        clock::date(p.created_at),
        p.last_contact_at
            .map(clock::date)
            .unwrap_or_else(|| "none".into()),
        c.conversations,
        plural(c.items, "item"),
        c.attachments,
        c.recordings
    );
    vec![
        Line::from(first),
        Line::raw(truncate(&ids.join(" · "), w)),
        Line::styled(truncate(&dates, w), theme.dim()),
    ]
}

pub fn render(st: &CustomersState, sh: &Shell, frame: &mut Frame, area: Rect, summary_only: bool) {
    let Some(OpenCustomer {
        profile,
        profile_scroll,
        ..
    }) = st.open.as_ref()
    else {
        let block = Block::bordered()
            .title(" Profile ")
            .border_style(sh.theme.border(false));
        let text = Line::styled(
            "Open a customer (Enter on a result) to see the profile.",
            sh.theme.dim(),
        );
        frame.render_widget(Paragraph::new(text).block(block), area);
        return;
    };
    let focused = st.focus == Focus::Profile && sh.modals.is_empty();
    let block = Block::bordered()
        .title(" Profile ")
        .border_style(sh.theme.border(focused));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let w = inner.width as usize;
    let all = if summary_only {
        collapsed(&sh.theme, profile, w)
    } else {
        lines(&sh.theme, profile, w)
    };
    let max = all.len().saturating_sub(inner.height as usize) as u16;
    let scroll = (*profile_scroll).min(max);
    frame.render_widget(Paragraph::new(all).scroll((scroll, 0)), inner);
}
