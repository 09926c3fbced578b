//! How `stats` and `topics` look: tables on a terminal, one JSON document for scripts.

use std::io::{self, IsTerminal, Write};

use comfy_table::{presets::UTF8_FULL_CONDENSED, Cell, CellAlignment, Table};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use jiff::Timestamp;
use serde::Serialize;

use super::sanitize;
use super::OutputFormat;
use crate::domain::stats::{Counts, Dated};
use crate::results::stats::DlqTopic;
use crate::results::stats::StatsResult;

#[derive(Serialize)]
struct CountJson {
    /// `null` when unknown.
    value: Option<String>,
    count: u64,
}

#[derive(Serialize)]
struct DatedJson {
    id: String,
    timestamp: String,
    age_seconds: i64,
}

#[derive(Serialize)]
struct StatsJson<'a> {
    topic: &'a str,
    entries: u64,
    read: u64,
    bytes: u64,
    oldest: Option<DatedJson>,
    newest: Option<DatedJson>,
    by_error_class: Vec<CountJson>,
    by_origin_topic: Vec<CountJson>,
    by_convention: Vec<CountJson>,
    by_partition: Vec<CountJson>,
    by_retry_count: Vec<CountJson>,
    /// The chart: entries per bucket of `arrival_bucket_seconds`, from the first arrival's to
    /// the last's, empty buckets included.
    arrival_bucket_seconds: i64,
    arrivals: Vec<ArrivalJson>,
    /// `--chart-failures N`: the N most frequent failures' arrivals over the same range.
    #[serde(skip_serializing_if = "Option::is_none")]
    arrivals_by_failure: Option<Vec<FailureArrivalsJson>>,
}

#[derive(Serialize)]
struct FailureArrivalsJson {
    fingerprint: String,
    count: u64,
    /// The bucket size: the chart's, or coarser where this failure's arrivals were counted
    /// coarser (a long history).
    bucket_seconds: i64,
    /// `null` for a failure past the first 200 distinct ones (not counted by time).
    arrivals: Option<Vec<ArrivalJson>>,
}

#[derive(Serialize)]
struct ArrivalJson {
    start: String,
    count: u64,
}

fn arrivals_json(buckets: Vec<(Timestamp, u64)>) -> Vec<ArrivalJson> {
    buckets
        .into_iter()
        .map(|(start, count)| ArrivalJson {
            start: start.to_string(),
            count,
        })
        .collect()
}

/// The most frequent failures' arrivals, on the whole chart's time axis.
fn failure_arrivals(r: &StatsResult) -> Option<Vec<FailureArrivalsJson>> {
    let per = r.stats.failure_arrivals.as_ref()?;
    let range = r.stats.arrivals.range();
    let rows = r
        .stats
        .by_fingerprint
        .sorted()
        .into_iter()
        .filter_map(|(fp, count)| Some((fp?, count)))
        .filter(|(fp, _)| fp != crate::domain::stats::OTHER)
        .take(r.chart_failures)
        .map(|(fingerprint, count)| {
            let a = per.get(&fingerprint);
            let slot = a.map_or(60, |a| a.slot());
            // A multiple of the failure's own slot, at least the chart's bucket.
            let bucket = (r.arrival_bucket + slot - 1) / slot * slot;
            FailureArrivalsJson {
                arrivals: a
                    .zip(range)
                    .map(|(a, (first, last))| arrivals_json(a.buckets_over(bucket, first, last))),
                fingerprint,
                count,
                bucket_seconds: bucket,
            }
        })
        .collect();
    Some(rows)
}

fn counts(c: &Counts) -> Vec<CountJson> {
    c.sorted()
        .into_iter()
        .map(|(value, count)| CountJson { value, count })
        .collect()
}

fn dated(d: &Option<Dated>, now: Timestamp) -> Option<DatedJson> {
    d.as_ref().map(|d| DatedJson {
        id: d.id.clone(),
        timestamp: d.timestamp.to_string(),
        age_seconds: now.duration_since(d.timestamp).as_secs(),
    })
}

/// A progress spinner on stderr when it is a terminal: how many entries were read.
pub(crate) fn progress() -> impl FnMut(u64) + Send {
    let bar = io::stderr().is_terminal().then(|| {
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        bar.set_style(super::with_whole_rate(
            ProgressStyle::with_template("{spinner} {pos} entries read ({rate})")
                .expect("template"),
        ));
        bar
    });
    move |read| {
        if let Some(b) = &bar {
            b.set_position(read);
            b.tick();
        }
    }
}

fn age(seconds: i64) -> String {
    match seconds {
        s if s < 120 => format!("{s}s"),
        s if s < 7200 => format!("{}m", s / 60),
        s if s < 172_800 => format!("{}h", s / 3600),
        s => format!("{}d", s / 86_400),
    }
}

pub(crate) fn stats(
    format: OutputFormat,
    topic: &str,
    r: &StatsResult,
    now: Timestamp,
    out: &mut dyn Write,
) -> io::Result<()> {
    let s = &r.stats;
    let doc = StatsJson {
        topic,
        entries: s.entries,
        read: r.read,
        bytes: s.bytes,
        oldest: dated(&s.oldest, now),
        newest: dated(&s.newest, now),
        by_error_class: counts(&s.by_error_class),
        by_origin_topic: counts(&s.by_origin_topic),
        by_convention: counts(&s.by_convention),
        by_partition: counts(&s.by_partition),
        by_retry_count: counts(&s.by_retry_count),
        arrival_bucket_seconds: r.arrival_bucket,
        arrivals: arrivals_json(s.arrivals.buckets(r.arrival_bucket)),
        arrivals_by_failure: failure_arrivals(r),
    };
    match format {
        OutputFormat::Json | OutputFormat::Jsonl => super::json::document(format, out, &doc),
        OutputFormat::Table => {
            writeln!(
                out,
                "{topic}: {} entries, {} payload bytes",
                s.entries, s.bytes
            )?;
            for (label, d) in [("Oldest", &doc.oldest), ("Newest", &doc.newest)] {
                if let Some(d) = d {
                    writeln!(
                        out,
                        "{label}: {} ({}, {} ago)",
                        d.id,
                        d.timestamp,
                        age(d.age_seconds)
                    )?;
                }
            }
            for (title, rows) in [
                ("Error class", &doc.by_error_class),
                ("Origin topic", &doc.by_origin_topic),
                ("Convention", &doc.by_convention),
                ("Partition", &doc.by_partition),
                ("Retry count", &doc.by_retry_count),
            ] {
                let mut t = Table::new();
                t.load_preset(UTF8_FULL_CONDENSED);
                t.set_header(vec![title, "Entries", "Share"]);
                for row in rows {
                    let share = if s.entries == 0 {
                        0.0
                    } else {
                        100.0 * row.count as f64 / s.entries as f64
                    };
                    t.add_row(vec![
                        Cell::new(row.value.as_deref().map_or("(unknown)".into(), sanitize)),
                        Cell::new(row.count).set_alignment(CellAlignment::Right),
                        Cell::new(format!("{share:.1}%")).set_alignment(CellAlignment::Right),
                    ]);
                }
                writeln!(out, "\n{t}")?;
            }
            let title = format!(
                "Arrivals per {} (UTC):",
                bucket_words(doc.arrival_bucket_seconds)
            );
            chart(&title, &doc.arrivals, doc.arrival_bucket_seconds, out)?;
            for f in doc.arrivals_by_failure.iter().flatten() {
                let title = format!(
                    "Arrivals of failure {} ({} entries) per {} (UTC):",
                    f.fingerprint,
                    f.count,
                    bucket_words(f.bucket_seconds)
                );
                match &f.arrivals {
                    Some(a) => chart(&title, a, f.bucket_seconds, out)?,
                    None => writeln!(
                        out,
                        "\n{title}\n  not counted by time: past the first {} distinct failures",
                        crate::domain::stats::MAX_FAILURE_CHARTS
                    )?,
                }
            }
            Ok(())
        }
    }
}

/// Arrivals as a bar chart of text blocks, one line per bucket, as wide as the terminal.
fn chart(
    title: &str,
    arrivals: &[ArrivalJson],
    bucket_seconds: i64,
    out: &mut dyn Write,
) -> io::Result<()> {
    if arrivals.is_empty() {
        return Ok(());
    }
    let width = console::Term::stdout()
        .size_checked()
        .map_or(80, |(_, cols)| cols as usize);
    let most = arrivals.iter().map(|a| a.count).max().unwrap_or(0).max(1);
    let label = |a: &ArrivalJson| {
        let t = a.start.replace('T', " ");
        let t = t.trim_end_matches('Z');
        if bucket_seconds % 86_400 == 0 {
            t.chars().take(10).collect::<String>()
        } else {
            t.chars().take(16).collect()
        }
    };
    let digits = most.to_string().len();
    let room = width.saturating_sub(16 + 2 + digits + 2).clamp(10, 100);
    writeln!(out, "\n{title}")?;
    const EIGHTHS: [&str; 8] = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"];
    for a in arrivals {
        let eighths = (a.count as u128 * room as u128 * 8 / most as u128) as usize;
        let mut bar = "█".repeat(eighths / 8);
        bar.push_str(EIGHTHS[eighths % 8]);
        if a.count > 0 && bar.is_empty() {
            bar.push('▏');
        }
        writeln!(out, "{:<16}  {:>digits$} {bar}", label(a), a.count)?;
    }
    Ok(())
}

fn bucket_words(seconds: i64) -> String {
    match seconds {
        s if s % 604_800 == 0 => plural(s / 604_800, "week"),
        s if s % 86_400 == 0 => plural(s / 86_400, "day"),
        s if s % 3600 == 0 => plural(s / 3600, "hour"),
        s if s % 60 == 0 => plural(s / 60, "minute"),
        s => plural(s, "second"),
    }
}

fn plural(n: i64, unit: &str) -> String {
    if n == 1 {
        unit.to_string()
    } else {
        format!("{n} {unit}s")
    }
}

#[derive(Serialize)]
struct TopicJson<'a> {
    topic: &'a str,
    pattern: &'a str,
    partitions: u32,
    retained: Option<u64>,
    unhandled: u64,
}

/// On a terminal, when no topic matched: the patterns tried, and how to add one.
pub(crate) fn no_topics_hint(format: OutputFormat, found: &[DlqTopic], extra_patterns: &[String]) {
    if found.is_empty() && format == OutputFormat::Table {
        super::status(&format!(
            "no topic looks like a DLQ (patterns: {}; add one with --pattern GLOB)",
            crate::domain::topics::DLQ_PATTERNS
                .iter()
                .copied()
                .chain(extra_patterns.iter().map(String::as_str))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
}

pub(crate) fn topics(
    format: OutputFormat,
    topics: &[DlqTopic],
    out: &mut dyn Write,
) -> io::Result<()> {
    let docs: Vec<TopicJson> = topics
        .iter()
        .map(|t| TopicJson {
            topic: &t.topic,
            pattern: &t.pattern,
            partitions: t.partitions,
            retained: t.retained,
            unhandled: t.unhandled,
        })
        .collect();
    match format {
        OutputFormat::Json | OutputFormat::Jsonl => super::json::records(format, out, &docs),
        OutputFormat::Table => {
            let mut t = Table::new();
            t.load_preset(UTF8_FULL_CONDENSED);
            t.set_header(vec![
                "Topic",
                "Pattern",
                "Partitions",
                "Retained",
                "Unhandled",
            ]);
            for d in &docs {
                t.add_row(vec![
                    Cell::new(sanitize(d.topic)),
                    Cell::new(d.pattern),
                    Cell::new(d.partitions).set_alignment(CellAlignment::Right),
                    Cell::new(d.retained.map_or("-".into(), |n| n.to_string()))
                        .set_alignment(CellAlignment::Right),
                    Cell::new(d.unhandled).set_alignment(CellAlignment::Right),
                ]);
            }
            writeln!(out, "{t}")
        }
    }
}
