//! The requests screen's update: keys and results in, effects out.

use super::*;

pub(super) fn confirm_lines(req: &Request, plan: &Plan, dir: &std::path::Path) -> Vec<String> {
    let mut lines = vec![];
    match req.kind {
        Kind::Erasure => {
            let n = plan.deletable().count();
            lines.push(format!(
                "Request {}: erase {n} matching profile{} for good:",
                req.id,
                if n == 1 { "" } else { "s" }
            ));
            for p in plan.deletable() {
                lines.push(format!("  {}: {}", p.customer_id, p.removes_line()));
            }
            for p in plan.blocked() {
                if let Some((conv, status)) = &p.blocked_by {
                    lines.push(format!(
                        "  kept: {} has conversation {conv} {status}",
                        p.customer_id
                    ));
                }
            }
            if plan.previews.is_empty() {
                lines.push(
                    "  No profile matches; the request completes with nothing to erase.".into(),
                );
            }
        }
        Kind::Access => {
            let ids: Vec<&str> = plan.matches.iter().map(|m| m.id.as_str()).collect();
            lines.push(format!(
                "Request {}: write one JSON export of {} into {}:",
                req.id,
                crate::text::plural(ids.len(), "profile"),
                dir.display()
            ));
            lines.push(format!("  {}", ids.join(", ")));
        }
    }
    lines
}

pub(super) fn begin_run(st: &mut RequestsState, sh: &mut Shell) -> Vec<Effect> {
    let Some(o) = &st.open else { return vec![] };
    let req = &o.request;
    if let Some(id) = st.working {
        sh.info(format!("Working… request {id} is still running."));
        return vec![];
    }
    if req.status.is_closed() {
        sh.info(format!(
            "Request {} is already {}.",
            req.id,
            req.status.as_str()
        ));
        return vec![];
    }
    let Some(plan) = o.chosen() else {
        sh.info("Still reading the matching profiles…");
        return vec![];
    };
    let several = o.plan.as_ref().is_some_and(|p| p.matches.len() > 1);
    if several && plan.matches.is_empty() {
        // Short enough for the status bar at 80 columns.
        sh.error("Mark the requester's profiles first: n next, Space mark, then x.");
        return vec![];
    }
    let confirm = Confirm {
        pending: PendingAction::RunRequest {
            id: req.id,
            erasure: req.kind == Kind::Erasure,
            customers: if several { o.marked.clone() } else { vec![] },
        },
        title: format!("Run request {}?", req.id),
        lines: confirm_lines(req, &plan, &sh.save_dir),
        delete_focused: false,
    };
    sh.confirm(confirm);
    vec![]
}

/// The answers to this screen's effects and runs.
pub fn result(st: &mut RequestsState, sh: &mut Shell, msg: Msg) -> Vec<Effect> {
    match msg {
        Msg::Loaded(Ok((rows, now))) => {
            st.selected = st.selected.min(rows.len().saturating_sub(1));
            st.rows = rows;
            st.now = now;
            st.loaded = true;
            vec![]
        }
        Msg::Loaded(Err(e)) => {
            sh.error(format!("Could not read the requests: {e}"));
            vec![]
        }
        Msg::Planned(id, result) => {
            match (st.open.as_mut(), result) {
                (Some(o), Ok(plan)) if o.request.id == id => o.plan = Some(*plan),
                (_, Err(e)) => sh.error(format!("Could not match request {id}: {e}")),
                _ => {}
            }
            vec![]
        }
        Msg::Started(id) => {
            st.working = Some(id);
            sh.info(format!(
                "Working… request {id} runs in the background (the erasure check scans the files)."
            ));
            vec![]
        }
        Msg::Ran(id, result) => {
            st.working = None;
            let mut effects = vec![load(st)];
            match result {
                Ok(outcome) => {
                    let (req, done) = match *outcome {
                        RunOutcome::Completed(r) => (r, true),
                        RunOutcome::Blocked(r) => (r, false),
                    };
                    let msg = if done {
                        format!("Request {id} completed.")
                    } else {
                        format!(
                            "Request {id} is blocked: {}",
                            req.blocked_reason().unwrap_or_default()
                        )
                    };
                    if let Some(o) = st.open.as_mut().filter(|o| o.request.id == id) {
                        o.request = req;
                        effects.push(Io::Plan(id).into());
                    }
                    if done {
                        sh.info(msg);
                    } else {
                        sh.error(msg);
                    }
                }
                Err(e) => sh.error(format!("Request {id} did not run: {e}")),
            }
            effects
        }
        Msg::Extended(Ok(req)) => {
            let msg = format!(
                "Request {} extended: now due {}.",
                req.id,
                clock::date(req.due_at)
            );
            if let Some(o) = st.open.as_mut().filter(|o| o.request.id == req.id) {
                o.request = *req;
            }
            let effect = load(st);
            sh.info(msg);
            vec![effect]
        }
        Msg::Added(r) => intake::added(st, sh, r),
        Msg::Extended(Err(e)) => {
            sh.error(format!("Not extended: {e}"));
            vec![]
        }
    }
}

pub(super) fn update_open(st: &mut RequestsState, sh: &mut Shell, action: Action) -> Vec<Effect> {
    let Some(o) = st.open.as_mut() else {
        return vec![];
    };
    if let Some(input) = o.reason.as_mut() {
        return match action {
            Action::Input(key) => {
                input.handle_event(&crossterm::event::Event::Key(key));
                vec![]
            }
            Action::Submit => {
                let reason = input.value().trim().to_string();
                if reason.is_empty() {
                    sh.error("An extension needs a reason, for example the number of requests.");
                    return vec![];
                }
                let id = o.request.id;
                o.reason = None;
                vec![Io::Extend { id, reason }.into()]
            }
            Action::Cancel => {
                o.reason = None;
                vec![]
            }
            _ => vec![],
        };
    }
    match action {
        Action::Up => {
            o.scroll = o.scroll.saturating_sub(1);
            vec![]
        }
        Action::Down => {
            o.scroll = o.scroll.saturating_add(1).min(500);
            vec![]
        }
        Action::Back => {
            st.open = None;
            vec![]
        }
        Action::Refresh => {
            let id = o.request.id;
            vec![load(st), Io::Plan(id).into()]
        }
        Action::RunNow => begin_run(st, sh),
        Action::NextMatch => {
            let n = o.plan.as_ref().map_or(0, |p| p.matches.len());
            if n > 0 {
                o.cursor = (o.cursor + 1) % n;
            }
            vec![]
        }
        Action::MarkMatch => {
            let Some(m) = o.plan.as_ref().and_then(|p| p.matches.get(o.cursor)) else {
                return vec![];
            };
            let id = m.id.clone();
            match o.marked.iter().position(|x| *x == id) {
                Some(at) => {
                    o.marked.remove(at);
                }
                None => o.marked.push(id),
            }
            vec![]
        }
        Action::Extend => {
            let r = &o.request;
            if r.status.is_closed() {
                let msg = format!(
                    "Request {} is {}; it can't be extended.",
                    r.id,
                    r.status.as_str()
                );
                sh.error(msg);
            } else if r.extended_at.is_some() {
                let msg = format!(
                    "Request {} was already extended once; the law allows one extension.",
                    r.id
                );
                sh.error(msg);
            } else {
                o.reason = Some(Input::default());
            }
            vec![]
        }
        _ => vec![],
    }
}

pub fn update(st: &mut RequestsState, sh: &mut Shell, action: Action) -> Vec<Effect> {
    if st.intake.is_some() {
        return intake::update(st, sh, action);
    }
    if matches!(action, Action::FocusSearch) {
        return vec![Effect::Jump(Jump::Search)];
    }
    if st.open.is_some() {
        return update_open(st, sh, action);
    }
    let len = st.rows.len();
    let mv =
        |sel: usize, d: isize| (sel as isize + d).clamp(0, len.saturating_sub(1) as isize) as usize;
    match action {
        Action::Up => st.selected = mv(st.selected, -1),
        Action::Down => st.selected = mv(st.selected, 1),
        Action::PageUp => st.selected = mv(st.selected, -10),
        Action::PageDown => st.selected = mv(st.selected, 10),
        Action::Top => st.selected = 0,
        Action::Bottom => st.selected = len.saturating_sub(1),
        Action::Open => {
            let Some(r) = st.rows.get(st.selected) else {
                return vec![];
            };
            let id = r.id;
            st.open = Some(OpenRequest {
                request: r.clone(),
                plan: None,
                scroll: 0,
                reason: None,
                cursor: 0,
                marked: vec![],
            });
            return vec![Io::Plan(id).into()];
        }
        Action::ToggleClosed => {
            st.include_closed = !st.include_closed;
            return vec![load(st)];
        }
        Action::Refresh => return vec![load(st)],
        Action::New => {
            st.intake = Some(intake::Intake::default());
            return vec![];
        }
        _ => {}
    }
    vec![]
}
