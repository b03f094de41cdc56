//! Colours: the 256-colour palette or none at all. `NO_COLOR` (any
//! non-empty value) turns colour off; emphasis then uses bold, reverse and
//! dim only. No truecolor is ever emitted: admins work over SSH in
//! terminals we do not know.

use ratatui::style::{Color, Modifier, Style};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    pub color: bool,
}

const RED: Color = Color::Indexed(160);
const GREEN: Color = Color::Indexed(34);
const YELLOW: Color = Color::Indexed(178);
const BLUE: Color = Color::Indexed(33);
const GREY: Color = Color::Indexed(244);
const DARK: Color = Color::Indexed(236);

impl Theme {
    pub fn from_env() -> Theme {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Theme { color: !no_color }
    }

    fn pick(&self, colored: Style, plain: Style) -> Style {
        if self.color {
            colored
        } else {
            plain
        }
    }

    pub fn base(&self) -> Style {
        Style::default()
    }

    pub fn title(&self) -> Style {
        Style::default().add_modifier(Modifier::BOLD)
    }

    pub fn tab(&self, active: bool) -> Style {
        if active {
            self.pick(
                Style::default()
                    .fg(Color::Indexed(231))
                    .bg(BLUE)
                    .add_modifier(Modifier::BOLD),
                Style::default().add_modifier(Modifier::REVERSED | Modifier::BOLD),
            )
        } else {
            Style::default()
        }
    }

    pub fn border(&self, focused: bool) -> Style {
        match (focused, self.color) {
            (true, true) => Style::default().fg(BLUE),
            (true, false) => Style::default().add_modifier(Modifier::BOLD),
            (false, true) => Style::default().fg(GREY),
            (false, false) => Style::default(),
        }
    }

    pub fn selected(&self) -> Style {
        self.pick(
            Style::default().bg(DARK).add_modifier(Modifier::BOLD),
            Style::default().add_modifier(Modifier::REVERSED),
        )
    }

    pub fn dim(&self) -> Style {
        self.pick(
            Style::default().fg(GREY),
            Style::default().add_modifier(Modifier::DIM),
        )
    }

    pub fn key(&self) -> Style {
        self.pick(
            Style::default().fg(BLUE).add_modifier(Modifier::BOLD),
            self.title(),
        )
    }

    pub fn error(&self) -> Style {
        self.pick(
            Style::default().fg(RED).add_modifier(Modifier::BOLD),
            self.title(),
        )
    }

    pub fn ok(&self) -> Style {
        self.pick(Style::default().fg(GREEN), Style::default())
    }

    pub fn warn(&self) -> Style {
        self.pick(
            Style::default().fg(YELLOW).add_modifier(Modifier::BOLD),
            self.title(),
        )
    }

    pub fn banner(&self) -> Style {
        self.pick(
            Style::default()
                .fg(Color::Indexed(16))
                .bg(YELLOW)
                .add_modifier(Modifier::BOLD),
            Style::default().add_modifier(Modifier::REVERSED | Modifier::BOLD),
        )
    }

    pub fn badge(&self, status: &str) -> Style {
        let color = if status == "OPEN" { RED } else { YELLOW };
        self.pick(
            Style::default().fg(color).add_modifier(Modifier::BOLD),
            Style::default().add_modifier(Modifier::BOLD),
        )
    }

    pub fn tombstone(&self) -> Style {
        self.dim().add_modifier(Modifier::ITALIC)
    }

    pub fn danger_button(&self, focused: bool) -> Style {
        match (focused, self.color) {
            (true, true) => Style::default()
                .fg(Color::Indexed(231))
                .bg(RED)
                .add_modifier(Modifier::BOLD),
            (true, false) => Style::default().add_modifier(Modifier::REVERSED | Modifier::BOLD),
            (false, _) => Style::default(),
        }
    }

    pub fn button(&self, focused: bool) -> Style {
        if focused {
            Style::default().add_modifier(Modifier::REVERSED | Modifier::BOLD)
        } else {
            Style::default()
        }
    }
}
