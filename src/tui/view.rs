//! `render`: draws the whole console from the state and changes nothing.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::Frame;

use super::app::{App, Modal, Tab};
use super::screens;
use super::widgets::{confirm, status_bar, tabs};

pub struct Areas {
    pub header: Rect,
    pub banner: Option<Rect>,
    pub body: Rect,
    pub status: Rect,
}

pub fn areas(app: &App, area: Rect) -> Areas {
    let banner_h = u16::from(app.read_only());
    let [header, banner, body, status] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(banner_h),
        Constraint::Min(0),
        Constraint::Length(1),
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
    let a = areas(app, frame.area());
    tabs::render_header(&app.theme, frame, a.header, app.tab, &app.actor);
    if let Some(b) = a.banner {
        tabs::render_banner(&app.theme, frame, b, &app.actor);
    }
    match app.tab {
        Tab::Customers => screens::customers::view::render(app, frame, a.body),
        Tab::Audit => screens::audit::render(app, frame, a.body),
        Tab::Retention => screens::retention::render(app, frame, a.body),
        Tab::Requests => screens::requests::render(app, frame, a.body),
        Tab::Triage => screens::triage::render(app, frame, a.body),
    }
    let hints = super::keymap::hints(app.context(), |p| app.actor.can(p));
    status_bar::render(&app.theme, frame, a.status, app.status.as_ref(), hints);
    for m in &app.modals {
        match m {
            Modal::Help { scroll } => screens::help::render(app, frame, a.body, *scroll),
            Modal::Item { row, scroll } => {
                screens::customers::item_popup::render(app, frame, a.body, *row, *scroll)
            }
            Modal::Menu(menu) => confirm::render_menu(&app.theme, frame, a.body, menu),
            Modal::Confirm(c) => confirm::render_confirm(&app.theme, frame, a.body, c),
            Modal::TypedConfirm(t) => confirm::render_typed_confirm(&app.theme, frame, a.body, t),
            Modal::Notice { title, lines } => {
                confirm::render_notice(&app.theme, frame, a.body, title, lines)
            }
            Modal::Receipt { receipt, saved } => {
                confirm::render_receipt(&app.theme, frame, a.body, receipt, saved.as_deref())
            }
        }
    }
}
