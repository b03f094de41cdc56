//! The Retention screen: the policy in use and the last sweep; choose the
//! default or a custom number of days with a live preview of what it would
//! delete; save it (custom needs "I understand, use custom settings"); and
//! run a sweep in the background with a gauge and a cancel key.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use tui_input::backend::crossterm::EventHandler;
use tui_input::Input;

use super::super::action::{Action, Effect, Failure, Jump, PendingAction};
use super::super::keymap::Context;
use super::super::shell::{Confirm, Shell};
use crate::retention::{parse_days, Policy, Preview, Progress, SweepReport};

mod io;
mod view;
pub use io::*;
pub use view::*;

/// The retention screen's data: the policy and the last sweep.
#[derive(Debug, Clone, PartialEq)]
pub struct RetentionInfo {
    pub policy: Policy,
    pub last_run: Option<crate::store::retention::Run>,
}

/// What this screen asks the runtime to do.
#[derive(Debug, Clone, PartialEq)]
pub enum Io {
    Load,
    /// Debounced like search: only the newest waiting preview is computed.
    Preview {
        generation: u64,
        days: i64,
    },
}

/// The answers to `Io`, to saving a policy and to a sweep.
#[derive(Debug, Clone)]
pub enum Msg {
    Loaded(Result<RetentionInfo, Failure>),
    Previewed(u64, Result<Preview, Failure>),
    PolicySaved(Result<Policy, Failure>),
    /// A sweep began on its own thread; setting the flag stops it between
    /// profiles.
    SweepStarted(Arc<AtomicBool>),
    SweepProgress(Progress),
    SweepDone(Result<Box<SweepReport>, Failure>),
}

/// The policy and the last sweep are read afresh each time.
pub fn on_show() -> Vec<Effect> {
    vec![Io::Load.into()]
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Choice {
    #[default]
    Default,
    Custom,
}

#[derive(Debug, Clone)]
pub struct Sweep {
    pub progress: Progress,
    /// Shared with the sweep's thread: set, it stops between profiles.
    pub cancel: Arc<AtomicBool>,
}

#[derive(Debug, Clone, Default)]
pub struct RetentionState {
    pub info: Option<RetentionInfo>,
    pub choice: Choice,
    /// The days typed for a custom policy.
    pub input: Input,
    pub editing: bool,
    /// Generation of the newest days typed, and of the preview shown, so a
    /// slow preview never overwrites a newer one.
    pub preview_gen: u64,
    pub shown_gen: u64,
    pub preview: Option<Preview>,
    pub sweep: Option<Sweep>,
    pub report: Option<Box<SweepReport>>,
    /// The first blocked profile shown of the last sweep's list.
    pub report_scroll: usize,
}

impl RetentionState {
    pub fn days(&self) -> Result<i64, String> {
        parse_days(self.input.value())
    }

    fn policy(&self) -> Option<Policy> {
        self.info.as_ref().map(|i| i.policy)
    }

    /// Asks for a preview of the typed days, or drops the old one when the
    /// text is not a valid number of days.
    fn repreview(&mut self) -> Vec<Effect> {
        self.preview_gen += 1;
        match (self.choice, self.days()) {
            (Choice::Custom, Ok(days)) => vec![Io::Preview {
                generation: self.preview_gen,
                days,
            }
            .into()],
            _ => {
                self.preview = None;
                self.shown_gen = self.preview_gen;
                vec![]
            }
        }
    }
}

pub fn context(st: &RetentionState) -> Context {
    if st.editing {
        Context::RetentionDays
    } else {
        Context::Retention
    }
}

fn preview_lines(p: &Preview) -> Vec<String> {
    vec![
        format!("Deleted at once: {} profiles.", p.due_now),
        format!(
            "Overdue but kept while a conversation is open: {}.",
            p.blocked
        ),
        format!(
            "Then due within 30 days: {}; within 90 days: {}.",
            p.next_30_days, p.next_90_days
        ),
    ]
}

fn begin_save(st: &mut RetentionState, sh: &mut Shell) -> Vec<Effect> {
    st.editing = false;
    match st.choice {
        Choice::Default if st.policy() == Some(Policy::RetainForever) => {
            sh.info("The default policy is already in use.");
        }
        Choice::Default => sh.confirm(Confirm::new(
            PendingAction::SetRetention(Policy::RetainForever),
            "Use the default policy?",
            vec![Policy::RetainForever.describe() + "."],
        )),
        Choice::Custom => match st.days() {
            Err(why) => {
                st.editing = true;
                sh.error(format!("Not saved: {why}."));
            }
            Ok(days) => {
                let policy = Policy::DeleteAfter { days };
                let mut lines = vec![policy.describe() + "."];
                if let Some(p) = st.preview.filter(|p| p.days == days) {
                    lines.extend(preview_lines(&p));
                }
                sh.confirm(Confirm::new(
                    PendingAction::SetRetention(policy),
                    "Use a custom retention policy?",
                    lines,
                ));
            }
        },
    }
    vec![]
}

fn begin_sweep(st: &mut RetentionState, sh: &mut Shell) -> Vec<Effect> {
    if st.sweep.is_some() {
        sh.info("A sweep is already running; c cancels it.");
        return vec![];
    }
    let Some(Policy::DeleteAfter { days }) = st.policy() else {
        sh.error("The policy is the default (keep everything), so there is nothing to sweep; save a custom policy first.");
        return vec![];
    };
    let mut lines = vec![format!(
        "Every profile whose last Contact is {days} days ago or more, through the same erasure as a manual deletion."
    )];
    if let Some(p) = st.preview.filter(|p| p.days == days) {
        lines.push(format!(
            "Due now: {} profiles; kept while a conversation is open: {}.",
            p.due_now, p.blocked
        ));
    }
    lines.push("You can cancel between profiles; the rest stays for the next run.".into());
    sh.confirm(Confirm::new(
        PendingAction::RunSweep,
        "Run a retention sweep now?",
        lines,
    ));
    vec![]
}

/// The answers to this screen's effects and jobs.
pub fn result(st: &mut RetentionState, sh: &mut Shell, msg: Msg) -> Vec<Effect> {
    match msg {
        Msg::Loaded(Ok(info)) => {
            if !st.editing {
                match info.policy {
                    Policy::RetainForever => st.choice = Choice::Default,
                    Policy::DeleteAfter { days } => {
                        st.choice = Choice::Custom;
                        st.input = Input::new(days.to_string());
                    }
                }
            }
            st.info = Some(info);
            st.repreview()
        }
        Msg::Loaded(Err(e)) => {
            sh.error(format!("Could not read the retention policy: {e}"));
            vec![]
        }
        Msg::Previewed(generation, result) => {
            if generation <= st.shown_gen || generation > st.preview_gen {
                return vec![];
            }
            st.shown_gen = generation;
            match result {
                Ok(p) => st.preview = Some(p),
                Err(e) => {
                    st.preview = None;
                    sh.error(format!("Could not compute the preview: {e}"));
                }
            }
            vec![]
        }
        Msg::PolicySaved(Ok(_old)) => {
            let now = st.choice;
            sh.info(match now {
                Choice::Default => "Saved: the default policy keeps all customer data.",
                Choice::Custom => "Saved: the custom policy is in use from now on.",
            });
            vec![Io::Load.into()]
        }
        Msg::PolicySaved(Err(e)) => {
            sh.error(format!("Not saved: {e}"));
            vec![]
        }
        Msg::SweepStarted(cancel) => {
            st.sweep = Some(Sweep {
                progress: Progress::default(),
                cancel,
            });
            st.report = None;
            sh.info("Sweep started; other screens stay usable, c cancels.");
            vec![]
        }
        Msg::SweepProgress(p) => {
            if let Some(s) = st.sweep.as_mut() {
                s.progress = p;
            }
            vec![]
        }
        Msg::SweepDone(result) => {
            st.sweep = None;
            match result {
                Ok(r) => {
                    let how = if r.cancelled { "cancelled" } else { "finished" };
                    let msg = format!(
                        "Sweep {how}: {} deleted, {} blocked, {} failed.",
                        r.deleted,
                        r.blocked.len(),
                        r.failed.len()
                    );
                    st.report = Some(r);
                    st.report_scroll = 0;
                    sh.info(msg);
                }
                Err(e) => sh.error(format!("The sweep stopped: {e}")),
            }
            vec![Io::Load.into()]
        }
    }
}

pub fn update(st: &mut RetentionState, sh: &mut Shell, action: Action) -> Vec<Effect> {
    match action {
        Action::Input(key) => {
            let before = st.input.value().to_string();
            st.input.handle_event(&crossterm::event::Event::Key(key));
            if st.input.value() == before {
                return vec![];
            }
            st.choice = Choice::Custom;
            st.repreview()
        }
        Action::Up | Action::Down => {
            st.choice = if matches!(action, Action::Up) {
                Choice::Default
            } else {
                Choice::Custom
            };
            st.repreview()
        }
        Action::PageDown | Action::PageUp => {
            let n = st.report.as_ref().map_or(0, |r| r.blocked.len());
            let page = (sh.size.1 as usize / 3).max(1);
            st.report_scroll = if matches!(action, Action::PageDown) {
                (st.report_scroll + page).min(n.saturating_sub(1))
            } else {
                st.report_scroll.saturating_sub(page)
            };
            vec![]
        }
        Action::Edit => {
            st.choice = Choice::Custom;
            st.editing = true;
            st.repreview()
        }
        Action::Back => {
            st.editing = false;
            vec![]
        }
        Action::Save => begin_save(st, sh),
        Action::RunNow => begin_sweep(st, sh),
        Action::Cancel => {
            match &st.sweep {
                Some(s) => {
                    s.cancel.store(true, Ordering::SeqCst);
                    sh.info("Cancelling: the sweep stops after the current profile.");
                }
                None => sh.info("No sweep is running."),
            }
            vec![]
        }
        Action::Refresh => vec![Io::Load.into()],
        Action::FocusSearch => vec![Effect::Jump(Jump::Search)],
        _ => vec![],
    }
}
