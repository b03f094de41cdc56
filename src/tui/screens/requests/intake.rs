//! Recording a data subject request in the console (`n` on the queue):
//! a form of the fields `lethe request add` takes, read the same way and
//! validated by the same core rule when it is recorded.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};
use ratatui::Frame;

use super::super::super::sanitize;
use super::*;
use crate::requests::{Identifiers, Regulation};

/// The form's fields: label, what it takes, and its first value.
pub const FIELDS: [(&str, &str, &str); 8] = [
    ("Type", "erasure or access", "erasure"),
    ("Regulation", "gdpr, ccpa or other", "gdpr"),
    ("Emails", "comma-separated", ""),
    ("Phones", "comma-separated, any format", ""),
    ("External IDs", "comma-separated", ""),
    ("Customer IDs", "comma-separated", ""),
    ("Received", "YYYY-MM-DD; empty: now", ""),
    ("Note", "optional", ""),
];

#[derive(Debug, Clone)]
pub struct Intake {
    pub inputs: Vec<Input>,
    pub focus: usize,
    /// Why the last attempt was not recorded.
    pub error: Option<String>,
}

impl Default for Intake {
    fn default() -> Intake {
        Intake {
            inputs: FIELDS.iter().map(|f| Input::new(f.2.to_string())).collect(),
            focus: 2,
            error: None,
        }
    }
}

fn list(text: &str) -> Vec<String> {
    text.split(',')
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(String::from)
        .collect()
}

impl Intake {
    fn value(&self, i: usize) -> &str {
        self.inputs[i].value().trim()
    }

    /// The request as typed, read as `lethe request add` reads its flags;
    /// the rest (identifiers given, their format) is checked when it is
    /// recorded.
    pub fn draft(&self) -> Result<Draft, String> {
        let kind = Kind::parse(self.value(0))
            .ok_or_else(|| format!("Type \"{}\" is not erasure or access.", self.value(0)))?;
        let regulation = Regulation::parse(self.value(1)).ok_or_else(|| {
            format!(
                "Regulation \"{}\" is not gdpr, ccpa or other.",
                self.value(1)
            )
        })?;
        let received_at = match self.value(6) {
            "" => None,
            t => Some(
                clock::parse(t)
                    .ok_or_else(|| format!("Received \"{t}\" is not a date; use YYYY-MM-DD."))?,
            ),
        };
        let note = Some(self.value(7).to_string()).filter(|n| !n.is_empty());
        Ok(Draft {
            kind,
            regulation,
            identifiers: Identifiers {
                emails: list(self.value(2)),
                phones: list(self.value(3)),
                external_ids: list(self.value(4)),
                customer_ids: list(self.value(5)),
            },
            received_at,
            note,
        })
    }
}

/// A request read from the form; `received_at` None is the session's now.
#[derive(Debug, Clone, PartialEq)]
pub struct Draft {
    pub kind: Kind,
    pub regulation: Regulation,
    pub identifiers: Identifiers,
    pub received_at: Option<Millis>,
    pub note: Option<String>,
}

/// Keys while the form is open.
pub(super) fn update(st: &mut RequestsState, sh: &mut Shell, action: Action) -> Vec<Effect> {
    let Some(f) = st.intake.as_mut() else {
        return vec![];
    };
    let n = FIELDS.len();
    match action {
        Action::Input(key) => {
            f.inputs[f.focus].handle_event(&crossterm::event::Event::Key(key));
            vec![]
        }
        Action::FocusNext | Action::Down => {
            f.focus = (f.focus + 1) % n;
            vec![]
        }
        Action::FocusPrev | Action::Up => {
            f.focus = (f.focus + n - 1) % n;
            vec![]
        }
        Action::Submit => match f.draft() {
            Ok(draft) => {
                f.error = None;
                vec![Io::Add(Box::new(draft)).into()]
            }
            Err(why) => {
                f.error = Some(why);
                vec![]
            }
        },
        Action::Cancel | Action::Back => {
            st.intake = None;
            sh.info("Cancelled; no request was recorded.");
            vec![]
        }
        _ => vec![],
    }
}

/// The answer to `Io::Add`: the queue again with the new request, or the
/// reason, kept in the form with what was typed.
pub(super) fn added(
    st: &mut RequestsState,
    sh: &mut Shell,
    r: Result<Box<Request>, Failure>,
) -> Vec<Effect> {
    match r {
        Ok(req) => {
            st.intake = None;
            sh.info(format!(
                "Request {} recorded ({} {}), due {}.",
                req.id,
                req.regulation.as_str().to_uppercase(),
                req.kind.as_str(),
                clock::date(req.due_at)
            ));
            vec![load(st)]
        }
        Err(e) => {
            if let Some(f) = st.intake.as_mut() {
                f.error = Some(format!("Not recorded: {e}"));
            } else {
                sh.error(format!("Not recorded: {e}"));
            }
            vec![]
        }
    }
}

pub(super) fn render(f: &Intake, sh: &Shell, frame: &mut Frame, area: Rect) {
    frame.render_widget(Clear, area);
    let t = &sh.theme;
    let block = Block::bordered()
        .title(" New data subject request ")
        .border_style(t.border(sh.focused()));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let w = inner.width as usize;
    const LABEL: usize = 14;
    let mut lines = vec![];
    let mut cursor = None;
    for (i, (label, hint, _)) in FIELDS.iter().enumerate() {
        let focused = i == f.focus;
        let value_w = w.saturating_sub(LABEL + 2);
        let value = sanitize::line(f.inputs[i].value());
        let shown = if value.is_empty() && !focused {
            Span::styled(truncate(hint, value_w), t.dim())
        } else {
            Span::styled(truncate(&value, value_w), t.base())
        };
        let marker = if focused { "▶ " } else { "  " };
        lines.push(Line::from(vec![
            Span::styled(
                format!("{marker}{:<width$}", label, width = LABEL),
                if focused { t.key() } else { t.base() },
            ),
            shown,
        ]));
        if focused {
            let x = inner.x + (LABEL + 2) as u16 + f.inputs[i].visual_cursor().min(value_w) as u16;
            cursor = Some((x.min(inner.right().saturating_sub(1)), inner.y + i as u16));
            lines.push(Line::styled(
                truncate(&format!("{:w$}{hint}", "", w = LABEL + 2), w),
                t.dim(),
            ));
        }
    }
    lines.push(Line::raw(""));
    if let Some(e) = &f.error {
        lines.extend(wrap(e, w).into_iter().map(|l| Line::styled(l, t.error())));
    }
    lines.extend(
        wrap(
            "Give at least one email, phone, external ID or customer ID. The deadline follows \
             from the regulation and the received date.",
            w,
        )
        .into_iter()
        .map(|l| Line::styled(l, t.dim())),
    );
    frame.render_widget(Paragraph::new(lines), inner);
    if let (Some(pos), true) = (cursor, sh.focused()) {
        frame.set_cursor_position(pos);
    }
}
