//! Small pieces the screens share: the text input, text measuring, progress bars, and
//! the windowed table every long list is drawn with.

pub mod input;
pub mod table;
pub mod text;

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
