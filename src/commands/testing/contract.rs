//! The contract every backend keeps, written once and run against each: the in-memory broker
//! (always; fast) and Apache Kafka and Apache Pulsar (`#[ignore]`d in a bare `cargo test`;
//! scripts/test.sh starts the brokers and runs them with `--include-ignored`). The commands run
//! as the CLI runs them (`run_on` with their settings) on the real adapters; dead letters on the
//! real brokers come from the real producers (scripts/seed/kafka_dlq.py: Spring Kafka's
//! headers through the official Python client; scripts/seed/pulsar_dlq.py: the official Pulsar
//! client's dead-letter policy), and what was sent is read back with the official clients
//! (scripts/seed/read_topic.py).
//!
//! The memory backend proves the command logic; the brokers stay the judge of broker
//! behaviour: each scenario passes on all three or the contract is broken.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use base64::Engine as _;
use serde_json::Value;

use super::fixtures::sending_on;
use super::ui::Yes;
use crate::broker::memory::{Faults, MemoryBroker, Stall};
use crate::broker::{self, Broker, BrokerUrl, ConnectConfig, ScanRequest, Security, StartAt};
use crate::commands::engine::scan::{Scan, Selected};
use crate::commands::purge::PurgeSettings;
use crate::commands::replay::ReplaySettings;
use crate::commands::restore::RestoreSettings;
use crate::domain::conventions::HeaderMap;
use crate::domain::selection::Selection;

/// One backend, with what the scenarios need of it beyond the port.
trait Fixture: Sync {
    fn connect(&self) -> ConnectConfig;
    async fn broker(&self) -> Box<dyn Broker>;
    /// `count` dead letters of a fresh origin topic, as its producer writes them: (DLQ topic,
    /// origin topic, how many the producer wrote). A real client's dead-letter path is
    /// at-least-once: it may write a message twice under load, and the DLQ then holds more.
    fn dead_letters(&self, count: u32) -> (String, String, u64);
    /// One more dead letter of `origin` in `dlq` (arriving while a prompt is open): how many
    /// the producer wrote (at least one).
    fn one_more(&self, dlq: &str, origin: &str) -> u64;
    /// The `dlq-replay-of` value of every message on `topic` that carries one.
    fn replay_marks(&self, topic: &str) -> Vec<String>;
}

// ---- the scenarios ----------------------------------------------------------------------------

/// A replay of every dead letter sends each once, to its origin, and marks it handled: a rerun
/// finds nothing.
async fn replay_sends_each_entry_once_and_a_rerun_finds_nothing(f: &impl Fixture) {
    let (dlq, origin, n) = f.dead_letters(3);
    let s = replay_settings(f, &dlq);
    let first = crate::commands::replay::run_on(f.broker().await.as_mut(), &s, &mut Yes(|| {}))
        .await
        .unwrap();
    assert_eq!((first.selected, first.sent, first.failed), (n, n, 0));
    let mut marks = f.replay_marks(&origin);
    marks.sort();
    marks.dedup();
    assert_eq!(
        marks.len() as u64,
        n,
        "one copy of each entry on the origin: {marks:?}"
    );
    assert_eq!(unhandled(f, &dlq).await, 0);
    let again = crate::commands::replay::run_on(f.broker().await.as_mut(), &s, &mut Yes(|| {}))
        .await
        .unwrap();
    assert_eq!(
        (again.selected, again.sent),
        (0, 0),
        "nothing left to replay"
    );
    assert_eq!(f.replay_marks(&origin).len() as u64, n);
}

/// A replay by id sends that entry alone, and the others stay unhandled. (Whether the replayed
/// one still shows depends on the broker: Kafka marks a prefix, so an entry after an unhandled
/// one is offered again, with its `dlq-replay-of`; Pulsar acknowledges it alone.)
async fn a_replay_by_id_sends_that_entry_alone(f: &impl Fixture) {
    let (dlq, origin, n) = f.dead_letters(3);
    let ids = unhandled_ids(f, &dlq).await;
    assert_eq!(ids.len() as u64, n);
    let mut s = replay_settings(f, &dlq);
    s.all = false;
    s.ids = vec![ids[1].clone()];
    let summary = crate::commands::replay::run_on(f.broker().await.as_mut(), &s, &mut Yes(|| {}))
        .await
        .unwrap();
    assert_eq!((summary.selected, summary.sent), (1, 1));
    let marks = f.replay_marks(&origin);
    assert_eq!(marks.len(), 1);
    assert!(marks[0].ends_with(&format!("@{}", ids[1])), "{marks:?}");
    let left = unhandled_ids(f, &dlq).await;
    assert!(
        left.contains(&ids[0]) && left.contains(&ids[2]),
        "the others stay: {left:?}"
    );
}

/// A dry run sends nothing and marks nothing.
async fn a_dry_run_sends_nothing_and_marks_nothing(f: &impl Fixture) {
    let (dlq, origin, n) = f.dead_letters(2);
    let mut s = replay_settings(f, &dlq);
    s.sending.dry_run = true;
    let summary = crate::commands::replay::run_on(f.broker().await.as_mut(), &s, &mut Yes(|| {}))
        .await
        .unwrap();
    assert_eq!((summary.selected, summary.sent), (n, 0));
    assert!(f.replay_marks(&origin).is_empty());
    assert_eq!(unhandled(f, &dlq).await, n);
}

/// An entry arriving while the prompt is open is neither purged nor replayed: the second pass
/// stops where the plan did. (The purge comes first: on Pulsar the failing service's
/// subscription, which the seed script plays, dead-letters replayed copies again.)
async fn an_entry_arriving_at_the_prompt_is_neither_purged_nor_replayed(f: &impl Fixture) {
    let (dlq, origin, n) = f.dead_letters(2);
    let mut p = purge_settings(f, &dlq, None);
    p.yes = false;
    let mut late = 0;
    let purged = crate::commands::purge::run_on(
        f.broker().await.as_mut(),
        &p,
        &mut Yes(|| late = f.one_more(&dlq, &origin)),
    )
    .await
    .unwrap();
    assert_eq!((purged.selected, purged.purged), (n, n));
    assert_eq!(unhandled(f, &dlq).await, late, "the late entry stays");

    let mut s = replay_settings(f, &dlq);
    s.sending.yes = false;
    let mut later = 0;
    let replayed = crate::commands::replay::run_on(
        f.broker().await.as_mut(),
        &s,
        &mut Yes(|| later = f.one_more(&dlq, &origin)),
    )
    .await
    .unwrap();
    assert_eq!((replayed.selected, replayed.sent), (late, late));
    assert_eq!(f.replay_marks(&origin).len() as u64, late);
    assert_eq!(
        unhandled(f, &dlq).await,
        later,
        "the entry that came during this prompt waits"
    );
}

/// A purge takes exactly what it selected into a backup, and the backup restores it.
async fn a_purge_backs_up_what_it_removes_and_the_backup_restores_it(f: &impl Fixture) {
    let (dlq, _origin, n) = f.dead_letters(3);
    let dir = tempfile::tempdir().unwrap();
    let backup = dir.path().join("backup.jsonl");
    let p = purge_settings(f, &dlq, Some(backup.clone()));
    let purged = crate::commands::purge::run_on(f.broker().await.as_mut(), &p, &mut Yes(|| {}))
        .await
        .unwrap();
    assert_eq!((purged.selected, purged.purged, purged.failed), (n, n, 0));
    assert_eq!(unhandled(f, &dlq).await, 0);
    assert_eq!(lines(&backup) as u64, n);

    let r = RestoreSettings {
        path: backup,
        sending: sending_on(f.connect(), None),
    };
    let restored = crate::commands::restore::run_on(f.broker().await.as_mut(), &r, &mut Yes(|| {}))
        .await
        .unwrap();
    assert_eq!((restored.selected, restored.sent), (n, n));
    assert_eq!(unhandled(f, &dlq).await, n, "back in the DLQ, unhandled");
}

// ---- running them ----------------------------------------------------------------------------

macro_rules! contract {
    ($backend:ident, $fixture:expr $(, $ignore:meta)?) => {
        mod $backend {
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            $(#[$ignore])?
            async fn replay_sends_each_entry_once_and_a_rerun_finds_nothing() {
                super::replay_sends_each_entry_once_and_a_rerun_finds_nothing(&$fixture).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            $(#[$ignore])?
            async fn a_replay_by_id_sends_that_entry_alone() {
                super::a_replay_by_id_sends_that_entry_alone(&$fixture).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            $(#[$ignore])?
            async fn a_dry_run_sends_nothing_and_marks_nothing() {
                super::a_dry_run_sends_nothing_and_marks_nothing(&$fixture).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            $(#[$ignore])?
            async fn an_entry_arriving_at_the_prompt_is_neither_purged_nor_replayed() {
                super::an_entry_arriving_at_the_prompt_is_neither_purged_nor_replayed(&$fixture)
                    .await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            $(#[$ignore])?
            async fn a_purge_backs_up_what_it_removes_and_the_backup_restores_it() {
                super::a_purge_backs_up_what_it_removes_and_the_backup_restores_it(&$fixture)
                    .await;
            }
        }
    };
}

contract!(memory, Memory::default());
contract!(
    kafka,
    Kafka,
    ignore = "needs Apache Kafka: scripts/test.sh starts it and runs this with --include-ignored"
);
contract!(
    pulsar,
    Pulsar,
    ignore = "needs Apache Pulsar: scripts/test.sh starts it and runs this with --include-ignored"
);

// ---- a broker that stalls ----------------------------------------------------------------------
//
// The port's rule (issue #32): a broker that stops answering for less than `--timeout` costs
// time, never entries; only `--timeout` without any answer is exit 4, and the same command run
// again once it answers finishes the job. The in-memory broker stalls on demand, exactly when
// asked, so these run on it deterministically; the real brokers are stalled by SIGSTOP and slowed
// by a proxy in tests/cli/faults.rs, each on a broker of its own (stalling the shared ones would
// stall every other test).

/// Stalls the in-memory broker after `after_reads` more records, for `part` of the timeout.
fn stall(f: &Memory, after_reads: usize, part: f32) {
    let timeout = crate::broker::memory::connect_config().timeout;
    f.broker.faults(Faults {
        stall: Some(Stall {
            after_reads,
            silent_for: timeout.mul_f32(part),
        }),
        ..Faults::default()
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stall_within_the_timeout_costs_time_not_entries() {
    let f = Memory::default();
    // A read (list, stats, export): every entry.
    let (dlq, origin, _) = f.dead_letters(12);
    stall(&f, 5, 0.75);
    assert_eq!(
        unhandled(&f, &dlq).await,
        12,
        "the read waited out the stall"
    );
    // A replay stalled in its second pass (12 records into it: the plan read 12 first).
    stall(&f, 12 + 5, 0.75);
    let s = replay_settings(&f, &dlq);
    let r = crate::commands::replay::run_on(f.broker().await.as_mut(), &s, &mut Yes(|| {}))
        .await
        .unwrap();
    assert!(r.lost.is_none(), "{:?}", r.lost);
    assert_eq!((r.selected, r.sent, r.failed), (12, 12, 0));
    let mut marks = f.replay_marks(&origin);
    marks.sort();
    marks.dedup();
    assert_eq!(marks.len(), 12, "each entry sent once");
    assert_eq!(unhandled(&f, &dlq).await, 0);
    // A purge stalled in its plan: exactly the 12 entries.
    let (dlq, _, _) = f.dead_letters(12);
    stall(&f, 5, 0.75);
    let p = purge_settings(&f, &dlq, None);
    let purged = crate::commands::purge::run_on(f.broker().await.as_mut(), &p, &mut Yes(|| {}))
        .await
        .unwrap();
    assert_eq!((purged.selected, purged.purged), (12, 12));
    assert_eq!(unhandled(&f, &dlq).await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stall_past_the_timeout_is_exit_4_and_the_rerun_finishes() {
    let f = Memory::default();
    let (dlq, origin, _) = f.dead_letters(12);
    // A read gives up as unreachable: no short listing.
    stall(&f, 5, 2.0);
    let (read, ended) = scan_ids(&f, &dlq).await;
    let err = ended.expect_err("a read that ended on a stalled broker");
    assert!(crate::error::is_unreachable(&err), "exit 4: {err:#}");
    assert_eq!(read.len(), 5);
    // A replay stalled in its second pass: exit 4, and the rerun sends the rest once (the
    // entries confirmed before the stall are in the journal, as the CLI keeps it).
    stall(&f, 12 + 5, 2.0);
    let journal = tempfile::tempdir().unwrap();
    let mut s = replay_settings(&f, &dlq);
    s.sending.journal_dir = Some(journal.path().to_path_buf());
    let first = crate::commands::replay::run_on(f.broker().await.as_mut(), &s, &mut Yes(|| {}))
        .await
        .unwrap();
    assert!(first.lost.is_some(), "the stall was noticed");
    assert!(matches!(
        first.outcome().unwrap_err(),
        crate::error::DlqError::Unreachable(_)
    ));
    let again = crate::commands::replay::run_on(f.broker().await.as_mut(), &s, &mut Yes(|| {}))
        .await
        .unwrap();
    assert!(again.lost.is_none());
    let mut marks = f.replay_marks(&origin);
    let sent = marks.len();
    marks.sort();
    marks.dedup();
    assert_eq!(marks.len(), 12, "every entry delivered");
    assert_eq!(
        sent, 12,
        "and none twice: the rerun resumed the confirmed ones"
    );
    assert_eq!(again.resumed, 5, "{again:?}");
    assert_eq!(unhandled(&f, &dlq).await, 0);
}

// ---- what the scenarios share ----------------------------------------------------------------

fn replay_settings(f: &impl Fixture, dlq: &str) -> ReplaySettings {
    ReplaySettings {
        topic: dlq.into(),
        selection: Selection::default(),
        ids: Vec::new(),
        all: true,
        header_map: HeaderMap::default(),
        sending: sending_on(f.connect(), None),
        canary: None,
        join: false,
    }
}

fn purge_settings(f: &impl Fixture, dlq: &str, backup: Option<PathBuf>) -> PurgeSettings {
    PurgeSettings {
        backup,
        ..super::fixtures::purge_settings_on(f.connect(), dlq)
    }
}

/// The entries of `dlq` the operator has not handled, as `list` counts them.
async fn unhandled(f: &impl Fixture, dlq: &str) -> u64 {
    unhandled_ids(f, dlq).await.len() as u64
}

/// The ids of the entries of `dlq` the operator has not handled, in read order.
async fn unhandled_ids(f: &impl Fixture, dlq: &str) -> Vec<String> {
    let (ids, ended) = scan_ids(f, dlq).await;
    ended.unwrap();
    ids
}

/// A read of what the operator has not handled: the ids read, and how the read ended.
async fn scan_ids(f: &impl Fixture, dlq: &str) -> (Vec<String>, anyhow::Result<()>) {
    let mut broker = f.broker().await;
    let req = ScanRequest {
        topic: dlq.into(),
        start: StartAt::Unhandled,
        ..ScanRequest::default()
    };
    let mut scan = Scan::open(broker.as_mut(), &req, &HeaderMap::default())
        .await
        .unwrap();
    let selection = Selection::default();
    let mut filter = Selected::new(&selection);
    let mut ids = Vec::new();
    let read = async {
        while let Some(entry) = scan.next(&mut filter).await? {
            ids.push(entry.record.id.to_string());
        }
        Ok(())
    }
    .await;
    let ended = scan.close_after(read).await.map(|_| ());
    (ids, ended)
}

fn lines(path: &Path) -> usize {
    std::fs::read_to_string(path).unwrap().lines().count()
}

/// A topic name no earlier run used.
fn unique(base: &str) -> String {
    static N: AtomicU32 = AtomicU32::new(0);
    format!(
        "{base}-{}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed),
        jiff::Timestamp::now().as_millisecond()
    )
}

// ---- the in-memory broker ----------------------------------------------------------------------

#[derive(Default)]
struct Memory {
    broker: MemoryBroker,
}

impl Fixture for Memory {
    fn connect(&self) -> ConnectConfig {
        crate::broker::memory::connect_config()
    }

    async fn broker(&self) -> Box<dyn Broker> {
        Box::new(self.broker.clone())
    }

    fn dead_letters(&self, count: u32) -> (String, String, u64) {
        let origin = unique("orders");
        let dlq = format!("{origin}.DLT");
        self.broker.add_topic(&origin, 1);
        self.broker.add_topic(&dlq, 2);
        let written = (0..count).map(|_| self.one_more(&dlq, &origin)).sum();
        (dlq, origin, written)
    }

    fn one_more(&self, dlq: &str, origin: &str) -> u64 {
        // Spring Kafka's DeadLetterPublishingRecoverer headers (text values).
        self.broker.append(
            dlq,
            0,
            &unique("order"),
            &[
                ("kafka_dlt-original-topic", origin),
                (
                    "kafka_dlt-exception-fqcn",
                    "java.lang.IllegalStateException",
                ),
                ("kafka_dlt-exception-message", "bad order"),
            ],
        );
        1
    }

    fn replay_marks(&self, topic: &str) -> Vec<String> {
        self.broker
            .records(topic)
            .iter()
            .flat_map(|r| &r.headers)
            .filter(|h| h.name == "dlq-replay-of")
            .filter_map(|h| h.value.as_ref())
            .map(|v| String::from_utf8_lossy(v).into_owned())
            .collect()
    }
}

// ---- the real brokers ---------------------------------------------------------------------------

fn env(var: &str) -> String {
    std::env::var(var).unwrap_or_else(|_| {
        panic!(
            "{var} is not set: the contract suite's broker half needs the local brokers. Run \
             scripts/test.sh, or `scripts/brokers.sh up` and `eval \"$(scripts/brokers.sh env)\"`"
        )
    })
}

fn seed_script(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scripts/seed")
        .join(name)
}

/// Runs a seed script with the project's Python; its stdout.
fn python(script: &str, args: &[&str]) -> String {
    let out = Command::new(env("DLQ_PYTHON"))
        .arg(seed_script(script))
        .args(args)
        .output()
        .expect("running a seed script");
    assert!(
        out.status.success(),
        "{script} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn json_lines(text: &str) -> Vec<Value> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect()
}

fn connect_to(url: &str, security: Security) -> ConnectConfig {
    ConnectConfig {
        url: BrokerUrl::parse(url).unwrap(),
        timeout: Duration::from_secs(10),
        consumer: "dlq-cli".into(),
        security,
    }
}

struct Kafka;

impl Kafka {
    fn bootstrap() -> String {
        env("DLQ_TEST_KAFKA")
            .trim_start_matches("kafka://")
            .to_string()
    }
}

impl Fixture for Kafka {
    fn connect(&self) -> ConnectConfig {
        connect_to(&env("DLQ_TEST_KAFKA"), Security::default())
    }

    async fn broker(&self) -> Box<dyn Broker> {
        broker::connect(&self.connect()).await.unwrap()
    }

    fn dead_letters(&self, count: u32) -> (String, String, u64) {
        let origin = unique("contract-orders");
        let dlq = format!("{origin}.DLT");
        let written = u64::from(count);
        let count = count.to_string();
        python(
            "kafka_dlq.py",
            &[
                "--bootstrap",
                &Self::bootstrap(),
                "--origin",
                &origin,
                "--dlq",
                &dlq,
                "--style",
                "spring",
                "--count",
                &count,
            ],
        );
        // The official client's producer writes each once here (no dead-letter path of its own).
        (dlq, origin, written)
    }

    fn one_more(&self, dlq: &str, origin: &str) -> u64 {
        python(
            "kafka_dlq.py",
            &[
                "--bootstrap",
                &Self::bootstrap(),
                "--origin",
                origin,
                "--dlq",
                dlq,
                "--style",
                "spring",
                "--count",
                "1",
            ],
        );
        1
    }

    fn replay_marks(&self, topic: &str) -> Vec<String> {
        let read = python(
            "read_topic.py",
            &["--kafka", &Self::bootstrap(), "--topic", topic],
        );
        json_lines(&read)
            .iter()
            .flat_map(|m| m["headers"].as_array().cloned().unwrap_or_default())
            .filter(|h| h[0] == "dlq-replay-of")
            .filter_map(|h| h[1].as_str().map(base64_text))
            .collect()
    }
}

fn base64_text(b64: &str) -> String {
    String::from_utf8_lossy(
        &base64::engine::general_purpose::STANDARD
            .decode(b64)
            .unwrap(),
    )
    .into_owned()
}

struct Pulsar;

const FAILING_SUBSCRIPTION: &str = "billing";

impl Fixture for Pulsar {
    fn connect(&self) -> ConnectConfig {
        connect_to(
            &env("DLQ_TEST_PULSAR"),
            Security::Pulsar(broker::PulsarSecurity {
                admin_url: Some(env("DLQ_TEST_PULSAR_ADMIN")),
                ..broker::PulsarSecurity::default()
            }),
        )
    }

    async fn broker(&self) -> Box<dyn Broker> {
        broker::connect(&self.connect()).await.unwrap()
    }

    fn dead_letters(&self, count: u32) -> (String, String, u64) {
        let origin = unique("contract-payments");
        let written = self.seed(&origin, count);
        (
            format!("{origin}-{FAILING_SUBSCRIPTION}-DLQ"),
            format!("persistent://public/default/{origin}"),
            written,
        )
    }

    fn one_more(&self, _dlq: &str, origin: &str) -> u64 {
        let short = origin.rsplit('/').next().unwrap();
        self.seed(short, 1)
    }

    fn replay_marks(&self, topic: &str) -> Vec<String> {
        let read = python(
            "read_topic.py",
            &["--pulsar", &env("DLQ_TEST_PULSAR"), "--topic", topic],
        );
        json_lines(&read)
            .iter()
            .filter_map(|m| m["properties"]["dlq-replay-of"].as_str().map(String::from))
            .collect()
    }
}

impl Pulsar {
    /// Dead letters moved by the official client's dead-letter policy, from a consumer of
    /// `FAILING_SUBSCRIPTION` that never acknowledges: how many the client wrote (each message
    /// at least once; its dead-letter path is at-least-once).
    fn seed(&self, origin: &str, count: u32) -> u64 {
        let count = count.to_string();
        let out = python(
            "pulsar_dlq.py",
            &[
                "--url",
                &env("DLQ_TEST_PULSAR"),
                "--topic",
                origin,
                "--subscription",
                FAILING_SUBSCRIPTION,
                "--count",
                &count,
            ],
        );
        let seeded: Value = serde_json::from_str(out.trim()).expect("pulsar_dlq.py's summary");
        let (before, after) = (
            seeded["in_dlq_before"].as_u64().unwrap(),
            seeded["in_dlq"].as_u64().unwrap(),
        );
        assert!(after - before >= u64::from(count.parse::<u32>().unwrap()));
        after - before
    }
}
