//! Small pieces the screens and the frame share: the text input, text measuring, progress
//! bars, the windowed table every long list is drawn with, the bordered pane, the spinner
//! Widgets read the theme, never the app's state or its update logic.

pub mod input;
pub mod table;
pub mod text;

use ratatui::text::Line;
use ratatui::widgets::Block;

use super::theme::Theme;

/// A progress bar of `width` cells, `ratio` of it filled.
pub fn bar(ratio: f64, width: usize) -> (String, String) {
    let ratio = if ratio.is_finite() {
        ratio.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let filled = (ratio * width as f64).round() as usize;
    ("█".repeat(filled), "░".repeat(width.saturating_sub(filled)))
}

/// A bordered block titled `title`, highlighted when it has the focus.
pub fn pane<'a>(theme: &Theme, title: impl Into<Line<'a>>, focused: bool) -> Block<'a> {
    Block::bordered().title(title).border_style(if focused {
        theme.border_focused()
    } else {
        theme.border()
    })
}

/// The frame of the spinner shown while a run is active, advanced by ticks.
pub fn spinner(n: usize) -> &'static str {
    const FRAMES: [&str; 8] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧"];
    FRAMES[n % FRAMES.len()]
}
