//! How `dlq watch` looks: a live view on a terminal (the alternate screen, redrawn each
//! refresh, q/Esc/Ctrl-C to quit, the terminal restored however it ends), or one JSON line per
//! refresh for scripts. `app::watch` drives the refreshes.

use std::io::{self, Write};
use std::time::Duration;

use jiff::Timestamp;
use serde::Serialize;

use super::sanitize;
use crate::results::watch::{Snapshot, TopicWatch};

#[derive(Serialize)]
struct FailureJson<'a> {
    fingerprint: &'a str,
    error_class: Option<&'a str>,
    template: &'a str,
    count: u64,
}

#[derive(Serialize)]
struct TopicJson<'a> {
    topic: &'a str,
    /// Unhandled entries.
    entries: u64,
    retained: Option<u64>,
    arrived: u64,
    removed: u64,
    arrivals_per_minute: Option<f64>,
    removals_per_minute: Option<f64>,
    oldest: Option<String>,
    oldest_age_seconds: Option<i64>,
    payload_bytes: u64,
    top_failures: Vec<FailureJson<'a>>,
    /// Oldest first; the last is the current minute.
    arrivals_by_minute: &'a [u64],
    error: Option<&'a str>,
}

#[derive(Serialize)]
struct SnapshotJson<'a> {
    at: String,
    refresh: u64,
    refresh_seconds: f64,
    topics: Vec<TopicJson<'a>>,
}

fn round(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

fn to_json(s: &Snapshot) -> SnapshotJson<'_> {
    SnapshotJson {
        at: s.at.to_string(),
        refresh: s.refresh,
        refresh_seconds: (s.refresh_seconds * 1000.0).round() / 1000.0,
        topics: s
            .topics
            .iter()
            .map(|t| TopicJson {
                topic: &t.topic,
                entries: t.entries,
                retained: t.retained,
                arrived: t.arrived,
                removed: t.removed,
                arrivals_per_minute: t.per_minute.map(|(a, _)| round(a)),
                removals_per_minute: t.per_minute.map(|(_, r)| round(r)),
                oldest: t.oldest.map(|o| o.to_string()),
                oldest_age_seconds: t.oldest.map(|o| s.at.duration_since(o).as_secs().max(0)),
                payload_bytes: t.stats.bytes,
                top_failures: t
                    .top
                    .iter()
                    .map(|f| FailureJson {
                        fingerprint: &f.fingerprint,
                        error_class: f.error_class.as_deref(),
                        template: &f.template,
                        count: f.count,
                    })
                    .collect(),
                arrivals_by_minute: &t.spark,
                error: t.error.as_deref(),
            })
            .collect(),
    }
}

/// One refresh as one JSON line.
pub(crate) fn json_line(s: &Snapshot, out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer(&mut *out, &to_json(s))?;
    out.write_all(b"\n")?;
    out.flush()
}

/// Where `--serve` listens, on stderr (with port 0, the port the system chose).
pub(crate) fn serving(address: std::net::SocketAddr) {
    eprintln!("dlq: serving http://{address}/metrics and /healthz");
}

/// `3h 12m`, `45s`.
fn age(seconds: i64) -> String {
    let s = seconds.max(0);
    match s {
        s if s >= 86_400 => format!("{}d {}h", s / 86_400, s % 86_400 / 3600),
        s if s >= 3600 => format!("{}h {}m", s / 3600, s % 3600 / 60),
        s if s >= 60 => format!("{}m {}s", s / 60, s % 60),
        s => format!("{s}s"),
    }
}

/// Counts as bars of eighths, scaled to the largest.
pub(crate) fn sparkline(counts: &[u64]) -> String {
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let most = counts.iter().copied().max().unwrap_or(0);
    counts
        .iter()
        .map(|&n| match n {
            0 => ' ',
            n => BARS[((n * 8 - 1) / most.max(1)).min(7) as usize],
        })
        .collect()
}

/// Cuts a line to `width` characters.
fn fit(line: String, width: usize) -> String {
    if line.chars().count() <= width {
        line
    } else {
        let mut cut: String = line.chars().take(width.saturating_sub(1)).collect();
        cut.push('…');
        cut
    }
}

fn topic_lines(t: &TopicWatch, at: Timestamp, bold: bool, lines: &mut Vec<String>) {
    let name = if bold {
        console::style(sanitize(&t.topic)).bold().to_string()
    } else {
        sanitize(&t.topic)
    };
    let retained = t
        .retained
        .map_or(String::new(), |r| format!(" (retained {r})"));
    let rates = match t.per_minute {
        Some((a, r)) => format!("+{}/min in, -{}/min out", round(a), round(r)),
        None => "rates from the next refresh".into(),
    };
    let oldest = t
        .oldest
        .map_or("-".into(), |o| age(at.duration_since(o).as_secs()));
    lines.push(format!(
        "{name}  {} unhandled{retained}, oldest {oldest}",
        t.entries
    ));
    if let Some(e) = &t.error {
        lines.push(format!(
            "  last refresh failed, figures are from before: {}",
            sanitize(e)
        ));
    }
    lines.push(format!(
        "  {rates}  last {} min |{}|",
        t.spark.len(),
        sparkline(&t.spark)
    ));
    if t.top.is_empty() {
        lines.push("  no failures".into());
    }
    let digits = t.top.first().map_or(1, |f| f.count.to_string().len());
    for f in &t.top {
        lines.push(format!(
            "  {:>digits$}  {}  {}: {}",
            f.count,
            f.fingerprint,
            sanitize(f.error_class.as_deref().unwrap_or("(unknown)")),
            sanitize(&f.template)
        ));
    }
}

/// The live view's lines, each at most `width` characters.
pub(crate) fn screen(
    s: &Snapshot,
    interval: Duration,
    serving: Option<&str>,
    width: usize,
    bold: bool,
) -> Vec<String> {
    let mut lines = vec![format!(
        "dlq watch  every {}s{}  {}  q to quit",
        interval.as_secs_f64(),
        serving.map_or(String::new(), |a| format!("  serving http://{a}/metrics")),
        s.at.strftime("%H:%M:%S UTC")
    )];
    for t in &s.topics {
        lines.push(String::new());
        topic_lines(t, s.at, bold, &mut lines);
    }
    lines.into_iter().map(|l| fit(l, width)).collect()
}

/// The terminal in the live view's state (raw, alternate screen, no cursor) while it lives.
pub(crate) struct Live {
    out: io::Stdout,
}

impl Live {
    pub(crate) fn enter() -> io::Result<Live> {
        crossterm::terminal::enable_raw_mode()?;
        let mut out = io::stdout();
        crossterm::execute!(
            out,
            crossterm::terminal::EnterAlternateScreen,
            crossterm::cursor::Hide
        )?;
        Ok(Live { out })
    }

    pub(crate) fn draw(&mut self, lines: &[String]) -> io::Result<()> {
        use crossterm::{cursor, queue, terminal};
        queue!(
            self.out,
            cursor::MoveTo(0, 0),
            terminal::Clear(terminal::ClearType::All)
        )?;
        for l in lines {
            // Raw mode: a line feed does not return the carriage.
            write!(self.out, "{l}\r\n")?;
        }
        self.out.flush()
    }
}

impl Drop for Live {
    fn drop(&mut self) {
        let _ = crossterm::execute!(
            self.out,
            crossterm::cursor::Show,
            crossterm::terminal::LeaveAlternateScreen
        );
        let _ = crossterm::terminal::disable_raw_mode();
    }
}

/// What the keyboard asks of the live view.
pub(crate) enum Key {
    Quit,
    Redraw,
}

/// Keys from the terminal, read on a thread of their own (reading blocks).
pub(crate) fn keys() -> tokio::sync::mpsc::UnboundedReceiver<Key> {
    use crossterm::event::{self, Event, KeyCode, KeyEventKind, KeyModifiers};
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    std::thread::spawn(move || loop {
        let key = match event::read() {
            Ok(Event::Key(k)) if k.kind != KeyEventKind::Release => match k.code {
                KeyCode::Char('q') | KeyCode::Char('Q') | KeyCode::Esc => Key::Quit,
                KeyCode::Char('c') if k.modifiers.contains(KeyModifiers::CONTROL) => Key::Quit,
                _ => continue,
            },
            Ok(Event::Resize(..)) => Key::Redraw,
            Ok(_) => continue,
            Err(_) => Key::Quit,
        };
        if tx.send(key).is_err() {
            return;
        }
    });
    rx
}

/// Resolves on SIGTERM (a service manager stopping a `--serve` watch); never elsewhere.
pub(crate) async fn terminated() {
    #[cfg(unix)]
    if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
        s.recv().await;
        return;
    }
    std::future::pending::<()>().await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::stats::Stats;
    use crate::domain::watch::TopFailure;

    fn snapshot() -> Snapshot {
        let at: Timestamp = "2026-12-06T10:00:00Z".parse().unwrap();
        Snapshot {
            at,
            refresh_seconds: 0.0123,
            refresh: 3,
            topics: vec![TopicWatch {
                topic: "orders.DLT".into(),
                entries: 1234,
                retained: Some(1300),
                arrived: 12,
                removed: 0,
                per_minute: Some((24.0, 0.0)),
                oldest: Some("2026-12-06T06:48:00Z".parse().unwrap()),
                top: vec![TopFailure {
                    fingerprint: "3fa9c2e1".into(),
                    error_class: Some("java.lang.IllegalStateException".into()),
                    template: "Invalid order <n>\u{1b}[31m".into(),
                    count: 1000,
                }],
                spark: vec![0, 1, 4, 8],
                stats: Stats::default(),
                error: None,
            }],
        }
    }

    #[test]
    fn the_live_view_fits_the_terminal_and_shows_no_control_characters() {
        let lines = screen(&snapshot(), Duration::from_secs(5), None, 60, false);
        assert!(lines.iter().all(|l| l.chars().count() <= 60), "{lines:#?}");
        let text = lines.join("\n");
        assert!(text.contains("1234 unhandled (retained 1300)"), "{text}");
        assert!(text.contains("oldest 3h 12m"), "{text}");
        assert!(text.contains("+24/min in, -0/min out"), "{text}");
        assert!(
            !text.contains('\u{1b}'),
            "escape sequences from the broker are shown inert"
        );
    }

    #[test]
    fn sparklines_scale_to_the_busiest_minute() {
        assert_eq!(sparkline(&[0, 1, 4, 8]), " ▁▄█");
        assert_eq!(sparkline(&[0, 0]), "  ");
    }

    #[test]
    fn a_json_line_names_each_figure() {
        let mut out = Vec::new();
        json_line(&snapshot(), &mut out).unwrap();
        assert_eq!(out.iter().filter(|b| **b == b'\n').count(), 1);
        let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
        let t = &v["topics"][0];
        assert_eq!(t["entries"], 1234);
        assert_eq!(t["oldest_age_seconds"], 11520);
        assert_eq!(t["arrivals_by_minute"], serde_json::json!([0, 1, 4, 8]));
        assert_eq!(t["top_failures"][0]["count"], 1000);
        assert_eq!(v["refresh"], 3);
    }
}
