//! Styles. One decision about colour for the whole screen, made once at start (the
//! command line's `--color`, `NO_COLOR` and the terminal): without colour, only bold,
//! reverse and dim remain, so selection and status stay visible on any terminal.

use ratatui::style::{Color, Modifier, Style};

use crate::model::{Status, StepStatus};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    pub color: bool,
}

impl Theme {
    pub fn new(color: bool) -> Self {
        Self { color }
    }

    fn fg(self, c: Color) -> Style {
        if self.color {
            Style::new().fg(c)
        } else {
            Style::new()
        }
    }

    pub fn text(self) -> Style {
        Style::new()
    }

    pub fn dim(self) -> Style {
        Style::new().add_modifier(Modifier::DIM)
    }

    pub fn bold(self) -> Style {
        Style::new().add_modifier(Modifier::BOLD)
    }

    pub fn heading(self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }

    pub fn key(self) -> Style {
        self.fg(Color::Yellow).add_modifier(Modifier::BOLD)
    }

    pub fn tab(self) -> Style {
        Style::new()
    }

    pub fn tab_active(self) -> Style {
        self.fg(Color::Cyan)
            .add_modifier(Modifier::BOLD | Modifier::REVERSED)
    }

    /// The selected row of the focused list.
    pub fn selected(self) -> Style {
        Style::new().add_modifier(Modifier::REVERSED)
    }

    /// The selected row of a list that does not have the focus.
    pub fn selected_unfocused(self) -> Style {
        Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
    }

    pub fn border(self) -> Style {
        self.fg(Color::DarkGray)
    }

    pub fn border_focused(self) -> Style {
        self.fg(Color::Cyan)
    }

    pub fn ok(self) -> Style {
        self.fg(Color::Green)
    }

    pub fn warn(self) -> Style {
        self.fg(Color::Yellow)
    }

    pub fn error(self) -> Style {
        self.fg(Color::Red).add_modifier(Modifier::BOLD)
    }

    pub fn info(self) -> Style {
        self.fg(Color::Cyan)
    }

    pub fn badge(self) -> Style {
        if self.color {
            Style::new()
                .fg(Color::Black)
                .bg(Color::Yellow)
                .add_modifier(Modifier::BOLD)
        } else {
            Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD)
        }
    }

    /// The same colours as `ata2atp check`'s table.
    pub fn status(self, status: Status) -> Style {
        match status {
            Status::Pass => self.fg(Color::Green),
            Status::Warn => self.fg(Color::Yellow),
            Status::Fail => self.fg(Color::Red).add_modifier(Modifier::BOLD),
            Status::Unknown => self.fg(Color::Magenta),
            Status::Manual => self.fg(Color::Cyan),
        }
    }

    pub fn step(self, status: StepStatus) -> Style {
        match status {
            StepStatus::Done => self.fg(Color::Green),
            StepStatus::InProgress => self.fg(Color::Cyan),
            StepStatus::Skipped => self.dim(),
            StepStatus::Blocked => self.fg(Color::Red),
            StepStatus::Todo => Style::new(),
        }
    }

    pub fn gauge_filled(self) -> Style {
        self.fg(Color::Green)
    }

    pub fn gauge_empty(self) -> Style {
        self.fg(Color::DarkGray)
    }
}
