//! `render`: draws the whole console from the state and changes nothing.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::Frame;

use super::app::{App, Tab};
use super::screens;
use super::shell::{Modal, Shell};
use super::widgets::{confirm, status_bar, tabs};

pub struct Areas {
    pub header: Rect,
    pub banner: Option<Rect>,
    pub body: Rect,
    pub status: Rect,
}

pub fn areas(sh: &Shell, area: Rect) -> Areas {
    let banner_h = u16::from(sh.read_only());
    let status_h = status_bar::height(sh.status.as_ref(), area.width);
    let [header, banner, body, status] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(banner_h),
        Constraint::Min(0),
        Constraint::Length(status_h),
    ])
    .areas(area);
    Areas {
        header,
        banner: (banner_h > 0).then_some(banner),
        body,
        status,
    }
}

pub fn render(app: &App, frame: &mut Frame) {
    let sh = &app.shell;
    let a = areas(sh, frame.area());
    tabs::render_header(&sh.theme, frame, a.header, app.tab, &sh.actor);
    if let Some(b) = a.banner {
        tabs::render_banner(&sh.theme, frame, b, &sh.actor);
    }
    match app.tab {
        Tab::Customers => screens::customers::view::render(&app.customers, sh, frame, a.body),
        Tab::Audit => screens::audit::render(&app.audit, sh, frame, a.body),
        Tab::Retention => screens::retention::render(&app.retention, sh, frame, a.body),
        Tab::Requests => screens::requests::render(&app.requests, sh, frame, a.body),
        Tab::Triage => screens::triage::render(&app.triage, sh, frame, a.body),
    }
    let hints = super::keymap::hints(app.context(), |p| sh.actor.can(p));
    status_bar::render(&sh.theme, frame, a.status, sh.status.as_ref(), hints);
    let theme = &sh.theme;
    for m in &sh.modals {
        match m {
            Modal::Help { scroll, from } => {
                screens::help::render(sh, frame, a.body, (*scroll, *from))
            }
            Modal::Menu(menu) => confirm::render_menu(theme, frame, a.body, menu),
            Modal::Confirm(c) => confirm::render_confirm(theme, frame, a.body, c),
            Modal::TypedConfirm(t) => confirm::render_typed_confirm(theme, frame, a.body, t),
            Modal::Notice { title, lines } => {
                confirm::render_notice(theme, frame, a.body, title, lines)
            }
            Modal::Receipt { receipt, saved } => {
                confirm::render_receipt(theme, frame, a.body, receipt, saved.as_deref())
            }
        }
    }
}
