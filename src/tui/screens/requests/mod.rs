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

use super::super::action::{Action, Effect, PendingAction};
use super::super::app::{App, Confirm, Modal};
use super::super::keymap::Context;
use super::super::sanitize::{fit, truncate, wrap};
use super::super::theme::Theme;
use crate::clock::{self, Millis, DAY_MS};
use crate::requests::{Kind, Plan, Request, RequestReceipt, RunOutcome};

mod update;
mod view;
pub use update::*;
pub use view::*;

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
}

pub fn context(st: &RequestsState) -> Context {
    match &st.open {
        Some(o) if o.reason.is_some() => Context::RequestReason,
        Some(_) => Context::Request,
        None => Context::Requests,
    }
}

pub fn is_result(action: &Action) -> bool {
    matches!(
        action,
        Action::RequestsLoaded(_)
            | Action::RequestPlanned(..)
            | Action::RequestStarted(_)
            | Action::RequestRan(..)
            | Action::RequestExtended(_)
    )
}

fn load(st: &RequestsState) -> Effect {
    Effect::LoadRequests {
        include_closed: st.include_closed,
    }
}
