//! What dlq writes to stderr for people: colour, logs, and the error line main prints.

use std::io::IsTerminal;

use crate::cli::ColorChoice;

/// Whether stderr gets colour: `--color`, then NO_COLOR (any value), then a terminal check.
pub(crate) fn colour_on(choice: ColorChoice) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::io::stderr().is_terminal()
        }
    }
}

/// Sets up colour for prompts and progress bars, and logging for `-v`/`-vv`.
pub(crate) fn init(choice: ColorChoice, verbose: u8) {
    let colour = colour_on(choice);
    console::set_colors_enabled(colour);
    console::set_colors_enabled_stderr(colour);
    let level = match verbose {
        0 => return,
        1 => tracing::Level::INFO,
        _ => tracing::Level::DEBUG,
    };
    let _ = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_max_level(level)
        .with_ansi(colour)
        .with_target(false)
        .try_init();
}

/// The line main prints for an error.
pub(crate) fn error_line(message: &str) -> String {
    format!(
        "{} {message}",
        console::style("dlq: error:").for_stderr().red().bold()
    )
}
