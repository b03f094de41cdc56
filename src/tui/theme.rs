//! Colours, as deep as the terminal says it can show (`TERM`,
//! `COLORTERM`): the 256-colour palette, the 16 basic colours (the Linux
//! console, `vt100`, terminals that name no depth), or none. `NO_COLOR`
//! (any non-empty value) and `TERM=dumb` turn colour off; emphasis then
//! uses bold, reverse and dim only. No truecolor is ever emitted: admins
//! work over SSH in terminals we do not know.

use ratatui::style::{Color, Modifier, Style};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Colors {
    Off,
    /// The 16 basic ANSI colours.
    Basic,
    /// The 256-colour palette.
    Indexed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    pub colors: Colors,
}

/// The console's colours, each as a 256-palette index and a basic colour.
#[derive(Clone, Copy)]
enum Hue {
    Red,
    Green,
    Yellow,
    Blue,
    Grey,
    White,
    Black,
}

impl Theme {
    pub const PLAIN: Theme = Theme {
        colors: Colors::Off,
    };
    pub const INDEXED: Theme = Theme {
        colors: Colors::Indexed,
    };

    pub fn from_env() -> Theme {
        let var = |k: &str| std::env::var(k).ok();
        Theme::for_terminal(
            var("NO_COLOR").as_deref(),
            var("TERM").as_deref(),
            var("COLORTERM").as_deref(),
        )
    }

    /// The colour depth for these variables: `COLORTERM=truecolor` or a
    /// `TERM` naming 256 colours gets the palette, `dumb` none, anything
    /// else (`linux`, `vt100`, `xterm`, unset) the 16 basic colours.
    pub fn for_terminal(
        no_color: Option<&str>,
        term: Option<&str>,
        colorterm: Option<&str>,
    ) -> Theme {
        let term = term.unwrap_or_default();
        let colors = if no_color.is_some_and(|v| !v.is_empty()) || term == "dumb" {
            Colors::Off
        } else if matches!(colorterm, Some("truecolor" | "24bit"))
            || term.contains("256color")
            || term.contains("truecolor")
            || term.contains("direct")
        {
            Colors::Indexed
        } else {
            Colors::Basic
        };
        Theme { colors }
    }

    fn color(&self) -> bool {
        self.colors != Colors::Off
    }

    fn hue(&self, h: Hue) -> Color {
        let (index, basic) = match h {
            Hue::Red => (160, Color::Red),
            Hue::Green => (34, Color::Green),
            Hue::Yellow => (178, Color::Yellow),
            Hue::Blue => (33, Color::Blue),
            Hue::Grey => (244, Color::DarkGray),
            Hue::White => (231, Color::White),
            Hue::Black => (16, Color::Black),
        };
        match self.colors {
            Colors::Indexed => Color::Indexed(index),
            _ => basic,
        }
    }

    fn pick(&self, colored: Style, plain: Style) -> Style {
        if self.color() {
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
                    .fg(self.hue(Hue::White))
                    .bg(self.hue(Hue::Blue))
                    .add_modifier(Modifier::BOLD),
                Style::default().add_modifier(Modifier::REVERSED | Modifier::BOLD),
            )
        } else {
            Style::default()
        }
    }

    pub fn border(&self, focused: bool) -> Style {
        match (focused, self.color()) {
            (true, true) => Style::default().fg(self.hue(Hue::Blue)),
            (true, false) => Style::default().add_modifier(Modifier::BOLD),
            (false, true) => Style::default().fg(self.hue(Hue::Grey)),
            (false, false) => Style::default(),
        }
    }

    pub fn selected(&self) -> Style {
        match self.colors {
            Colors::Indexed => Style::default()
                .bg(Color::Indexed(236))
                .add_modifier(Modifier::BOLD),
            // Sixteen colours have no dark grey background that every
            // terminal draws readably.
            _ => Style::default().add_modifier(Modifier::REVERSED),
        }
    }

    pub fn dim(&self) -> Style {
        self.pick(
            Style::default().fg(self.hue(Hue::Grey)),
            Style::default().add_modifier(Modifier::DIM),
        )
    }

    pub fn key(&self) -> Style {
        self.pick(
            Style::default()
                .fg(self.hue(Hue::Blue))
                .add_modifier(Modifier::BOLD),
            self.title(),
        )
    }

    pub fn error(&self) -> Style {
        self.pick(
            Style::default()
                .fg(self.hue(Hue::Red))
                .add_modifier(Modifier::BOLD),
            self.title(),
        )
    }

    pub fn ok(&self) -> Style {
        self.pick(Style::default().fg(self.hue(Hue::Green)), Style::default())
    }

    pub fn warn(&self) -> Style {
        self.pick(
            Style::default()
                .fg(self.hue(Hue::Yellow))
                .add_modifier(Modifier::BOLD),
            self.title(),
        )
    }

    pub fn banner(&self) -> Style {
        self.pick(
            Style::default()
                .fg(self.hue(Hue::Black))
                .bg(self.hue(Hue::Yellow))
                .add_modifier(Modifier::BOLD),
            Style::default().add_modifier(Modifier::REVERSED | Modifier::BOLD),
        )
    }

    pub fn badge(&self, status: &str) -> Style {
        let color = self.hue(if status == "OPEN" {
            Hue::Red
        } else {
            Hue::Yellow
        });
        self.pick(
            Style::default().fg(color).add_modifier(Modifier::BOLD),
            Style::default().add_modifier(Modifier::BOLD),
        )
    }

    pub fn tombstone(&self) -> Style {
        self.dim().add_modifier(Modifier::ITALIC)
    }

    pub fn danger_button(&self, focused: bool) -> Style {
        match (focused, self.color()) {
            (true, true) => Style::default()
                .fg(self.hue(Hue::White))
                .bg(self.hue(Hue::Red))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_depth_follows_the_terminal() {
        let depth =
            |n: Option<&str>, t: Option<&str>, c: Option<&str>| Theme::for_terminal(n, t, c).colors;
        assert_eq!(depth(None, Some("xterm-256color"), None), Colors::Indexed);
        assert_eq!(
            depth(None, Some("xterm"), Some("truecolor")),
            Colors::Indexed
        );
        assert_eq!(depth(None, Some("linux"), None), Colors::Basic);
        assert_eq!(depth(None, Some("vt100"), None), Colors::Basic);
        assert_eq!(depth(None, None, None), Colors::Basic);
        assert_eq!(depth(None, Some("dumb"), None), Colors::Off);
        assert_eq!(depth(Some("1"), Some("xterm-256color"), None), Colors::Off);
        assert_eq!(depth(Some(""), Some("linux"), None), Colors::Basic);
    }

    #[test]
    fn sixteen_colours_use_no_palette_index() {
        let t = Theme {
            colors: Colors::Basic,
        };
        let styles = [
            t.tab(true),
            t.border(true),
            t.border(false),
            t.selected(),
            t.dim(),
            t.key(),
            t.error(),
            t.ok(),
            t.warn(),
            t.banner(),
            t.badge("OPEN"),
            t.danger_button(true),
        ];
        for s in styles {
            for c in [s.fg, s.bg].into_iter().flatten() {
                assert!(!matches!(c, Color::Indexed(_) | Color::Rgb(..)), "{s:?}");
            }
        }
        assert!(styles.iter().any(|s| s.fg.is_some()), "no colour at all");
    }
}
