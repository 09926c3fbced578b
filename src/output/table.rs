//! Human output: the `list` table and the `inspect` report. Every string from a broker passes
//! through [`sanitize`] first, so a dead letter cannot move the cursor or recolour a terminal.

use std::io::{self, Write};

use comfy_table::{presets, Cell, ColumnConstraint, ContentArrangement, Row, Table};

use super::EntrySink;
use crate::domain::view::{Data, EntryView, OriginalView};

/// Rows per printed table: the table is built in pages so a large DLQ streams.
const PAGE: usize = 200;
const ERROR_WIDTH: usize = 70;
const KEY_WIDTH: usize = 24;

/// Control characters (escape sequences, carriage returns, …) shown escaped, never executed.
pub(crate) fn sanitize(s: &str) -> String {
    if !s.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return s.to_string();
    }
    s.chars()
        .map(|c| {
            if c.is_control() && c != '\n' && c != '\t' {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// One line, at most `max` characters, sanitised.
fn one_line(s: &str, max: usize) -> String {
    let flat: String = sanitize(s).split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= max {
        flat
    } else {
        flat.chars().take(max - 1).chain(['…']).collect()
    }
}

fn or_dash<T: ToString>(v: Option<T>) -> String {
    v.map_or_else(|| "-".to_string(), |v| v.to_string())
}

fn short_class(class: &str) -> &str {
    class.rsplit(['.', '$']).next().unwrap_or(class)
}

fn data_line(d: &Data, max: usize) -> String {
    match d {
        Data::Text(t) => one_line(t, max),
        Data::Json(v) => one_line(&v.to_string(), max),
        Data::Bytes(b) => format!("<{} bytes>", b.len()),
        Data::Binary { size, .. } => format!("<{size} bytes>"),
    }
}

fn origin_position(v: &EntryView) -> String {
    match (
        &v.context.origin_message_id,
        v.context.origin_partition,
        v.context.origin_offset,
    ) {
        (Some(id), _, _) => id.clone(),
        (None, Some(p), Some(o)) => format!("{p}:{o}"),
        (None, Some(p), None) => format!("{p}:?"),
        (None, None, Some(o)) => format!("?:{o}"),
        (None, None, None) => "-".into(),
    }
}

fn error_line(v: &EntryView) -> String {
    let text = match (&v.context.error_class, &v.context.error_message) {
        (Some(c), Some(m)) => format!("{}: {m}", short_class(c)),
        (Some(c), None) => short_class(c).to_string(),
        (None, Some(m)) => m.clone(),
        (None, None) => "-".into(),
    };
    one_line(&text, ERROR_WIDTH)
}

pub(super) struct TableSink<'w> {
    out: Box<dyn Write + Send + 'w>,
    table: Option<Table>,
    rows: usize,
}

impl<'w> TableSink<'w> {
    pub(super) fn new(out: Box<dyn Write + Send + 'w>) -> Self {
        TableSink {
            out,
            table: None,
            rows: 0,
        }
    }

    fn new_table() -> Table {
        let mut t = Table::new();
        t.load_preset(presets::NOTHING)
            .set_content_arrangement(ContentArrangement::Dynamic)
            .set_truncation_indicator("…")
            .set_header([
                "ID",
                "TIME (UTC)",
                "ORIGIN",
                "ORIGIN POS",
                "ERROR",
                "RETRIES",
                "KEY",
                "SIZE",
            ]);
        // Ids, times and numbers are never cut; origin, error and key give way on a narrow terminal.
        for i in [0, 1, 3, 5, 7] {
            if let Some(c) = t.column_mut(i) {
                c.set_constraint(ColumnConstraint::ContentWidth);
            }
        }
        t
    }

    fn flush_page(&mut self) -> io::Result<()> {
        if let Some(t) = self.table.take() {
            writeln!(self.out, "{t}")?;
        }
        self.rows = 0;
        Ok(())
    }
}

impl EntrySink for TableSink<'_> {
    fn entry(&mut self, v: &EntryView) -> io::Result<()> {
        let t = self.table.get_or_insert_with(Self::new_table);
        let time = v
            .timestamp
            .map(|t| t.strftime("%Y-%m-%d %H:%M:%S").to_string())
            .unwrap_or_else(|| "-".into());
        let mut row = Row::from([
            Cell::new(&v.id),
            Cell::new(time),
            Cell::new(
                v.context
                    .origin_topic
                    .as_deref()
                    .map_or("-".into(), |o| one_line(o, 40)),
            ),
            Cell::new(origin_position(v)),
            Cell::new(error_line(v)),
            Cell::new(or_dash(v.context.retry_count)),
            Cell::new(
                v.key
                    .as_ref()
                    .map_or("-".into(), |k| data_line(k, KEY_WIDTH)),
            ),
            Cell::new(if v.headers_only {
                "headers only".to_string()
            } else {
                v.size_bytes.to_string()
            }),
        ]);
        // One line per entry: a narrow terminal cuts the error text rather than wrapping it.
        row.max_height(1);
        t.add_row(row);
        self.rows += 1;
        if self.rows >= PAGE {
            self.flush_page()?;
        }
        Ok(())
    }

    fn finish(&mut self) -> io::Result<()> {
        self.flush_page()?;
        self.out.flush()
    }
}

/// The full report for one entry.
pub(super) fn inspect(v: &EntryView, out: &mut dyn Write) -> io::Result<()> {
    let mut field = |name: &str, value: String| writeln!(out, "{name:<18}{value}");
    field("Entry", format!("{} in {}", v.id, sanitize(&v.topic)))?;
    field("Time", or_dash(v.timestamp))?;
    field(
        "Key",
        v.key.as_ref().map_or("-".into(), |k| data_line(k, 200)),
    )?;
    field(
        "Convention",
        v.context
            .convention
            .clone()
            .unwrap_or_else(|| "none recognised".into()),
    )?;
    field(
        "Origin topic",
        or_dash(v.context.origin_topic.as_deref().map(sanitize)),
    )?;
    field("Origin partition", or_dash(v.context.origin_partition))?;
    field("Origin offset", or_dash(v.context.origin_offset))?;
    if v.message_id.is_some() || v.context.origin_message_id.is_some() {
        field(
            "Origin message id",
            or_dash(v.context.origin_message_id.as_deref().map(sanitize)),
        )?;
    }
    field(
        "Consumer group",
        or_dash(v.context.consumer_group.as_deref().map(sanitize)),
    )?;
    field("Retry count", or_dash(v.context.retry_count))?;
    field("Failed at", or_dash(v.context.failed_at))?;
    field(
        "Error class",
        or_dash(v.context.error_class.as_deref().map(sanitize)),
    )?;
    field(
        "Error message",
        or_dash(v.context.error_message.as_deref().map(sanitize)),
    )?;
    if v.headers_only {
        field(
            "Size",
            "headers only: the broker kept the message in the origin".into(),
        )?;
    } else {
        field("Size", format!("{} bytes", v.size_bytes))?;
    }
    field("Fingerprint", v.fingerprint.clone())?;
    if let Some(root) = &v.root_cause {
        field("Root cause", sanitize(root))?;
    }
    match &v.original {
        Some(OriginalView::Fetched {
            topic,
            partition,
            offset,
            ..
        }) => field(
            "Message from",
            format!(
                "the origin, {} {}:{} (key and payload below are the original's)",
                sanitize(topic),
                or_dash(*partition),
                or_dash(*offset)
            ),
        )?,
        Some(OriginalView::Missing(why)) => field("Original", sanitize(why))?,
        None => {}
    }
    if !v.redacted_fields.is_empty() {
        field("Redacted", v.redacted_fields.join(", "))?;
    }
    if let Some(schema) = &v.payload_schema {
        field("Schema", sanitize(schema))?;
    }
    for e in &v.decode_errors {
        field("Decode error", sanitize(e))?;
    }
    for note in &v.context.notes {
        field("Note", sanitize(note))?;
    }

    writeln!(out, "\nHeaders ({}):", v.headers.len())?;
    for h in &v.headers {
        let value = match &h.value {
            None => "(null)".to_string(),
            Some(Data::Bytes(b)) => format!(
                "0x{}",
                b.iter().map(|b| format!("{b:02x}")).collect::<String>()
            ),
            Some(d) => data_line(d, 200),
        };
        writeln!(out, "  {}: {value}", sanitize(&h.name))?;
    }

    if let Some(OriginalView::Fetched {
        headers, timestamp, ..
    }) = &v.original
    {
        writeln!(
            out,
            "\nOriginal's headers ({}, written {}):",
            headers.len(),
            or_dash(*timestamp)
        )?;
        for h in headers {
            let value = match &h.value {
                None => "(null)".to_string(),
                Some(d) => data_line(d, 200),
            };
            writeln!(out, "  {}: {value}", sanitize(&h.name))?;
        }
    }

    if let Some(st) = &v.context.stacktrace {
        writeln!(out, "\nStack trace:")?;
        for line in sanitize(st).lines() {
            writeln!(out, "  {line}")?;
        }
    }

    match &v.payload {
        None => writeln!(out, "\nPayload: (null)")?,
        Some(Data::Json(j)) => {
            match v.payload_encoding {
                Some("json") | None => writeln!(out, "\nPayload (JSON):")?,
                Some(enc) => writeln!(out, "\nPayload ({enc}, shown as JSON):")?,
            }
            let pretty = serde_json::to_string_pretty(j).unwrap_or_default();
            for line in sanitize(&pretty).lines() {
                writeln!(out, "  {line}")?;
            }
        }
        Some(Data::Text(t)) => {
            writeln!(out, "\nPayload (text):")?;
            for line in sanitize(t).lines() {
                writeln!(out, "  {line}")?;
            }
        }
        Some(Data::Bytes(b)) => {
            writeln!(out, "\nPayload (binary, {} bytes, base64):", b.len())?;
            use base64::Engine as _;
            writeln!(
                out,
                "  {}",
                base64::engine::general_purpose::STANDARD.encode(b)
            )?;
        }
        Some(Data::Binary {
            size,
            sha256,
            preview_hex,
        }) => {
            writeln!(
                out,
                "\nPayload (binary, {size} bytes, not shown; --reveal shows it):"
            )?;
            writeln!(out, "  sha256  {sha256}")?;
            writeln!(
                out,
                "  first {} bytes  {preview_hex}",
                preview_hex.len() / 2
            )?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_sequences_are_shown_not_run() {
        assert_eq!(sanitize("ok\x1b[31mred\r"), "ok\\u{1b}[31mred\\r");
        assert_eq!(sanitize("line1\nline2\tx"), "line1\nline2\tx");
        assert_eq!(one_line("a\n  b", 10), "a b");
        assert_eq!(one_line("abcdefghijkl", 5), "abcd…");
    }
}
