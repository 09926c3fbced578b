//! Rendering. Commands hand views to a sink; the sink decides how they look: a table on a
//! terminal, JSON or JSON Lines for scripts. Nothing here talks to a broker.

pub(crate) mod check;
pub(crate) mod edit;
pub(crate) mod groups;
pub(crate) mod hint;
mod json;
pub(crate) mod metrics;
pub(crate) mod purge;
pub(crate) mod replay;
pub(crate) mod rewind;
pub(crate) mod serve;
pub(crate) mod stats;
mod table;
pub(crate) mod watch;

use std::io::{self, Write};

use crate::domain::view::EntryView;

/// How results are written: a table (or text) for people, one JSON document, or JSON lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OutputFormat {
    Table,
    Json,
    Jsonl,
}

impl OutputFormat {
    /// The names `-o` and the contexts file take.
    pub(crate) const NAMES: [&'static str; 3] = ["table", "json", "jsonl"];

    pub(crate) fn from_name(name: &str) -> Option<OutputFormat> {
        match name.to_ascii_lowercase().as_str() {
            "table" => Some(OutputFormat::Table),
            "json" => Some(OutputFormat::Json),
            "jsonl" => Some(OutputFormat::Jsonl),
            _ => None,
        }
    }
}

pub(crate) use table::sanitize;

/// Ctrl-C on the terminal, for the runs that stop on it cleanly (`results::Interruption`).
pub(crate) fn ctrl_c() -> crate::results::Interruption {
    Box::pin(async {
        // Where no handler can be installed there is no Ctrl-C to wait for.
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    })
}

/// A warning for the person at the terminal, on stderr: the one way dlq warns.
pub(crate) fn warn(message: &str) {
    eprintln!(
        "{} {message}",
        console::style("dlq: warning:").for_stderr().yellow().bold()
    );
}

/// Each of a result's warnings (`warn`).
pub(crate) fn warn_all(warnings: &[String]) {
    for w in warnings {
        warn(w);
    }
}

/// `--reveal` shows everything: said once, before anything is shown.
pub(crate) fn warn_reveal(reveal: bool) {
    if reveal {
        warn("--reveal prints keys, headers and payloads unredacted; they may hold personal data or secrets");
    }
}

/// After `list`: its warnings, and on a terminal table how many entries were shown of how many
/// read.
pub(crate) fn list_done(format: OutputFormat, s: &crate::results::ListSummary, topic: &str) {
    warn_all(&s.warnings);
    if format != OutputFormat::Table {
        return;
    }
    if s.shown == 0 {
        status(&format!(
            "no entries matched ({} read from {topic})",
            s.read
        ));
    } else {
        status(&format!(
            "{} entries shown ({} read from {topic})",
            s.shown, s.read
        ));
    }
}

/// After `export`: its warnings, and how many entries went where.
pub(crate) fn export_done(n: u64, topic: &str, warnings: &[String], to: Option<&std::path::Path>) {
    warn_all(warnings);
    match to {
        Some(p) => status(&format!(
            "exported {n} entries from {topic} to {}",
            p.display()
        )),
        None => status(&format!("exported {n} entries from {topic}")),
    }
}

/// A status line for people on stderr (counts after a table, where an export went): never
/// part of the output a script reads.
pub(crate) fn status(line: &str) {
    eprintln!("{line}");
}

pub(crate) use crate::results::EntrySink;

/// A sink for `list` in the chosen format. The table sink prints in pages so memory stays
/// bounded; JSON streams an array; JSON Lines writes one object per line.
pub(crate) fn list_sink<'w>(
    format: OutputFormat,
    out: Box<dyn Write + Send + 'w>,
) -> Box<dyn EntrySink + 'w> {
    match format {
        OutputFormat::Table => Box::new(table::TableSink::new(out)),
        OutputFormat::Json => Box::new(JsonArraySink { out, first: true }),
        OutputFormat::Jsonl => Box::new(JsonLinesSink { out }),
    }
}

struct JsonLinesSink<'w> {
    out: Box<dyn Write + Send + 'w>,
}

impl EntrySink for JsonLinesSink<'_> {
    fn entry(&mut self, v: &EntryView) -> io::Result<()> {
        serde_json::to_writer(&mut self.out, &json::EntryJson::from(v))?;
        self.out.write_all(b"\n")
    }
    fn finish(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

struct JsonArraySink<'w> {
    out: Box<dyn Write + Send + 'w>,
    first: bool,
}

impl EntrySink for JsonArraySink<'_> {
    fn entry(&mut self, v: &EntryView) -> io::Result<()> {
        self.out
            .write_all(if self.first { b"[\n" } else { b",\n" })?;
        self.first = false;
        serde_json::to_writer(&mut self.out, &json::EntryJson::from(v))?;
        Ok(())
    }
    fn finish(&mut self) -> io::Result<()> {
        self.out
            .write_all(if self.first { b"[]\n" } else { b"\n]\n" })?;
        self.out.flush()
    }
}

/// Asks a yes/no question on the terminal, defaulting to no. `None` when stdin or stderr is not
/// a terminal: there is nobody to ask, and a destructive command must then refuse.
pub(crate) fn confirm_on_terminal(prompt: &str) -> io::Result<Option<bool>> {
    use std::io::IsTerminal;
    if !io::stdin().is_terminal() || !io::stderr().is_terminal() {
        return Ok(None);
    }
    dialoguer::Confirm::new()
        .with_prompt(prompt)
        .default(false)
        .interact_on(&dialoguer::console::Term::stderr())
        .map(Some)
        .map_err(io::Error::other)
}

/// Prints one entry in full.
pub(crate) fn inspect(format: OutputFormat, v: &EntryView, out: &mut dyn Write) -> io::Result<()> {
    match format {
        OutputFormat::Table => {
            table::inspect(v, out)?;
            out.flush()
        }
        OutputFormat::Json | OutputFormat::Jsonl => {
            json::document(format, out, &json::InspectJson::from(v))
        }
    }
}

/// `{rate}` in a progress template: entries per second as a whole number (`63431/s`, where
/// indicatif's own `{per_sec}` prints `63,431.4599/s`).
pub(crate) fn with_whole_rate(style: indicatif::ProgressStyle) -> indicatif::ProgressStyle {
    style.with_key(
        "rate",
        |s: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
            let _ = write!(w, "{:.0}/s", s.per_sec());
        },
    )
}
