//! Shared widgets: dialogs, popups, the header and the status bar. Each
//! takes the data it draws and a theme, and imports no screen.

pub mod confirm;
pub mod popup;
pub mod status_bar;
pub mod tabs;

/// The first row of a list to draw in `height` rows so the selected row is
/// in view: the list scrolls once the selection passes the last line.
pub fn first_visible(selected: usize, height: usize) -> usize {
    selected.saturating_sub(height.saturating_sub(1))
}

#[cfg(test)]
mod first_visible_tests {
    use super::first_visible;

    #[test]
    fn the_list_scrolls_once_the_selection_passes_the_last_line() {
        assert_eq!(first_visible(0, 5), 0);
        assert_eq!(first_visible(4, 5), 0);
        assert_eq!(first_visible(5, 5), 1);
        assert_eq!(first_visible(3, 0), 3);
    }
}
