//! `dlq replay TOPIC [selection]`: send dead letters back to their origin topic (or `--to`).
//!
//! Two passes. The first reads the selection and builds the plan (how many entries to which
//! topic, what is skipped and why) without marking anything. After confirmation the second
//! pass reads again and, for each entry, publishes its copy, waits for the broker to confirm
//! it, and only then marks the entry handled. The second pass never goes beyond what the first
//! one saw, so entries arriving after the plan are not replayed by surprise.
//!
//! Interrupted at any point, a re-run continues: marks are made only after confirmation and
//! made durable every second, so the worst case is an entry sent twice, both copies carrying
//! the same `dlq-replay-of`.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::io::BufRead;
use std::path::PathBuf;
use std::time::Duration;

use async_trait::async_trait;

use tokio::time::Instant;

use crate::archive::{parse_line, ArchivedEntry};
use crate::broker::{self, ConnectConfig, Delivery, DlqReader, ScanNotes, ScanRequest, StartAt};
use crate::domain::conventions::{explain, HeaderMap};
use crate::domain::entry::{Entry, EntryId, Record};
use crate::domain::replay::{plan, Decision, Outgoing, ReplayOptions};
use crate::domain::selection::Selection;
use crate::error::DlqError;

/// Deliveries awaiting confirmation at once: bounds memory, keeps the pipe full. 256 capped the
/// sending pass on tansu (the stand-in used before) at ~33,000 entries/s, 1,024 lets it run about three times faster
/// (docs/BENCHMARKS.md); 1,024 copies of a dead letter are a few MB.
const WINDOW: usize = 1024;
/// How often marks are made durable during a run.
const CHECKPOINT_EVERY: Duration = Duration::from_secs(1);
/// How many planned entries the plan shows, and how many skips and failures a summary lists.
pub const SHOWN: usize = 5;
const LISTED: usize = 100;

pub struct ReplaySettings {
    pub topic: String,
    pub connect: ConnectConfig,
    pub selection: Selection,
    /// `--id` values, parsed once the broker is known.
    pub ids: Vec<String>,
    /// `--all`: the whole topic, on purpose.
    pub all: bool,
    pub header_map: HeaderMap,
    pub options: ReplayOptions,
    /// Messages per second at most.
    pub rate: Option<u32>,
    pub dry_run: bool,
    pub yes: bool,
    /// Publish the entries of an export or backup instead of reading a DLQ.
    pub from_file: Option<PathBuf>,
}

/// One entry the plan shows.
#[derive(Debug, Clone)]
pub struct Planned {
    pub id: String,
    pub target: String,
    pub partition: Option<i32>,
    pub key: Option<Vec<u8>>,
    pub size_bytes: u64,
    pub header_names: Vec<String>,
}

#[derive(Debug, Clone, Default)]
pub struct Plan {
    pub topic: String,
    pub broker: String,
    /// Entries the selection matched.
    pub selected: u64,
    /// Per target topic, entries to send.
    pub targets: BTreeMap<String, u64>,
    pub skipped: u64,
    /// The first skips, with reasons.
    pub skips: Vec<(String, String)>,
    /// The first entries to send.
    pub first: Vec<Planned>,
    /// Per partition (-1 when unpartitioned), the last entry read: pass 2 stops there.
    ends: BTreeMap<i32, EntryId>,
    /// Targets the broker says do not exist.
    pub missing_targets: BTreeSet<String>,
}

impl Plan {
    pub fn to_send(&self) -> u64 {
        self.targets.values().sum()
    }
}

#[derive(Debug, Clone, Default)]
pub struct TargetCount {
    pub planned: u64,
    pub sent: u64,
    pub failed: u64,
}

#[derive(Debug, Clone, Default)]
pub struct Summary {
    pub topic: String,
    pub dry_run: bool,
    pub selected: u64,
    pub sent: u64,
    pub skipped: u64,
    pub failed: u64,
    pub targets: BTreeMap<String, TargetCount>,
    pub skips: Vec<(String, String)>,
    /// (entry id, target, reason)
    pub failures: Vec<(String, String, String)>,
    pub warnings: Vec<String>,
    pub interrupted: bool,
}

/// How the command talks to the person (or script) running it. The output layer implements it.
pub trait ReplayUi: Send {
    /// The plan, before anything is sent.
    fn plan(&mut self, plan: &Plan) -> std::io::Result<()>;
    /// `--dry-run`: one message that would be sent.
    fn would_send(&mut self, id: &str, out: &Outgoing) -> std::io::Result<()>;
    /// Asks to go ahead; `None` when there is no terminal to ask on.
    fn confirm(&mut self, plan: &Plan) -> std::io::Result<Option<bool>>;
    fn progress_start(&mut self, total: u64);
    fn progress(&mut self, done: u64);
    fn progress_finish(&mut self);
}

fn partition_key(id: &EntryId) -> i32 {
    id.partition().unwrap_or(-1)
}

pub async fn run(s: &ReplaySettings, ui: &mut dyn ReplayUi) -> anyhow::Result<Summary> {
    let mut broker = broker::connect(&s.connect).await?;
    run_on(broker.as_mut(), s, ui).await
}

/// `run` on a broker already connected (the tests' in-memory one among them).
pub async fn run_on(
    broker: &mut dyn broker::Broker,
    s: &ReplaySettings,
    ui: &mut dyn ReplayUi,
) -> anyhow::Result<Summary> {
    if let Some(path) = &s.from_file {
        return from_file(broker, s, path, ui).await;
    }
    let mut selection = s.selection.clone();
    for raw in &s.ids {
        selection.ids.push(broker.parse_id(raw)?);
    }
    if selection.selects_everything() && !s.all {
        return Err(DlqError::Usage(
            "replay needs a selection: filters (--since, --grep, --origin, …), --id ID, or --all for every entry".into(),
        )
        .into());
    }

    let mut plan = make_plan(broker, s, &selection, ui).await?;
    let mut summary = match present(broker, s, &mut plan, ui).await? {
        Go::Stop(summary) => return Ok(summary),
        Go::Execute(summary) => summary,
    };
    execute(broker, s, &selection, &plan, ui, &mut summary).await?;
    tracing::info!(topic = %s.topic, sent = summary.sent, skipped = summary.skipped, failed = summary.failed, "replayed");
    Ok(summary)
}

enum Go {
    /// A dry run, or nothing to send: the summary of the plan.
    Stop(Summary),
    /// Confirmed: the summary to fill while sending.
    Execute(Summary),
}

/// Marks targets that do not exist, shows the plan and asks (unless `--yes`).
async fn present(
    broker: &mut dyn broker::Broker,
    s: &ReplaySettings,
    plan: &mut Plan,
    ui: &mut dyn ReplayUi,
) -> anyhow::Result<Go> {
    for target in plan.targets.keys() {
        if broker.topic_exists(target).await? == Some(false) {
            plan.missing_targets.insert(target.clone());
        }
    }
    ui.plan(plan)?;
    let mut summary = summary_of(plan, s.dry_run);
    if s.dry_run || plan.to_send() == 0 {
        return Ok(Go::Stop(summary));
    }
    confirm(s, plan, ui)?;
    // The plan's skips are counted again while sending.
    summary.skipped = 0;
    summary.skips.clear();
    Ok(Go::Execute(summary))
}

fn confirm(s: &ReplaySettings, plan: &Plan, ui: &mut dyn ReplayUi) -> anyhow::Result<()> {
    if s.yes {
        return Ok(());
    }
    match ui.confirm(plan)? {
        Some(true) => Ok(()),
        Some(false) => Err(DlqError::Declined("replay declined; nothing was sent".into()).into()),
        None => Err(DlqError::Declined(format!(
            "replaying {} entries needs confirmation and there is no terminal to ask on; pass -y/--yes",
            plan.to_send()
        ))
        .into()),
    }
}

fn summary_of(plan: &Plan, dry_run: bool) -> Summary {
    Summary {
        topic: plan.topic.clone(),
        dry_run,
        selected: plan.selected,
        skipped: plan.skipped,
        skips: plan.skips.clone(),
        targets: plan
            .targets
            .iter()
            .map(|(t, n)| {
                (
                    t.clone(),
                    TargetCount {
                        planned: *n,
                        ..Default::default()
                    },
                )
            })
            .collect(),
        ..Summary::default()
    }
}

/// What a restore sends for one archived entry: the entry as it was, to its DLQ or `--to`.
fn restore(a: &ArchivedEntry, opts: &ReplayOptions) -> Result<Outgoing, String> {
    Ok(Outgoing {
        topic: opts.to.clone().unwrap_or_else(|| a.topic.clone()),
        partition: if opts.keep_partition {
            a.partition
        } else {
            None
        },
        key: a.key_bytes()?,
        payload: a.payload_bytes()?,
        headers: a.header_list()?,
    })
}

/// Calls `each` with every line of the file, parsed (or why not), with its line number.
fn for_each_archived(
    path: &std::path::Path,
    mut each: impl FnMut(usize, Result<ArchivedEntry, String>) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let file = std::fs::File::open(path)
        .map_err(|e| DlqError::Usage(format!("cannot read {}: {e}", path.display())))?;
    for (i, line) in std::io::BufReader::new(file).lines().enumerate() {
        let line = line.map_err(|e| anyhow::anyhow!("reading {}: {e}", path.display()))?;
        if line.trim().is_empty() {
            continue;
        }
        each(i + 1, parse_line(&line, i + 1))?;
    }
    Ok(())
}

/// `replay --from-file`: publishes an export or backup as it was. There is nothing to mark
/// handled; a re-run of an interrupted restore sends everything again.
async fn from_file(
    broker: &mut dyn broker::Broker,
    s: &ReplaySettings,
    path: &std::path::Path,
    ui: &mut dyn ReplayUi,
) -> anyhow::Result<Summary> {
    if !s.selection.selects_everything() || !s.ids.is_empty() {
        return Err(DlqError::Usage(
            "--from-file replays the whole file; it takes no filters or --id".into(),
        )
        .into());
    }
    let mut plan = Plan {
        topic: path.display().to_string(),
        broker: s.connect.url.to_string(),
        ..Plan::default()
    };
    for_each_archived(path, |line, parsed| {
        if parsed.as_ref().is_ok_and(|a| a.redacted) {
            return Err(DlqError::Usage(format!(
                "{} (line {line}) is a redacted export (`dlq export --redact`): its keys, headers and \
                 payloads are masks, and replaying it would publish them. Nothing was sent; replay an \
                 export made without --redact, or a purge backup",
                path.display()
            ))
            .into());
        }
        plan.selected += 1;
        match parsed.and_then(|a| restore(&a, &s.options).map(|o| (a, o))) {
            Ok((a, out)) => {
                if s.dry_run {
                    ui.would_send(&format!("line {line} ({})", a.id), &out)?;
                }
                if plan.first.len() < SHOWN {
                    plan.first.push(Planned {
                        id: format!("line {line} ({})", a.id),
                        target: out.topic.clone(),
                        partition: out.partition,
                        key: out.key.clone(),
                        size_bytes: out.payload.as_ref().map_or(0, |p| p.len() as u64),
                        header_names: out.headers.iter().map(|h| h.name.clone()).collect(),
                    });
                }
                *plan.targets.entry(out.topic).or_default() += 1;
            }
            Err(why) => {
                plan.skipped += 1;
                if plan.skips.len() < LISTED {
                    plan.skips.push((format!("line {line}"), why));
                }
            }
        }
        Ok(())
    })?;
    let mut summary = match present(broker, s, &mut plan, ui).await? {
        Go::Stop(summary) => return Ok(summary),
        Go::Execute(summary) => summary,
    };

    let mut publisher = broker.publisher().await?;
    let mut marks = NoMarks;
    ui.progress_start(plan.to_send());
    let mut run = Run {
        window: VecDeque::new(),
        summary: &mut summary,
        done: 0,
    };
    let interval = s
        .rate
        .map(|r| Duration::from_secs_f64(1.0 / f64::from(r.max(1))));
    let mut next_send = Instant::now();
    // Lines are read one at a time; sending is async, so they pass through a small channel.
    let (tx, mut rx) = tokio::sync::mpsc::channel::<(usize, Result<ArchivedEntry, String>)>(WINDOW);
    let path_owned = path.to_path_buf();
    let reading = tokio::task::spawn_blocking(move || {
        for_each_archived(&path_owned, |line, parsed| {
            tx.blocking_send((line, parsed))
                .map_err(|_| anyhow::anyhow!("stopped"))
        })
    });
    let result: anyhow::Result<()> = async {
        while let Some((line, parsed)) = rx.recv().await {
            let label = format!("line {line}");
            let out = match parsed.and_then(|a| restore(&a, &s.options)) {
                Ok(out) if plan.missing_targets.contains(&out.topic) => {
                    Err(format!("target topic '{}' does not exist", out.topic))
                }
                other => other,
            };
            let out = match out {
                Ok(out) => out,
                Err(why) => {
                    run.summary.skipped += 1;
                    if run.summary.skips.len() < LISTED {
                        run.summary.skips.push((format!("line {line}"), why));
                    }
                    continue;
                }
            };
            if let Some(interval) = interval {
                run.settle_until(&mut marks, ui, Some(next_send), usize::MAX)
                    .await?;
                tokio::time::sleep_until(next_send).await;
                next_send = next_send.max(Instant::now() - interval) + interval;
            }
            let target = out.topic.clone();
            match publisher.send(out).await {
                Ok(delivery) => run.window.push_back(Pending {
                    id: None,
                    label,
                    target,
                    delivery,
                }),
                Err(e) => run.failed(&mut marks, None, label, target, format!("{e:#}")),
            }
            run.settle_until(&mut marks, ui, Some(Instant::now()), usize::MAX)
                .await?;
            if run.window.len() >= WINDOW {
                run.settle_until(&mut marks, ui, None, 1).await?;
            }
        }
        Ok(())
    }
    .await;
    run.settle_until(&mut marks, ui, None, usize::MAX).await?;
    ui.progress_finish();
    publisher.close().await?;
    result?;
    reading.await??;
    Ok(summary)
}

/// A restore marks nothing: the file is not a queue.
struct NoMarks;

#[async_trait]
impl DlqReader for NoMarks {
    async fn next(&mut self) -> anyhow::Result<Option<Record>> {
        Ok(None)
    }
    async fn mark_handled(&mut self, _id: EntryId) -> anyhow::Result<()> {
        Ok(())
    }
    async fn checkpoint(&mut self) -> anyhow::Result<()> {
        Ok(())
    }
    async fn close(self: Box<Self>) -> anyhow::Result<ScanNotes> {
        Ok(ScanNotes::default())
    }
}

fn request(s: &ReplaySettings, selection: &Selection, track: bool) -> ScanRequest {
    ScanRequest {
        topic: s.topic.clone(),
        partitions: selection.partitions.clone(),
        since: selection.since,
        start: StartAt::Unhandled,
        track,
    }
}

fn entry_of(record: Record, header_map: &HeaderMap) -> Entry {
    Entry {
        context: explain(&record, header_map),
        record,
    }
}

/// Pass 1: what would be sent, without sending or marking anything.
async fn make_plan(
    broker: &mut dyn broker::Broker,
    s: &ReplaySettings,
    selection: &Selection,
    ui: &mut dyn ReplayUi,
) -> anyhow::Result<Plan> {
    let mut plan = Plan {
        topic: s.topic.clone(),
        broker: s.connect.url.to_string(),
        ..Plan::default()
    };
    let mut reader = broker.open(&request(s, selection, false)).await?;
    let read: anyhow::Result<()> = async {
        while let Some(record) = reader.next().await? {
            plan.ends.insert(partition_key(&record.id), record.id);
            let entry = entry_of(record, &s.header_map);
            if !selection.matches(&entry) {
                continue;
            }
            plan.selected += 1;
            let id = entry.record.id.to_string();
            match plan_entry(&entry, s) {
                Decision::Send(out) => {
                    if s.dry_run {
                        ui.would_send(&id, &out)?;
                    }
                    if plan.first.len() < SHOWN {
                        plan.first.push(Planned {
                            id,
                            target: out.topic.clone(),
                            partition: out.partition,
                            key: out.key.clone(),
                            size_bytes: out.payload.as_ref().map_or(0, |p| p.len() as u64),
                            header_names: out.headers.iter().map(|h| h.name.clone()).collect(),
                        });
                    }
                    *plan.targets.entry(out.topic).or_default() += 1;
                }
                Decision::Skip(why) => {
                    plan.skipped += 1;
                    if plan.skips.len() < LISTED {
                        plan.skips.push((id, why));
                    }
                }
            }
            if selection.limit.is_some_and(|l| plan.selected >= l) {
                break;
            }
        }
        Ok(())
    }
    .await;
    reader.close().await?;
    read?;
    Ok(plan)
}

fn plan_entry(entry: &Entry, s: &ReplaySettings) -> Decision {
    plan(entry, &entry.record.topic_or(&s.topic), &s.options)
}

/// Pass 2: send, confirm, mark.
async fn execute(
    broker: &mut dyn broker::Broker,
    s: &ReplaySettings,
    selection: &Selection,
    plan: &Plan,
    ui: &mut dyn ReplayUi,
    summary: &mut Summary,
) -> anyhow::Result<()> {
    let mut publisher = broker.publisher().await?;
    let mut reader = broker.open(&request(s, selection, true)).await?;
    ui.progress_start(plan.to_send());
    let mut run = Run {
        window: VecDeque::new(),
        summary,
        done: 0,
    };
    let interval = s
        .rate
        .map(|r| Duration::from_secs_f64(1.0 / f64::from(r.max(1))));
    let mut next_send = Instant::now();
    let mut last_checkpoint = Instant::now();
    let mut matched = 0u64;
    let ctrl_c = tokio::signal::ctrl_c();
    tokio::pin!(ctrl_c);

    let result: anyhow::Result<()> = async {
        loop {
            let record = tokio::select! {
                biased;
                _ = &mut ctrl_c => {
                    run.summary.interrupted = true;
                    break;
                }
                r = reader.next() => match r? {
                    Some(r) => r,
                    None => break,
                },
            };
            let id = record.id;
            let part = partition_key(&id);
            // Beyond what the plan saw, or not selected: not this run's business.
            let beyond = plan.ends.get(&part).is_none_or(|end| id.is_after(end));
            let entry = entry_of(record, &s.header_map);
            let limited = selection.limit.is_some_and(|l| matched >= l);
            if beyond || limited || !selection.matches(&entry) {
                reader.track_unhandled(id);
                continue;
            }
            matched += 1;
            let out = match plan_entry(&entry, s) {
                Decision::Send(out) if plan.missing_targets.contains(&out.topic) => {
                    Err(format!("target topic '{}' does not exist", out.topic))
                }
                Decision::Send(out) => Ok(out),
                Decision::Skip(why) => Err(why),
            };
            let out = match out {
                Ok(out) => out,
                Err(why) => {
                    tracing::debug!(topic = %s.topic, %id, status = "skipped", reason = %why, "entry");
                    reader.track_unhandled(id);
                    run.summary.skipped += 1;
                    if run.summary.skips.len() < LISTED {
                        run.summary.skips.push((id.to_string(), why));
                    }
                    continue;
                }
            };
            if let Some(interval) = interval {
                // Confirm what completes while waiting for the next slot.
                run.settle_until(reader.as_mut(), ui, Some(next_send), usize::MAX)
                    .await?;
                tokio::time::sleep_until(next_send).await;
                next_send = next_send.max(Instant::now() - interval) + interval;
            }
            let target = out.topic.clone();
            reader.track_pending(id);
            match publisher.send(out).await {
                Ok(delivery) => run.window.push_back(Pending {
                    id: Some(id),
                    label: id.to_string(),
                    target,
                    delivery,
                }),
                Err(e) => run.failed(
                    reader.as_mut(),
                    Some(id),
                    id.to_string(),
                    target,
                    format!("{e:#}"),
                ),
            }
            // Mark what is already confirmed at once: progress stays current and an
            // interrupted run keeps it.
            run.settle_until(reader.as_mut(), ui, Some(Instant::now()), usize::MAX)
                .await?;
            if run.window.len() >= WINDOW {
                run.settle_until(reader.as_mut(), ui, None, 1).await?;
            }
            if last_checkpoint.elapsed() >= CHECKPOINT_EVERY {
                reader.checkpoint().await?;
                last_checkpoint = Instant::now();
            }
        }
        Ok(())
    }
    .await;

    // Whatever happened, settle what is in flight and make the marks durable.
    run.settle_until(reader.as_mut(), ui, None, usize::MAX)
        .await?;
    ui.progress_finish();
    let closed_publisher = publisher.close().await;
    let notes = reader.close().await?;
    run.summary.warnings.extend(notes.warnings);
    result?;
    closed_publisher?;
    Ok(())
}

/// A delivery under way: the entry to mark when confirmed (none for a restore), how the
/// summary names it, and its target.
struct Pending {
    id: Option<EntryId>,
    label: String,
    target: String,
    delivery: Delivery,
}

struct Run<'a> {
    window: VecDeque<Pending>,
    summary: &'a mut Summary,
    done: u64,
}

impl Run<'_> {
    /// Settles up to `at_most` deliveries in send order, stopping early (with a deadline) at
    /// the first one not confirmed by then. A deadline in the past settles only what is
    /// already complete.
    async fn settle_until(
        &mut self,
        reader: &mut dyn DlqReader,
        ui: &mut dyn ReplayUi,
        deadline: Option<Instant>,
        at_most: usize,
    ) -> anyhow::Result<()> {
        for _ in 0..at_most {
            let Some(Pending { delivery, .. }) = self.window.front_mut() else {
                break;
            };
            let result = match deadline {
                // Already due: look once, without a timer. tokio rounds a timer up to its next
                // millisecond tick, so a timeout that is already due still waits ~1 ms, which
                // capped replay at ~700 entries/s (found with scripts/bench.sh).
                Some(d) if d <= Instant::now() => {
                    match futures::FutureExt::now_or_never(&mut *delivery) {
                        Some(r) => r,
                        None => return Ok(()),
                    }
                }
                // The delivery is polled before the deadline is checked.
                Some(d) => match tokio::time::timeout_at(d, delivery).await {
                    Ok(r) => r,
                    Err(_) => return Ok(()),
                },
                None => delivery.await,
            };
            let p = self.window.pop_front().expect("front exists");
            match result {
                Ok(()) => {
                    tracing::debug!(id = %p.label, target = %p.target, status = "sent", "entry");
                    if let Some(id) = p.id {
                        reader.mark_handled(id).await?;
                    }
                    self.summary.sent += 1;
                    self.summary.targets.entry(p.target).or_default().sent += 1;
                }
                Err(e) => self.failed(reader, p.id, p.label, p.target, format!("{e:#}")),
            }
            self.done += 1;
            ui.progress(self.done);
        }
        Ok(())
    }

    fn failed(
        &mut self,
        reader: &mut dyn DlqReader,
        id: Option<EntryId>,
        label: String,
        target: String,
        why: String,
    ) {
        if let Some(id) = id {
            reader.track_unhandled(id);
        }
        self.summary.failed += 1;
        if self.summary.failures.len() < LISTED {
            self.summary.failures.push((label, target.clone(), why));
        }
        self.summary.targets.entry(target).or_default().failed += 1;
    }
}

trait TopicOr {
    fn topic_or(&self, fallback: &str) -> String;
}

impl TopicOr for Record {
    /// The DLQ topic as the broker names it, for the `dlq-replay-of` marker; a Pulsar
    /// partition's topic is named by its partitioned topic.
    fn topic_or(&self, fallback: &str) -> String {
        if self.topic.is_empty() {
            return fallback.to_string();
        }
        match self.topic.rsplit_once("-partition-") {
            Some((base, n)) if n.parse::<u32>().is_ok() => base.to_string(),
            _ => self.topic.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::broker::memory::{Faults, MemoryBroker};

    fn settings(topic: &str, to: &str) -> ReplaySettings {
        ReplaySettings {
            topic: topic.into(),
            connect: crate::broker::memory::connect_config(),
            selection: Selection::default(),
            ids: Vec::new(),
            all: true,
            header_map: HeaderMap::default(),
            options: ReplayOptions {
                to: Some(to.into()),
                keep_partition: false,
                keep_dlq_headers: false,
                max_replays: 3,
            },
            rate: None,
            dry_run: false,
            yes: true,
            from_file: None,
        }
    }

    /// Says yes; `on_confirm` runs while "the prompt is open".
    struct Ui<F: FnMut() + Send>(F);

    impl<F: FnMut() + Send> ReplayUi for Ui<F> {
        fn plan(&mut self, _plan: &Plan) -> std::io::Result<()> {
            Ok(())
        }
        fn would_send(&mut self, _id: &str, _out: &Outgoing) -> std::io::Result<()> {
            Ok(())
        }
        fn confirm(&mut self, _plan: &Plan) -> std::io::Result<Option<bool>> {
            (self.0)();
            Ok(Some(true))
        }
        fn progress_start(&mut self, _total: u64) {}
        fn progress(&mut self, _done: u64) {}
        fn progress_finish(&mut self) {}
    }

    fn keys(out: &[Outgoing]) -> Vec<String> {
        out.iter()
            .map(|o| String::from_utf8(o.key.clone().unwrap()).unwrap())
            .collect()
    }

    #[tokio::test]
    async fn a_failed_delivery_is_counted_and_nothing_after_it_is_marked() {
        let b = MemoryBroker::default()
            .with_topic("t.DLT", 1)
            .with_topic("t", 1);
        for i in 0..4 {
            b.append("t.DLT", 0, &format!("k{i}"), &[]);
        }
        b.faults(Faults {
            fail_keys: [b"k1".to_vec()].into(),
            ..Faults::default()
        });
        let summary = run_on(&mut b.clone(), &settings("t.DLT", "t"), &mut Ui(|| {}))
            .await
            .unwrap();
        assert_eq!((summary.selected, summary.sent, summary.failed), (4, 3, 1));
        assert_eq!(summary.failures[0].0, "0:1");
        assert_eq!(keys(&b.published()), ["k0", "k2", "k3"]);
        // Kafka marks a prefix: k0 is handled, k1 failed, so the group stops at offset 1 and a
        // rerun offers k1..k3 again (k2 and k3 would arrive twice, marked dlq-replay-of).
        assert_eq!(b.committed("t.DLT", 0), Some(1));
        let again = run_on(&mut b.clone(), &settings("t.DLT", "t"), &mut Ui(|| {}))
            .await
            .unwrap();
        assert_eq!(
            (again.selected, again.failed),
            (3, 1),
            "the rerun starts at the failure"
        );
    }

    #[tokio::test]
    async fn an_entry_arriving_while_the_prompt_is_open_is_not_replayed() {
        let b = MemoryBroker::default()
            .with_topic("t.DLT", 1)
            .with_topic("t", 1);
        for i in 0..3 {
            b.append("t.DLT", 0, &format!("k{i}"), &[]);
        }
        let arrives = b.clone();
        let mut s = settings("t.DLT", "t");
        s.yes = false;
        let summary = run_on(
            &mut b.clone(),
            &s,
            &mut Ui(move || {
                arrives.append("t.DLT", 0, "late", &[]);
            }),
        )
        .await
        .unwrap();
        assert_eq!(summary.sent, 3);
        assert_eq!(keys(&b.published()), ["k0", "k1", "k2"]);
        assert_eq!(
            b.committed("t.DLT", 0),
            Some(3),
            "the late entry stays unhandled"
        );
    }
}
