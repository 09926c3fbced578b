//! `dlq watch`: the live view driven in a pseudo-terminal while dead letters arrive, and
//! `--serve`'s /metrics scraped over HTTP while they arrive and leave, checked with an
//! independent parser against `stats`, on Apache Kafka and Apache Pulsar.

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::process::Stdio;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::common::{
    dlq, dlq_std, json_of, kafka_url, pulsar_url, seed_kafka, seed_pulsar, unique,
};
use crate::stats::parsed_metrics;

/// How long a test waits for a watch to show what the brokers already hold (a refresh a second;
/// the bound only stops a broken run).
const PATIENCE: Duration = Duration::from_secs(90);

/// A shell command running a seed script with these arguments (for pty_run's --before-answer).
fn seed_command(script: &str, args: &[&str]) -> String {
    let quoted: Vec<String> = args.iter().map(|a| format!("'{a}'")).collect();
    format!(
        "'{}' '{}/scripts/seed/{script}' {} > /dev/null",
        crate::common::python(),
        env!("CARGO_MANIFEST_DIR"),
        quoted.join(" ")
    )
}

/// `dlq watch TOPIC` on a pseudo-terminal: once `before` shows, `meanwhile` runs; once `after`
/// shows in what follows, `q` is typed.
fn watch_on_terminal(url: &str, topic: &str, before: &str, meanwhile: &str, after: &str) -> Value {
    crate::common::dlq_on_terminal(
        &[
            "--timeout",
            "120",
            "--expect",
            before,
            "--answer",
            "q",
            "--before-answer",
            meanwhile,
            "--expect-after",
            after,
        ],
        &["watch", topic, "-b", url, "--interval", "1s"],
        &[],
    )
}

/// The live view came, updated, and left the terminal as it found it.
fn assert_quit_cleanly(result: &Value, after: &str) {
    let output = result["output"].as_str().unwrap();
    assert_eq!(
        result["answered"], true,
        "never showed the update: {output}"
    );
    assert_eq!(result["exit"], 0, "{output}");
    assert!(output.contains("\u{1b}[?1049h"), "the alternate screen");
    let tail = &output[output.find(after).unwrap()..];
    assert!(
        tail.contains("\u{1b}[?1049l") && tail.contains("\u{1b}[?25h"),
        "the screen and the cursor restored on q: {tail:?}"
    );
    assert_eq!(result["echo"], true, "echo restored");
    assert_eq!(result["canonical"], true, "line mode restored");
}

#[test]
fn kafka_the_live_view_updates_as_dead_letters_arrive_and_q_restores_the_terminal() {
    let origin = unique("watch-live");
    let topic = format!("{origin}.DLT");
    seed_kafka(&origin, &topic, &["spring"], 3);
    let bootstrap = kafka_url().trim_start_matches("kafka://").to_string();
    let more = seed_command(
        "kafka_dlq.py",
        &[
            "--bootstrap",
            &bootstrap,
            "--origin",
            &origin,
            "--dlq",
            &topic,
            "--style",
            "connect",
            "--count",
            "2",
        ],
    );
    let result = watch_on_terminal(&kafka_url(), &topic, "3 unhandled", &more, "5 unhandled");
    assert_quit_cleanly(&result, "5 unhandled");
    let output = result["output"].as_str().unwrap();
    let update = &output[output.find("5 unhandled").unwrap()..];
    assert!(
        update.contains("org.apache.kafka.connect.errors.DataException"),
        "the new failure among the top ones: {update}"
    );
}

#[test]
fn pulsar_the_live_view_updates_as_dead_letters_arrive_and_q_restores_the_terminal() {
    let origin = unique("watch-live");
    let topic = format!("{origin}-svc-DLQ");
    seed_pulsar(&origin, "svc", 2);
    let url = pulsar_url();
    let more = seed_command(
        "pulsar_dlq.py",
        &[
            "--url",
            &url,
            "--topic",
            &origin,
            "--subscription",
            "svc",
            "--count",
            "3",
        ],
    );
    let result = watch_on_terminal(&url, &topic, "2 unhandled", &more, "5 unhandled");
    assert_quit_cleanly(&result, "5 unhandled");
}

/// A running `dlq watch --serve 127.0.0.1:0 -o json`: its address, its JSON lines as they come.
struct Served {
    child: std::process::Child,
    address: String,
    lines: std::sync::mpsc::Receiver<Value>,
}

impl Served {
    fn start(url: &str, topic: &str) -> Served {
        let mut child = dlq_std()
            .args(["watch", topic, "-b", url, "--interval", "1s"])
            .args(["--serve", "127.0.0.1:0", "-o", "json"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stderr = BufReader::new(child.stderr.take().unwrap());
        let mut first = String::new();
        stderr.read_line(&mut first).unwrap();
        let address = first
            .strip_prefix("dlq: serving http://")
            .and_then(|r| r.split_once("/metrics"))
            .map(|(a, _)| a.to_string())
            .unwrap_or_else(|| panic!("no address on stderr: {first:?}"));
        std::thread::spawn(move || {
            let mut rest = String::new();
            let _ = stderr.read_to_string(&mut rest);
            if !rest.is_empty() {
                eprintln!("dlq watch said: {rest}");
            }
        });
        let stdout = child.stdout.take().unwrap();
        let (tx, lines) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { return };
                let v: Value = serde_json::from_str(&line)
                    .unwrap_or_else(|e| panic!("not a JSON line ({e}): {line}"));
                if tx.send(v).is_err() {
                    return;
                }
            }
        });
        Served {
            child,
            address,
            lines,
        }
    }

    /// GET `path` (asking for OpenMetrics or not): the status and the body.
    fn get(&self, path: &str, openmetrics: bool) -> (u16, String) {
        let mut s = std::net::TcpStream::connect(&self.address).unwrap();
        let accept = if openmetrics {
            "application/openmetrics-text; version=1.0.0,text/plain;q=0.5"
        } else {
            "text/plain"
        };
        write!(
            s,
            "GET {path} HTTP/1.1\r\nHost: {}\r\nAccept: {accept}\r\nConnection: close\r\n\r\n",
            self.address
        )
        .unwrap();
        let mut response = String::new();
        s.read_to_string(&mut response).unwrap();
        let (head, body) = response.split_once("\r\n\r\n").unwrap();
        let status = head.split(' ').nth(1).unwrap().parse().unwrap();
        if path == "/metrics" && openmetrics {
            assert!(
                head.to_ascii_lowercase()
                    .contains("content-type: application/openmetrics-text"),
                "{head}"
            );
        }
        (status, body.to_string())
    }

    /// The parsed metrics once `ready` holds for them (scraped once a second).
    fn metrics_when(
        &self,
        openmetrics: bool,
        ready: impl Fn(&std::collections::BTreeMap<String, f64>) -> bool,
    ) -> std::collections::BTreeMap<String, f64> {
        let start = Instant::now();
        loop {
            let (status, body) = self.get("/metrics", openmetrics);
            assert_eq!(status, 200, "{body}");
            let m = parsed_metrics(body.as_bytes(), openmetrics);
            if ready(&m) {
                return m;
            }
            assert!(start.elapsed() < PATIENCE, "never became ready: {body}");
            std::thread::sleep(Duration::from_secs(1));
        }
    }

    /// SIGTERM (a service manager stopping it): the watch ends cleanly, exit 0.
    fn stop(mut self) -> Vec<Value> {
        let pid = self.child.id().to_string();
        assert!(std::process::Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success());
        let status = self.child.wait().unwrap();
        assert_eq!(status.code(), Some(0), "SIGTERM ends a watch cleanly");
        self.lines.try_iter().collect()
    }
}

fn unhandled(m: &std::collections::BTreeMap<String, f64>, topic: &str) -> Option<f64> {
    m.get(&format!("dlq_unhandled_entries{{topic={topic}}}"))
        .copied()
}

/// The served metrics agree with `stats -o openmetrics`, sample for sample, on what both count.
fn served_match_stats(url: &str, topic: &str, served: &std::collections::BTreeMap<String, f64>) {
    let out = dlq()
        .args(["stats", topic, "-b", url, "-o", "openmetrics"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let stats = parsed_metrics(&out.stdout, true);
    let compared: Vec<&String> = stats
        .keys()
        .filter(|k| {
            [
                "dlq_unhandled_entries{",
                "dlq_payload_bytes{",
                "dlq_entries_by_error_class{",
                "dlq_entries_by_fingerprint{",
                "dlq_oldest_entry_timestamp_seconds{",
                "dlq_newest_entry_timestamp_seconds{",
                "dlq_entries{",
            ]
            .iter()
            .any(|p| k.starts_with(p))
        })
        .collect();
    assert!(compared.len() >= 5, "{stats:?}");
    for k in compared {
        assert_eq!(served.get(k), stats.get(k), "{k}: served {served:?}");
    }
}

/// Entries `stats` counts (not what a seed meant to write: a producer may write twice).
fn counted(url: &str, topic: &str) -> f64 {
    json_of(dlq().args(["stats", topic, "-b", url, "-o", "json"]))["entries"]
        .as_f64()
        .unwrap()
}

fn metrics_are_served_while_entries_arrive_and_leave(
    url: &str,
    topic: &str,
    seed_more: impl FnOnce(),
) {
    let seeded = counted(url, topic);
    let served = Served::start(url, topic);
    // Unavailable until the first read is done, then healthy.
    let start = Instant::now();
    loop {
        let (status, body) = served.get("/healthz", false);
        if status == 200 {
            assert_eq!(body, "ok\n");
            break;
        }
        assert_eq!((status, body.as_str()), (503, "no refresh yet\n"));
        assert!(start.elapsed() < PATIENCE);
        std::thread::sleep(Duration::from_millis(200));
    }
    let first = served.metrics_when(true, |m| unhandled(m, topic) == Some(seeded));
    served_match_stats(url, topic, &first);

    seed_more();
    let total = counted(url, topic);
    assert!(total > seeded);
    let m = served.metrics_when(true, |m| unhandled(m, topic) == Some(total));
    served_match_stats(url, topic, &m);
    // Prometheus' own text format for a scraper that does not ask for OpenMetrics.
    let text = served.metrics_when(false, |m| unhandled(m, topic) == Some(total));
    assert_eq!(text.len(), m.len());

    // The operator purges everything: the watch sees it leave.
    let purged = json_of(dlq().args(["purge", topic, "-b", url, "--all", "-y", "-o", "json"]));
    assert_eq!(purged["purged"].as_f64(), Some(total));
    let empty = served.metrics_when(true, |m| unhandled(m, topic) == Some(0.0));
    assert!(!empty
        .keys()
        .any(|k| k.starts_with("dlq_entries_by_fingerprint{")));
    let (_, nothing) = served.get("/nothing", false);
    assert!(nothing.contains("/metrics"));

    let lines = served.stop();
    assert!(!lines.is_empty(), "one JSON line a refresh");
    for l in &lines {
        crate::json_contract::watch_line(l);
    }
    let last = &lines[lines.len() - 1]["topics"][0];
    assert_eq!(last["topic"], topic);
    assert_eq!(last["entries"], 0, "{last}");
    let arrived: f64 = lines
        .iter()
        .map(|l| l["topics"][0]["arrived"].as_f64().unwrap())
        .sum();
    let removed: f64 = lines
        .iter()
        .map(|l| l["topics"][0]["removed"].as_f64().unwrap())
        .sum();
    assert_eq!(
        arrived,
        total - seeded,
        "arrivals read as they came, each once"
    );
    assert_eq!(removed, total, "the purge seen as removals");
}

#[test]
fn kafka_metrics_are_served_over_http_while_dead_letters_arrive_and_leave() {
    let origin = unique("watch-serve");
    let topic = format!("{origin}.DLT");
    seed_kafka(&origin, &topic, &["spring"], 3);
    metrics_are_served_while_entries_arrive_and_leave(&kafka_url(), &topic, || {
        seed_kafka(&origin, &topic, &["connect", "envelope"], 2);
    });
}

#[test]
fn pulsar_metrics_are_served_over_http_while_dead_letters_arrive_and_leave() {
    let origin = unique("watch-serve");
    let topic = format!("{origin}-svc-DLQ");
    seed_pulsar(&origin, "svc", 2);
    metrics_are_served_while_entries_arrive_and_leave(&pulsar_url(), &topic, || {
        seed_pulsar(&origin, "svc", 3);
    });
}

#[test]
fn a_port_in_use_and_a_table_without_a_terminal_are_refused_before_anything_is_read() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let out = dlq()
        .args([
            "watch",
            "orders.DLT",
            "-b",
            "kafka://127.0.0.1:1",
            "--serve",
            &port,
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot listen there"));
    let out = dlq()
        .args([
            "watch",
            "orders.DLT",
            "-b",
            "kafka://127.0.0.1:1",
            "-o",
            "table",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("needs a terminal"));
    let out = dlq()
        .args([
            "watch",
            "orders.DLT",
            "-b",
            "kafka://127.0.0.1:1",
            "--interval",
            "10ms",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}
