//! How `check` looks: one line a DLQ (OK or the thresholds crossed), or one JSON document.

use std::io::{self, Write};

use jiff::Timestamp;
use serde::Serialize;

use super::sanitize;
use super::OutputFormat;
use crate::results::check::Verdict;

#[derive(Serialize)]
struct VerdictJson<'a> {
    topic: &'a str,
    ok: bool,
    entries: u64,
    oldest: Option<String>,
    oldest_age_seconds: Option<i64>,
    entries_last_minute: u64,
    exceeded: &'a [String],
}

pub(crate) fn verdicts(
    format: OutputFormat,
    verdicts: &[Verdict],
    now: Timestamp,
    out: &mut dyn Write,
) -> io::Result<()> {
    let docs: Vec<VerdictJson> = verdicts
        .iter()
        .map(|v| VerdictJson {
            topic: &v.topic,
            ok: v.exceeded.is_empty(),
            entries: v.entries,
            oldest: v.oldest.map(|t| t.to_string()),
            oldest_age_seconds: v.oldest.map(|t| now.duration_since(t).as_secs()),
            entries_last_minute: v.per_minute,
            exceeded: &v.exceeded,
        })
        .collect();
    match format {
        OutputFormat::Json | OutputFormat::Jsonl => super::json::records(format, out, &docs),
        OutputFormat::Table => {
            for d in &docs {
                let age = d.oldest_age_seconds.map_or("-".into(), |s| format!("{s}s"));
                if d.ok {
                    writeln!(
                        out,
                        "OK    {}: {} entries, oldest {age} old, {} in the last minute",
                        sanitize(d.topic),
                        d.entries,
                        d.entries_last_minute
                    )?;
                } else {
                    writeln!(
                        out,
                        "FAIL  {}: {}",
                        sanitize(d.topic),
                        d.exceeded.join("; ")
                    )?;
                }
            }
            Ok(())
        }
    }
}
