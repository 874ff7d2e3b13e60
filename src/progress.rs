//! Progress bars for long work (a build of many pages, a send to many people): shown
//! only on a terminal, and never when the output is piped or `--quiet`.

use std::io::IsTerminal as _;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Below this many steps, work is quick enough to need no bar.
pub const MIN_STEPS: usize = 300;

/// A bar for `total` steps of `what` (e.g. "writing"), or `None` when it should not
/// show: not wanted, too short, or stderr is not a terminal.
pub fn bar(wanted: bool, total: usize, what: &str) -> Option<ProgressBar> {
    if !wanted || total < MIN_STEPS || !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::stderr());
    let style = ProgressStyle::with_template("{msg:>8} [{bar:40}] {pos}/{len} ({eta} left)")
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ");
    bar.set_style(style);
    bar.set_message(what.to_string());
    Some(bar)
}
