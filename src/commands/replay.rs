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

use std::collections::VecDeque;
use std::io::BufRead;
use std::path::PathBuf;
use std::time::Duration;

use async_trait::async_trait;

use tokio::time::Instant;

use super::journal::Journal;
use super::scan::{Scan, Selected};
use crate::archive::{parse_line, ArchivedEntry};
use crate::broker::{self, ConnectConfig, Delivery, DlqReader, ScanNotes, ScanRequest, StartAt};
use crate::domain::conventions::HeaderMap;
use crate::domain::entry::{Entry, EntryId, Record};
use crate::domain::replay::{plan, Decision, Outgoing, ReplayOptions};
use crate::domain::selection::Selection;
use crate::error::DlqError;
pub use crate::results::replay::{thousands, Plan, Planned, ReplayUi, Summary, TargetCount};

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
    /// Where the replay journal is kept (`journal::Journal::default_dir`); `None`: nowhere.
    pub journal_dir: Option<PathBuf>,
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

    let mut journal = Journal::open(s.journal_dir.as_deref(), &journal_key(s))?;
    let mut plan = make_plan(broker, s, &selection, ui, &journal).await?;
    let mut summary = match present(broker, s, &mut plan, ui).await? {
        Go::Stop(summary) => return Ok(summary),
        Go::Execute(summary) => summary,
    };
    execute(broker, s, &selection, &plan, ui, &mut summary, &mut journal).await?;
    tracing::info!(topic = %s.topic, sent = summary.sent, skipped = summary.skipped, failed = summary.failed, unconfirmed = summary.unconfirmed, "replayed");
    if summary.lost.is_none() {
        journal.finish()?;
    }
    Ok(summary)
}

/// Which replay a journal belongs to: the broker, the DLQ and the consumer that marks it.
fn journal_key(s: &ReplaySettings) -> String {
    format!("{} {} {}", s.connect.url, s.topic, s.connect.consumer)
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
    // The plan's skips (and resumed entries) are counted again while sending.
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
        resumed: if dry_run { plan.resumed } else { 0 },
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
    // A restore marks nothing on the broker: the journal alone says which lines an earlier run
    // that the broker cut short had confirmed (the file's path and size name it).
    let canonical = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    let mut journal = Journal::open(
        s.journal_dir.as_deref(),
        &format!("{} restore {} {size}", s.connect.url, canonical.display()),
    )?;
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
        if journal.confirmed_earlier(&format!("line {line}")) {
            plan.resumed += 1;
            return Ok(());
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
        timeout: s.connect.timeout,
        journal: &mut journal,
    };
    let interval = s
        .rate
        .map(|r| Duration::from_secs_f64(1.0 / f64::from(r.max(1))));
    let mut next_send = Instant::now();
    let mut last_flush = Instant::now();
    let mut doing = "sending";
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
            if run.journal.confirmed_earlier(&label) {
                run.summary.resumed += 1;
                continue;
            }
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
                        run.summary.skips.push((label, why));
                    }
                    continue;
                }
            };
            doing = "waiting for delivery confirmations";
            if let Some(interval) = interval {
                run.settle_until(&mut marks, ui, Some(next_send), usize::MAX)
                    .await?;
                tokio::time::sleep_until(next_send).await;
                next_send = next_send.max(Instant::now() - interval) + interval;
            }
            let target = out.topic.clone();
            doing = "sending";
            match publisher.send(out).await {
                Ok(delivery) => run.window.push_back(Pending {
                    id: None,
                    label,
                    target,
                    delivery,
                }),
                Err(e) if is_lost(&e) => return Err(e),
                Err(e) => run.failed(&mut marks, None, label, target, format!("{e:#}")),
            }
            doing = "waiting for delivery confirmations";
            run.settle_until(&mut marks, ui, Some(Instant::now()), usize::MAX)
                .await?;
            if run.window.len() >= WINDOW {
                run.settle_until(&mut marks, ui, None, 1).await?;
            }
            if last_flush.elapsed() >= CHECKPOINT_EVERY {
                run.journal.flush()?;
                last_flush = Instant::now();
            }
        }
        doing = "waiting for delivery confirmations";
        run.settle_until(&mut marks, ui, None, usize::MAX).await?;
        run.journal.flush()?;
        Ok(())
    }
    .await;
    ui.progress_finish();
    drop(rx);
    if let Err(e) = &result {
        if is_lost(e) {
            run.lost(
                &broker_name(&s.connect),
                doing,
                e,
                plan.to_send(),
                Box::new(NoMarks),
                publisher,
            );
            let _ = reading.await;
            return Ok(summary);
        }
    }
    let closed = publisher.close().await;
    result?;
    if let Err(e) = closed {
        if is_lost(&e) {
            run.lost(
                &broker_name(&s.connect),
                "closing the producer",
                &e,
                plan.to_send(),
                Box::new(NoMarks),
                Box::new(Closed),
            );
            return Ok(summary);
        }
        return Err(e);
    }
    let read = reading.await;
    journal.finish()?;
    read??;
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

/// Pass 1: what would be sent, without sending or marking anything.
async fn make_plan(
    broker: &mut dyn broker::Broker,
    s: &ReplaySettings,
    selection: &Selection,
    ui: &mut dyn ReplayUi,
    journal: &Journal,
) -> anyhow::Result<Plan> {
    let mut plan = Plan {
        topic: s.topic.clone(),
        broker: s.connect.url.to_string(),
        ..Plan::default()
    };
    let mut scan = Scan::open(broker, &request(s, selection, false), &s.header_map).await?;
    let mut filter = Selected::new(selection);
    let read: anyhow::Result<()> = async {
        while let Some(entry) = scan.next(&mut filter).await? {
            if journal.confirmed_earlier(&entry.record.id.to_string()) {
                plan.resumed += 1;
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
        }
        Ok(())
    }
    .await;
    plan.ends = scan.ends.clone();
    scan.close_after(read).await?;
    Ok(plan)
}

fn plan_entry(entry: &Entry, s: &ReplaySettings) -> Decision {
    plan(entry, &entry.record.logical_topic(&s.topic), &s.options)
}

/// Pass 2: send, confirm, mark.
#[allow(clippy::too_many_arguments)]
async fn execute(
    broker: &mut dyn broker::Broker,
    s: &ReplaySettings,
    selection: &Selection,
    plan: &Plan,
    ui: &mut dyn ReplayUi,
    summary: &mut Summary,
    journal: &mut Journal,
) -> anyhow::Result<()> {
    let mut publisher = broker.publisher().await?;
    let mut scan = Scan::open(broker, &request(s, selection, true), &s.header_map)
        .await?
        .bounded_by(&plan.ends);
    let mut filter = Selected::new(selection);
    ui.progress_start(plan.to_send());
    let mut run = Run {
        window: VecDeque::new(),
        summary,
        done: 0,
        timeout: s.connect.timeout,
        journal,
    };
    let interval = s
        .rate
        .map(|r| Duration::from_secs_f64(1.0 / f64::from(r.max(1))));
    let mut next_send = Instant::now();
    let mut last_checkpoint = Instant::now();
    let ctrl_c = tokio::signal::ctrl_c();
    tokio::pin!(ctrl_c);
    // What the run was doing when an error came, for the words of a broker lost.
    let mut doing = "reading";

    let result: anyhow::Result<()> = async {
        loop {
            doing = "reading";
            let entry = tokio::select! {
                biased;
                _ = &mut ctrl_c => {
                    run.summary.interrupted = true;
                    break;
                }
                // Beyond what the plan saw, or not selected: the scan leaves it alone.
                r = scan.next(&mut filter) => match r? {
                    Some(entry) => entry,
                    None => break,
                },
            };
            let id = entry.record.id;
            if run.journal.confirmed_earlier(&id.to_string()) {
                // Confirmed by an earlier run the broker cut short: marked now, not sent again.
                doing = "marking entries handled";
                scan.reader().mark_handled(id).await?;
                run.summary.resumed += 1;
                continue;
            }
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
                    scan.reader().track_unhandled(id);
                    run.summary.skipped += 1;
                    if run.summary.skips.len() < LISTED {
                        run.summary.skips.push((id.to_string(), why));
                    }
                    continue;
                }
            };
            doing = "waiting for delivery confirmations";
            if let Some(interval) = interval {
                // Confirm what completes while waiting for the next slot.
                run.settle_until(scan.reader(), ui, Some(next_send), usize::MAX)
                    .await?;
                tokio::time::sleep_until(next_send).await;
                next_send = next_send.max(Instant::now() - interval) + interval;
            }
            let target = out.topic.clone();
            scan.reader().track_pending(id);
            doing = "sending";
            match publisher.send(out).await {
                Ok(delivery) => run.window.push_back(Pending {
                    id: Some(id),
                    label: id.to_string(),
                    target,
                    delivery,
                }),
                Err(e) if is_lost(&e) => {
                    scan.reader().track_unhandled(id);
                    return Err(e);
                }
                Err(e) => run.failed(
                    scan.reader(),
                    Some(id),
                    id.to_string(),
                    target,
                    format!("{e:#}"),
                ),
            }
            doing = "waiting for delivery confirmations";
            // Mark what is already confirmed at once: progress stays current and an
            // interrupted run keeps it.
            run.settle_until(scan.reader(), ui, Some(Instant::now()), usize::MAX)
                .await?;
            if run.window.len() >= WINDOW {
                run.settle_until(scan.reader(), ui, None, 1).await?;
            }
            if last_checkpoint.elapsed() >= CHECKPOINT_EVERY {
                doing = "saving what was handled";
                run.journal.flush()?;
                scan.reader().checkpoint().await?;
                last_checkpoint = Instant::now();
            }
        }
        // Whatever happened, settle what is in flight and make the marks durable.
        doing = "waiting for delivery confirmations";
        run.settle_until(scan.reader(), ui, None, usize::MAX).await?;
        doing = "saving what was handled";
        run.journal.flush()?;
        Ok(())
    }
    .await;
    ui.progress_finish();
    let broker_name = broker_name(&s.connect);
    match result {
        Err(e) if is_lost(&e) => {
            run.lost(
                &broker_name,
                doing,
                &e,
                plan.to_send(),
                scan.into_reader(),
                publisher,
            );
            return Ok(());
        }
        Err(e) => {
            // Not the broker: settle what is in flight before giving up, as before.
            let _ = run.settle_until(scan.reader(), ui, None, usize::MAX).await;
            let _ = publisher.close().await;
            let _ = scan.close_after(Ok(())).await;
            let _ = run.journal.flush();
            return Err(e);
        }
        Ok(()) => {}
    }
    if let Err(e) = publisher.close().await {
        if is_lost(&e) {
            run.lost(
                &broker_name,
                "closing the producer",
                &e,
                plan.to_send(),
                scan.into_reader(),
                Box::new(Closed),
            );
            return Ok(());
        }
        return Err(e);
    }
    match scan.close_after(Ok(())).await {
        Ok(((), notes)) => run.summary.warnings.extend(notes.warnings),
        Err(e) if is_lost(&e) => {
            run.lost(
                &broker_name,
                "saving what was handled",
                &e,
                plan.to_send(),
                Box::new(NoMarks),
                Box::new(Closed),
            );
            return Ok(());
        }
        Err(e) => return Err(e),
    }
    Ok(())
}

/// "Kafka at kafka://…" / "Pulsar at pulsar://…", for the words of a broker lost.
fn broker_name(c: &ConnectConfig) -> String {
    let kind = match c.url {
        broker::BrokerUrl::Kafka { .. } => "Kafka",
        broker::BrokerUrl::Pulsar { .. } => "Pulsar",
    };
    format!("{kind} at {}", c.url)
}

/// A publisher already closed (what `Run::lost` lets go of after a failed close).
struct Closed;

#[async_trait]
impl broker::Publisher for Closed {
    async fn send(&mut self, _msg: Outgoing) -> anyhow::Result<Delivery> {
        anyhow::bail!("closed")
    }
    async fn close(self: Box<Self>) -> anyhow::Result<()> {
        Ok(())
    }
}

/// A delivery under way: the entry to mark when confirmed (none for a restore), how the
/// summary and the journal name it, and its target.
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
    /// How long the oldest delivery may go unconfirmed before the broker counts as gone.
    timeout: Duration,
    journal: &'a mut Journal,
}

use crate::error::is_unreachable as is_lost;

impl Run<'_> {
    /// Settles up to `at_most` deliveries in send order, stopping early (with a deadline) at
    /// the first one not confirmed by then. A deadline in the past settles only what is
    /// already complete. Without a deadline the oldest delivery is waited for at most the
    /// timeout: then the broker counts as gone (`DlqError::Unreachable`).
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
                None => match tokio::time::timeout(self.timeout, delivery).await {
                    Ok(r) => r,
                    Err(_) => {
                        return Err(DlqError::Unreachable(format!(
                            "no delivery confirmed for {}s",
                            self.timeout.as_secs_f32()
                        ))
                        .into())
                    }
                },
            };
            let p = self.window.pop_front().expect("front exists");
            self.settle(reader, ui, p, result).await?;
        }
        Ok(())
    }

    /// Counts one delivery's outcome; a confirmed entry is journaled and marked handled.
    async fn settle(
        &mut self,
        reader: &mut dyn DlqReader,
        ui: &mut dyn ReplayUi,
        p: Pending,
        result: anyhow::Result<()>,
    ) -> anyhow::Result<()> {
        self.done += 1;
        ui.progress(self.done);
        match result {
            Ok(()) => {
                tracing::debug!(id = %p.label, target = %p.target, status = "sent", "entry");
                self.summary.sent += 1;
                self.summary.targets.entry(p.target).or_default().sent += 1;
                self.journal.confirmed(p.label);
                if let Some(id) = p.id {
                    reader.mark_handled(id).await?;
                }
            }
            Err(e) if is_lost(&e) => {
                if let Some(id) = p.id {
                    reader.track_unhandled(id);
                }
                self.summary.unconfirmed += 1;
                return Err(e);
            }
            Err(e) => self.failed(reader, p.id, p.label, p.target, format!("{e:#}")),
        }
        Ok(())
    }

    /// The broker went away: what is confirmed already is counted (and journaled; marking it
    /// on the broker would wait for the broker), everything else in flight is unconfirmed.
    fn settle_after_loss(&mut self, reader: &mut dyn DlqReader) {
        while let Some(mut p) = self.window.pop_front() {
            match futures::FutureExt::now_or_never(&mut p.delivery) {
                Some(Ok(())) => {
                    self.summary.sent += 1;
                    self.summary.targets.entry(p.target).or_default().sent += 1;
                    self.journal.confirmed(p.label);
                }
                Some(Err(e)) if !is_lost(&e) => {
                    self.failed(reader, p.id, p.label, p.target, format!("{e:#}"))
                }
                _ => {
                    if let Some(id) = p.id {
                        reader.track_unhandled(id);
                    }
                    self.summary.unconfirmed += 1;
                }
            }
        }
    }

    /// Ends a run the broker cut short: the summary says what was doing and what is where, the
    /// journal keeps what was confirmed, and nothing waits for the broker any more (the
    /// reader's and publisher's clients are let go unclosed: closing would wait for it).
    fn lost(
        &mut self,
        broker: &str,
        doing: &str,
        e: &anyhow::Error,
        planned: u64,
        reader: Box<dyn DlqReader>,
        publisher: Box<dyn broker::Publisher>,
    ) {
        self.settle_after_loss(&mut NoMarks);
        std::mem::forget(reader);
        std::mem::forget(publisher);
        let s = &mut *self.summary;
        s.not_sent = planned.saturating_sub(s.sent + s.failed + s.unconfirmed + s.skipped);
        s.lost = Some(format!(
            "lost the connection to {broker} while {doing} ({e:#})"
        ));
        match self.journal.flush() {
            Ok(()) if self.journal.is_kept() => {
                s.journal = Some(self.journal.path().to_path_buf());
            }
            Ok(()) => {}
            Err(e) => s.warnings.push(format!(
                "the replay journal could not be written ({e:#}): a rerun sends again what this run sent"
            )),
        }
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
            journal_dir: None,
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
    async fn a_broker_lost_mid_replay_is_exit_4_with_counts_and_the_rerun_sends_only_the_rest() {
        let b = MemoryBroker::default()
            .with_topic("t.DLT", 1)
            .with_topic("t", 1);
        for i in 0..10 {
            b.append("t.DLT", 0, &format!("k{i}"), &[]);
        }
        // Silent after 4 confirmations; of the 6 sent after that, 2 were written all the same.
        b.faults(Faults {
            lose_after: Some(4),
            written_after_loss: 2,
            ..Faults::default()
        });
        let journal = tempfile::tempdir().unwrap();
        let mut s = settings("t.DLT", "t");
        s.journal_dir = Some(journal.path().to_path_buf());
        let first = run_on(&mut b.clone(), &s, &mut Ui(|| {})).await.unwrap();
        assert!(first
            .lost
            .as_deref()
            .unwrap()
            .contains("waiting for delivery confirmations"));
        assert_eq!((first.sent, first.unconfirmed, first.not_sent), (4, 6, 0));
        let err = first.outcome().unwrap_err();
        assert!(matches!(err, DlqError::Unreachable(_)), "exit 4");
        assert!(err.to_string().contains(
            "4 sent and confirmed, 6 sent without confirmation (they may arrive twice on a rerun), 0 not sent"
        ));
        assert_eq!(
            b.committed("t.DLT", 0),
            None,
            "nothing committed on a silent broker"
        );
        assert!(first.journal.as_ref().is_some_and(|j| j.exists()));

        b.faults(Faults::default());
        let again = run_on(&mut b.clone(), &s, &mut Ui(|| {})).await.unwrap();
        assert!(again.lost.is_none());
        assert_eq!(
            (again.resumed, again.sent),
            (4, 6),
            "the journal's 4 are not sent again"
        );
        assert_eq!(
            keys(&b.published()),
            ["k0", "k1", "k2", "k3", "k4", "k5", "k4", "k5", "k6", "k7", "k8", "k9"],
            "every entry at least once; twice only k4 and k5, which were unconfirmed"
        );
        assert_eq!(b.committed("t.DLT", 0), Some(10));
        assert!(
            !first.journal.unwrap().exists(),
            "gone once a run completes"
        );
    }

    #[tokio::test]
    async fn a_restore_cut_short_continues_from_the_lines_the_broker_confirmed() {
        let b = MemoryBroker::default()
            .with_topic("t.DLT", 1)
            .with_topic("t", 1);
        for i in 0..6 {
            b.append("t.DLT", 0, &format!("k{i}"), &[]);
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("export.jsonl");
        let mut w = crate::archive::ArchiveWriter::create(&path).unwrap();
        let mut reader = broker::Broker::open(
            &mut b.clone(),
            &ScanRequest {
                topic: "t.DLT".into(),
                ..ScanRequest::default()
            },
        )
        .await
        .unwrap();
        while let Some(record) = reader.next().await.unwrap() {
            let entry = Entry {
                context: crate::domain::conventions::explain(&record, &HeaderMap::default()),
                record,
            };
            w.write(&ArchivedEntry::of(&entry, "t.DLT")).unwrap();
        }
        w.sync().unwrap();
        b.faults(Faults {
            lose_after: Some(2),
            ..Faults::default()
        });
        let mut s = settings("t.DLT", "t");
        s.from_file = Some(path);
        s.journal_dir = Some(dir.path().join("journal"));
        let first = run_on(&mut b.clone(), &s, &mut Ui(|| {})).await.unwrap();
        assert_eq!((first.sent, first.unconfirmed, first.not_sent), (2, 4, 0));
        assert!(first
            .outcome()
            .is_err_and(|e| matches!(e, DlqError::Unreachable(_))));
        b.faults(Faults::default());
        let again = run_on(&mut b.clone(), &s, &mut Ui(|| {})).await.unwrap();
        assert_eq!(
            (again.resumed, again.sent),
            (2, 4),
            "lines 1 and 2 are not sent again"
        );
        assert_eq!(keys(&b.published()), ["k0", "k1", "k2", "k3", "k4", "k5"]);
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
