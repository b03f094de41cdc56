//! The Requests screen: the data subject requests by due date, overdue and
//! due-soon ones marked; an opened request shows every matching profile
//! (duplicates included) with what an erasure would remove or what blocks
//! it, runs once confirmed, and shows its receipt.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};
use ratatui::Frame;
use tui_input::backend::crossterm::EventHandler;
use tui_input::Input;

use super::super::action::{Action, Effect, Failure, Jump, PendingAction};
use super::super::keymap::Context;
use super::super::sanitize::{fit, truncate, wrap};
use super::super::shell::{Confirm, Shell};
use super::super::theme::Theme;
use crate::clock::{self, Millis, DAY_MS};
use crate::requests::{Kind, Plan, Request, RequestReceipt, RunOutcome};

pub mod intake;
mod io;
mod update;
mod view;
pub use io::*;
pub use update::*;
pub use view::*;

/// What this screen asks the runtime to do.
#[derive(Debug, Clone, PartialEq)]
pub enum Io {
    Load {
        include_closed: bool,
    },
    /// The profiles a request matches and what a run would do to each.
    Plan(i64),
    Extend {
        id: i64,
        reason: String,
    },
    /// Record a request typed into the intake form.
    Add(Box<intake::Draft>),
}

/// The answers to `Io` and to running a request.
#[derive(Debug, Clone)]
pub enum Msg {
    /// The queue, and the time it was read (for overdue markers).
    Loaded(Result<(Vec<Request>, Millis), Failure>),
    Planned(i64, Result<Box<Plan>, Failure>),
    Started(i64),
    Ran(i64, Result<Box<RunOutcome>, Failure>),
    Extended(Result<Box<Request>, Failure>),
    Added(Result<Box<Request>, Failure>),
}

#[derive(Debug, Clone)]
pub struct OpenRequest {
    pub request: Request,
    /// None while the matches are being read.
    pub plan: Option<Plan>,
    pub scroll: u16,
    /// The extension's reason while it is typed.
    pub reason: Option<Input>,
    /// With several matches: the one `n` points at, and those marked as
    /// the requester's with Space. Only marked profiles are run on.
    pub cursor: usize,
    pub marked: Vec<String>,
}

impl OpenRequest {
    /// The plan narrowed to the profiles a run would act on: the marked
    /// ones, or the only match.
    fn chosen(&self) -> Option<Plan> {
        let plan = self.plan.as_ref()?;
        Some(if plan.matches.len() <= 1 {
            plan.clone()
        } else {
            plan.only(&self.marked)
        })
    }
}

#[derive(Debug, Clone, Default)]
pub struct RequestsState {
    pub rows: Vec<Request>,
    /// When the queue was read: overdue and due-soon are as of then.
    pub now: Millis,
    pub loaded: bool,
    pub selected: usize,
    pub include_closed: bool,
    pub open: Option<OpenRequest>,
    /// The request running in the background.
    pub working: Option<i64>,
    /// The intake form, while a new request is typed.
    pub intake: Option<intake::Intake>,
}

pub fn context(st: &RequestsState) -> Context {
    if st.intake.is_some() {
        return Context::RequestIntake;
    }
    match &st.open {
        Some(o) if o.reason.is_some() => Context::RequestReason,
        Some(_) => Context::Request,
        None => Context::Requests,
    }
}

fn load(st: &RequestsState) -> Effect {
    Io::Load {
        include_closed: st.include_closed,
    }
    .into()
}

/// The queue is read afresh each time the screen is shown.
pub fn on_show(st: &RequestsState) -> Vec<Effect> {
    vec![load(st)]
}
