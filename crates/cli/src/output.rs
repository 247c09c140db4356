//! Printing: human text (in colour when the terminal takes it) or stable
//! JSON, and the one way every problem is shown.

use std::io::Write;

use anstyle::{AnsiColor, Style};
use clap::ValueEnum;
use interim_policy::violation::Violation;
use serde_json::Value;

/// How answers are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Lines for people, coloured on a terminal.
    Human,
    /// One JSON document, stable for scripts.
    Json,
}

pub const RED: Style = AnsiColor::Red.on_default().bold();
pub const GREEN: Style = AnsiColor::Green.on_default().bold();
pub const DIM: Style = Style::new().dimmed();
pub const BOLD: Style = Style::new().bold();

/// Writes a line to standard output (colour stripped when not a terminal).
pub fn line(text: &str) {
    let mut out = anstream::stdout();
    let _ = writeln!(out, "{text}");
}

/// Writes a line to standard error.
pub fn warn(text: &str) {
    let mut err = anstream::stderr();
    let _ = writeln!(err, "{text}");
}

/// `text` in `style`.
pub fn paint(style: Style, text: &str) -> String {
    format!("{style}{text}{style:#}")
}

/// Prints a JSON document.
pub fn json(value: &Value) {
    line(&serde_json::to_string_pretty(value).unwrap_or_default());
}

/// One problem as a line: `  field  code  message`.
pub fn violation(v: &Violation) -> String {
    let field = if v.field.is_empty() {
        "(whole)"
    } else {
        v.field.as_str()
    };
    format!(
        "  {}  {}  {}",
        paint(BOLD, field),
        paint(DIM, v.code.as_str()),
        v.message
    )
}

/// A usage or I/O error, on standard error; answers the exit code 2.
pub fn error(format: Format, message: &str) -> u8 {
    match format {
        Format::Human => warn(&format!("{} {message}", paint(RED, "error:"))),
        Format::Json => json(&serde_json::json!({ "error": message })),
    }
    crate::ERROR
}
