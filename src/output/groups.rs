//! How `groups` looks: a table on a terminal, one JSON document (an array) for scripts. Error
//! classes and message templates are redacted like `list`'s error texts unless `--reveal`.

use std::io::{self, Write};

use comfy_table::{presets::UTF8_FULL_CONDENSED, Cell, CellAlignment, ContentArrangement, Table};
use serde::Serialize;

use super::sanitize;
use super::OutputFormat;
use crate::domain::groups::Group;
use crate::domain::redact::Masked;
use crate::domain::view::Showing;
use crate::results::groups::GroupsResult;

/// One `groups -o json` row (pinned in tests/cli/json_contract.rs).
#[derive(Serialize)]
struct GroupJson {
    fingerprint: String,
    count: u64,
    /// Of the entries the selection kept, 0 to 1.
    share: f64,
    first_seen: Option<String>,
    last_seen: Option<String>,
    /// The root cause's class.
    error_class: Option<String>,
    /// The class that wrapped the root cause, where one did.
    wrapper: Option<String>,
    template: String,
    origin_topics: Vec<String>,
    retry_count_min: Option<i64>,
    retry_count_max: Option<i64>,
    refailed: u64,
    example_id: String,
}

fn shown(text: &str, path: &str, showing: &Showing) -> String {
    if showing.reveal {
        text.to_string()
    } else {
        let mut masked = Masked::default();
        showing
            .recall
            .redact_text(&showing.redactor, text, path, &mut masked)
            .into_owned()
    }
}

fn row(g: &Group, entries: u64, showing: &Showing) -> GroupJson {
    GroupJson {
        fingerprint: g.fingerprint.clone(),
        count: g.count,
        share: if entries == 0 {
            0.0
        } else {
            g.count as f64 / entries as f64
        },
        first_seen: g.first_seen.map(|t| t.to_string()),
        last_seen: g.last_seen.map(|t| t.to_string()),
        error_class: g
            .error_class
            .as_deref()
            .map(|c| shown(c, "error_class", showing)),
        wrapper: g
            .wrapper
            .as_deref()
            .map(|c| shown(c, "error_class", showing)),
        template: shown(&g.template, "error_message", showing),
        origin_topics: g.origin_topics.iter().cloned().collect(),
        retry_count_min: g.retry_min,
        retry_count_max: g.retry_max,
        refailed: g.refailed,
        example_id: g.example.to_string(),
    }
}

pub(crate) fn groups(
    format: OutputFormat,
    topic: &str,
    r: &GroupsResult,
    showing: &Showing,
    out: &mut dyn Write,
) -> io::Result<()> {
    let rows: Vec<GroupJson> = r
        .groups
        .iter()
        .map(|g| row(g, r.entries, showing))
        .collect();
    match format {
        OutputFormat::Json | OutputFormat::Jsonl => super::json::records(format, out, &rows),
        OutputFormat::Table => {
            writeln!(
                out,
                "{}: {} entries in {} failure group{} ({} read)",
                sanitize(topic),
                r.entries,
                rows.len(),
                if rows.len() == 1 { "" } else { "s" },
                r.read
            )?;
            if rows.is_empty() {
                return Ok(());
            }
            let mut t = Table::new();
            t.load_preset(UTF8_FULL_CONDENSED)
                .set_content_arrangement(ContentArrangement::Dynamic)
                .set_header(vec![
                    "Fingerprint",
                    "Entries",
                    "Share",
                    "First seen (UTC)",
                    "Last seen (UTC)",
                    "Root cause",
                    "Message",
                    "Origin",
                    "Retries",
                    "Refailed",
                    "Example",
                ]);
            let time = |t: &Option<String>| {
                t.as_deref().map_or("-".to_string(), |t| {
                    t.replace('T', " ").chars().take(19).collect::<String>()
                })
            };
            for g in &rows {
                let class = match (&g.error_class, &g.wrapper) {
                    (Some(c), Some(w)) => format!("{} (in {})", short(c), short(w)),
                    (Some(c), None) => short(c).to_string(),
                    (None, _) => "-".into(),
                };
                let retries = match (g.retry_count_min, g.retry_count_max) {
                    (Some(a), Some(b)) if a == b => a.to_string(),
                    (Some(a), Some(b)) => format!("{a}–{b}"),
                    _ => "-".into(),
                };
                t.add_row(vec![
                    Cell::new(&g.fingerprint),
                    Cell::new(g.count).set_alignment(CellAlignment::Right),
                    Cell::new(format!("{:.1}%", g.share * 100.0))
                        .set_alignment(CellAlignment::Right),
                    Cell::new(time(&g.first_seen)),
                    Cell::new(time(&g.last_seen)),
                    Cell::new(sanitize(&class)),
                    Cell::new(sanitize(&g.template)),
                    Cell::new(sanitize(&g.origin_topics.join(", "))),
                    Cell::new(retries),
                    Cell::new(g.refailed).set_alignment(CellAlignment::Right),
                    Cell::new(&g.example_id),
                ]);
            }
            writeln!(out, "{t}")?;
            if let Some(first) = rows
                .iter()
                .find(|g| g.fingerprint != crate::domain::groups::OTHER)
            {
                writeln!(
                    out,
                    "The entries of one failure (then replay, purge or export with the same --fingerprint):\n  {}",
                    super::hint::list_group(&super::hint::this_command(), topic, &first.fingerprint)
                )?;
            }
            Ok(())
        }
    }
}

/// `java.lang.IllegalStateException` → `IllegalStateException`.
fn short(class: &str) -> &str {
    class.rsplit(['.', '/']).next().unwrap_or(class)
}
