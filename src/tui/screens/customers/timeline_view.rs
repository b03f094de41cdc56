//! The conversation timeline. Rows have different heights (wrapped text),
//! so the first drawn row (`top`) is kept in state and moved by
//! `keep_visible` before drawing; only visible rows are turned into lines.

use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};
use ratatui::Frame;

use super::super::super::sanitize::{line as clean, truncate, wrap};
use super::super::super::shell::Shell;
use super::super::super::theme::Theme;
use super::delete::{duration, plural, size};
use super::CustomersState;
use super::{Focus, OpenCustomer};
use crate::clock;
use crate::format::{ContentType, Direction, InitiatorType};
use crate::timeline::{ConversationHead, Item, RowRef, Timeline};

/// Body lines shown per item in the list; Enter shows all of it.
const BODY_LINES: usize = 3;
const INDENT: &str = "     ";

pub fn who(item: &Item) -> String {
    let arrow = match item.direction {
        Some(Direction::Inbound) => "← ",
        Some(Direction::Outbound) => "→ ",
        None => "",
    };
    let init = match item.initiator {
        Some(InitiatorType::Customer) => "customer".to_string(),
        Some(InitiatorType::Agent) => {
            format!("agent {}", item.initiator_id.as_deref().unwrap_or(""))
        }
        Some(InitiatorType::App) => format!("app {}", item.initiator_id.as_deref().unwrap_or("")),
        Some(InitiatorType::System) => "system".into(),
        None => String::new(),
    };
    clean(format!("{arrow}{init}").trim_end())
}

fn extra(item: &Item, key: &str) -> Option<String> {
    item.extra.get(key).map(|v| match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    })
}

/// Text lines describing the item's content, before wrapping; shared by
/// the list and the full view.
fn content_parts(item: &Item) -> (Vec<String>, Option<String>) {
    let mut meta = vec![];
    if item.kind == ContentType::Email {
        if let Some(s) = &item.subject {
            meta.push(format!("Subject: {s}"));
        }
        let from = item.from.as_deref().unwrap_or("?");
        meta.push(format!("From {from} · To {}", item.to.join(", ")));
    } else if let Some(s) = &item.subject {
        meta.push(format!("“{s}”"));
    }
    if item.kind == ContentType::CustomerActivity {
        let src: Vec<String> = ["sourceName", "activityType"]
            .iter()
            .filter_map(|k| extra(item, k))
            .collect();
        if !src.is_empty() {
            meta.push(src.join(" · "));
        }
    }
    let body = item.body.clone().or_else(|| match item.kind {
        ContentType::TopicChange => extra(item, "topic").map(|t| format!("Topic changed to {t}")),
        ContentType::ConversationStatusChange => {
            extra(item, "status").map(|s| format!("Status changed to {s}"))
        }
        _ => None,
    });
    (meta, body)
}

fn file_lines(theme: &Theme, item: &Item, w: usize, limit: usize) -> Vec<Line<'static>> {
    let mut out = vec![];
    for a in item.attachments.iter().take(limit) {
        out.push(match a.deleted_at {
            Some(t) => Line::styled(
                truncate(
                    &format!(
                        "{INDENT}{} · {}",
                        crate::erase::ATTACHMENT_DELETED,
                        clock::minute(t)
                    ),
                    w,
                ),
                theme.tombstone(),
            ),
            None => Line::raw(truncate(
                &format!(
                    "{INDENT}attachment {} · {} · {}",
                    a.filename.as_deref().unwrap_or(&a.id),
                    a.content_type.as_deref().unwrap_or("unknown type"),
                    size(a.size)
                ),
                w,
            )),
        });
    }
    if item.attachments.len() > limit {
        out.push(Line::styled(
            format!(
                "{INDENT}+{} more attachments (Enter)",
                item.attachments.len() - limit
            ),
            theme.dim(),
        ));
    }
    if let Some(r) = &item.recording {
        out.push(match r.deleted_at {
            Some(t) => Line::styled(
                truncate(
                    &format!(
                        "{INDENT}{} · {}",
                        crate::erase::RECORDING_DELETED,
                        clock::minute(t)
                    ),
                    w,
                ),
                theme.tombstone(),
            ),
            None => Line::raw(truncate(
                &format!(
                    "{INDENT}recording · {} · {}{}",
                    r.content_type.as_deref().unwrap_or("audio"),
                    r.duration_s.map(duration).unwrap_or_else(|| "?".into()),
                    if r.has_data {
                        format!(" · {}", size(r.size))
                    } else {
                        " · file not stored".into()
                    }
                ),
                w,
            )),
        });
    } else if item.kind.has_recording() {
        out.push(Line::styled(format!("{INDENT}no recording"), theme.dim()));
    }
    out
}

fn item_lines(theme: &Theme, item: &Item, w: usize, selected: bool) -> Vec<Line<'static>> {
    let marker = if selected { " ▶ " } else { "   " };
    let mut label = item.kind.label().to_string();
    if item.thread_size > 1 {
        label = format!("{label} {}/{}", item.thread_pos, item.thread_size);
    }
    let dur = item
        .duration_s
        .filter(|_| item.kind.has_recording())
        .map(|d| format!(" · {}", duration(d)));
    let head = format!(
        "{marker}{} {label:<12} {}{}",
        clock::minute(item.timestamp),
        who(item),
        dur.unwrap_or_default()
    );
    let head_style = if selected {
        theme.selected()
    } else {
        Style::default()
    };
    let mut out = vec![Line::styled(truncate(&head, w), head_style)];
    let inner = w.saturating_sub(INDENT.len()).max(4);
    if let Some(t) = item.deleted_at {
        out.push(Line::styled(
            truncate(
                &format!(
                    "{INDENT}{} · {}",
                    crate::erase::ITEM_DELETED,
                    clock::minute(t)
                ),
                w,
            ),
            theme.tombstone(),
        ));
        return out;
    }
    let (meta, body) = content_parts(item);
    for m in meta {
        out.push(Line::styled(
            truncate(&format!("{INDENT}{}", clean(&m)), w),
            theme.dim(),
        ));
    }
    if let Some(body) = body {
        let mut wrapped = wrap(&body, inner);
        if wrapped.len() > BODY_LINES {
            wrapped.truncate(BODY_LINES);
            let last = wrapped[BODY_LINES - 1].clone();
            wrapped[BODY_LINES - 1] = truncate(&format!("{last} …"), inner);
        }
        out.extend(
            wrapped
                .into_iter()
                .map(|l| Line::raw(format!("{INDENT}{l}"))),
        );
    }
    out.extend(file_lines(theme, item, w, 3));
    out
}

fn header_line(theme: &Theme, c: &ConversationHead, w: usize, selected: bool) -> Line<'static> {
    let marker = if selected { "▶" } else { " " };
    let status = c.status.as_str();
    let until = match (c.status.blocks_deletion(), c.closed_at) {
        (true, _) => "open".to_string(),
        (false, Some(t)) => clock::date(t),
        (false, None) => clock::date(c.updated_at),
    };
    let rest = format!(
        " {} · {} – {} · {} · {}",
        c.topic.as_deref().unwrap_or("(no topic)"),
        clock::date(c.created_at),
        until,
        plural(c.items, "item"),
        c.id
    );
    let status_style = if c.status.blocks_deletion() {
        theme.badge(status)
    } else {
        theme.title()
    };
    let base = if selected {
        theme.selected()
    } else {
        theme.title()
    };
    Line::from(vec![
        Span::styled(format!("{marker}■ "), base),
        Span::styled(
            status.to_string(),
            if selected { base } else { status_style },
        ),
        Span::styled(truncate(&rest, w.saturating_sub(3 + status.len())), base),
    ])
}

/// The lines of one timeline row, or one "loading" line when its page is
/// not read yet.
pub fn row_lines(
    theme: &Theme,
    t: &Timeline,
    row: usize,
    w: usize,
    selected: bool,
) -> Vec<Line<'static>> {
    match t.locate(row) {
        Some(RowRef::Header(c)) => vec![header_line(theme, &t.conversations[c], w, selected)],
        Some(RowRef::Item(..)) => match t.item(row) {
            Some(item) => item_lines(theme, item, w, selected),
            None => vec![Line::styled("   …", theme.dim())],
        },
        None => vec![],
    }
}

/// Moves `top` so the selected row is fully visible in a pane of `h`
/// lines and `w` columns.
pub fn keep_visible(theme: &Theme, o: &mut OpenCustomer, w: usize, h: usize) {
    if o.selected < o.top {
        o.top = o.selected;
        return;
    }
    // Every row takes at least one line, so rows further up than the pane
    // is tall cannot share the screen with the selection.
    o.top = o.top.max(o.selected.saturating_sub(h));
    loop {
        let used: usize = (o.top..=o.selected)
            .map(|r| row_lines(theme, &o.timeline, r, w, r == o.selected).len())
            .sum();
        if used <= h || o.top >= o.selected {
            break;
        }
        o.top += 1;
    }
}

pub fn render(st: &CustomersState, sh: &Shell, frame: &mut Frame, area: Rect) {
    let focused = st.focus == Focus::Timeline && sh.modals.is_empty();
    let Some(o) = st.open.as_ref() else {
        let block = Block::bordered()
            .title(" Timeline ")
            .border_style(sh.theme.border(false));
        frame.render_widget(Paragraph::new("").block(block), area);
        return;
    };
    let title = format!(" Timeline · {} rows ", o.timeline.len());
    let block = Block::bordered()
        .title(title)
        .border_style(sh.theme.border(focused));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if o.timeline.is_empty() {
        frame.render_widget(
            Paragraph::new(Line::styled("No conversations.", sh.theme.dim())),
            inner,
        );
        return;
    }
    let (w, h) = (inner.width as usize, inner.height as usize);
    let mut lines: Vec<Line> = Vec::with_capacity(h);
    let mut row = o.top;
    while lines.len() < h && row < o.timeline.len() {
        let mut row_text = row_lines(&sh.theme, &o.timeline, row, w, row == o.selected);
        if o.timeline
            .item(row)
            .is_some_and(|i| st.flagged.contains_key(&i.id))
        {
            super::mark_flagged(&mut row_text);
        }
        lines.extend(row_text);
        row += 1;
    }
    lines.truncate(h);
    frame.render_widget(Paragraph::new(lines), inner);
}

/// The full item for the popup: every field, the whole text, every file.
pub fn detail_lines(theme: &Theme, item: &Item, w: usize) -> Vec<Line<'static>> {
    let mut out = vec![Line::styled(
        truncate(
            &format!(
                "{} · {} UTC · {}",
                item.kind.label(),
                clock::minute(item.timestamp),
                who(item)
            ),
            w,
        ),
        theme.title(),
    )];
    out.push(Line::styled(
        truncate(
            &format!("item {} · conversation {}", item.id, item.conversation_id),
            w,
        ),
        theme.dim(),
    ));
    if let Some(t) = &item.thread_id {
        out.push(Line::styled(
            truncate(
                &format!(
                    "thread {t} · message {} of {}",
                    item.thread_pos, item.thread_size
                ),
                w,
            ),
            theme.dim(),
        ));
    }
    if let Some(d) = item.duration_s {
        out.push(Line::raw(format!("Duration {}", duration(d))));
    }
    out.push(Line::raw(""));
    if let Some(t) = item.deleted_at {
        out.push(Line::styled(
            format!("{} · {} UTC", crate::erase::ITEM_DELETED, clock::minute(t)),
            theme.tombstone(),
        ));
        return out;
    }
    let (meta, body) = content_parts(item);
    for m in meta {
        out.extend(wrap(&m, w).into_iter().map(Line::raw));
    }
    if let Some(body) = body {
        out.push(Line::raw(""));
        out.extend(wrap(&body, w).into_iter().map(Line::raw));
    }
    let files = file_lines(theme, item, w, usize::MAX);
    if !files.is_empty() {
        out.push(Line::raw(""));
        out.extend(files);
    }
    out
}
