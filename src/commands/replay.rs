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

use tokio::time::Instant;

use super::engine::journal::Journal;
use super::engine::scan::{Scan, Selected};
pub(crate) use super::engine::sending::Sending;
use super::engine::sending::{
    add_to_plan, is_lost, present, skip_in_plan, Go, Preparing, Refusal, Run, CHECKPOINT_EVERY,
    WINDOW,
};
use std::collections::HashSet;

use crate::broker::{self, Follower, ScanRequest, StartAt};
use crate::domain::conventions::HeaderMap;
use crate::domain::entry::Entry;
use crate::domain::replay::{plan, Decision, REPLAY_OF};
use crate::domain::selection::Selection;
use crate::error::DlqError;
use crate::results::replay::CanaryOutcome;
pub(crate) use crate::results::replay::{Plan, ReplayUi, Summary};
use crate::{cli, settings};

/// `--canary-wait` when not given: long enough for a consumer's retries to give up.
const CANARY_WAIT: &str = "30s";

pub(crate) struct ReplaySettings {
    pub topic: String,
    pub selection: Selection,
    /// `--id` values, parsed once the broker is known.
    pub ids: Vec<String>,
    /// `--all`: the whole topic, on purpose.
    pub all: bool,
    pub header_map: HeaderMap,
    pub sending: Sending,
    /// `--canary N --canary-wait D`: send N first, wait D, stop if any comes back to the DLQ.
    pub canary: Option<(u64, std::time::Duration)>,
    /// `--join`: replay as one member of the operator group (no plan pass).
    pub join: bool,
}

impl ReplaySettings {
    /// `dlq replay TOPIC [selection]`'s arguments (the context already applied) as validated
    /// settings.
    pub(crate) fn from_args(a: cli::ReplayArgs) -> anyhow::Result<Self> {
        let canary = match (a.canary, a.canary_wait.as_deref()) {
            (None, Some(_)) => {
                return Err(DlqError::Usage(
                    "--canary-wait is how long --canary N waits; give --canary N too".into(),
                )
                .into())
            }
            (Some(0), _) => {
                return Err(DlqError::Usage("--canary takes at least 1 entry".into()).into())
            }
            (Some(n), wait) => Some((
                n,
                settings::duration_flag("--canary-wait", wait.unwrap_or(CANARY_WAIT))?,
            )),
            (None, None) => None,
        };
        Ok(ReplaySettings {
            join: a.join,
            canary,
            sending: Sending::from_args(&a)?,
            selection: settings::selection(&a.select, jiff::Timestamp::now())?,
            header_map: settings::header_map(&a.conventions)?,
            ids: a.ids,
            all: a.all,
            topic: a.topic.unwrap_or_default(),
        })
    }
}

pub(crate) async fn run(s: &ReplaySettings, ui: &mut dyn ReplayUi) -> anyhow::Result<Summary> {
    let mut broker = broker::connect(&s.sending.connect).await?;
    run_on(broker.as_mut(), s, ui).await
}

/// `run` on a broker already connected (the tests' in-memory one among them).
pub(crate) async fn run_on(
    broker: &mut dyn broker::Broker,
    s: &ReplaySettings,
    ui: &mut dyn ReplayUi,
) -> anyhow::Result<Summary> {
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

    if s.join {
        return joined(broker, s, &selection, ui).await;
    }
    let mut journal = Journal::open(s.sending.journal_dir.as_deref(), &journal_key(s))?;
    let mut plan = make_plan(broker, s, &selection, ui, &journal).await?;
    // Counted on the plan's pass (the send pass reads the same entries again).
    let where_warning = selection.where_warning();
    let mut summary = match present(broker, &s.sending, &mut plan, ui).await? {
        Go::Stop(mut summary) => {
            summary.warnings.extend(where_warning);
            return Ok(summary);
        }
        Go::Execute(summary) => summary,
    };
    summary.warnings.extend(where_warning);
    execute(broker, s, &selection, &plan, ui, &mut summary, &mut journal).await?;
    tracing::info!(topic = %s.topic, sent = summary.sent, skipped = summary.skipped, failed = summary.failed, unconfirmed = summary.unconfirmed, "replayed");
    if summary.lost.is_none() {
        journal.finish()?;
    }
    Ok(summary)
}

/// `--join`: no plan pass (a member sees only its partitions); the send pass as one member of
/// the operator group, until the group's whole run is done. The group's committed marks are the
/// journal: a member that dies leaves its partitions where their confirmed prefix was saved.
async fn joined(
    broker: &mut dyn broker::Broker,
    s: &ReplaySettings,
    selection: &Selection,
    ui: &mut dyn ReplayUi,
) -> anyhow::Result<Summary> {
    let plan = Plan {
        topic: s.topic.clone(),
        broker: s.sending.connect.url.to_string(),
        ..Plan::default()
    };
    let mut summary = Summary {
        topic: s.topic.clone(),
        ..Summary::default()
    };
    let mut journal = Journal::open(None, &journal_key(s))?;
    execute(broker, s, selection, &plan, ui, &mut summary, &mut journal).await?;
    tracing::info!(topic = %s.topic, sent = summary.sent, skipped = summary.skipped, failed = summary.failed, "replayed as a member");
    Ok(summary)
}

/// A joined replay whose partitions ran out: what the group says next.
enum Waited {
    /// More to read (a partition given, or taken over from a member that left).
    More,
    /// Every partition of the run is done.
    Done,
    Interrupted,
}

/// Waits for the group: more partitions for this member, or the run done everywhere; Ctrl-C
/// between two looks.
async fn wait_for_group(
    scan: &mut Scan,
    interruption: &mut crate::results::Interruption,
) -> anyhow::Result<Waited> {
    loop {
        tokio::select! {
            biased;
            () = &mut *interruption => return Ok(Waited::Interrupted),
            r = scan.reader().more_work() => match r? {
                Some(true) => return Ok(Waited::More),
                Some(false) => return Ok(Waited::Done),
                None => {}
            },
        }
    }
}

/// Which replay a journal belongs to: the broker, the DLQ and the consumer that marks it.
fn journal_key(s: &ReplaySettings) -> String {
    let c = &s.sending.connect;
    format!("{} {} {}", c.url, s.topic, c.consumer)
}

fn request(s: &ReplaySettings, selection: &Selection, track: bool) -> ScanRequest {
    super::engine::scan::request(&s.topic, selection, StartAt::Unhandled, track)
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
        broker: s.sending.connect.url.to_string(),
        ..Plan::default()
    };
    // Replay sends the message: a dead letter that only points at its original sends that.
    let scan = Scan::open(broker, &request(s, selection, false), &s.header_map)
        .await?
        .with_originals(true);
    let mut filter = Selected::new(selection);
    let mut preparing = Preparing::new(&s.sending)?;
    let read = async |scan: &mut Scan| {
        while let Some(entry) = scan.next(&mut filter).await? {
            if journal.confirmed_earlier(&entry.record.id.to_string()) {
                plan.resumed += 1;
                continue;
            }
            plan.selected += 1;
            let id = entry.record.id.to_string();
            match plan_entry(&entry, s) {
                Decision::Send(out) => {
                    let prepared = preparing
                        .prepare(
                            &s.sending,
                            broker,
                            Some(scan.reader()),
                            entry.message(),
                            out,
                        )
                        .await?;
                    add_to_plan(&mut plan, &s.sending, ui, id, prepared)?
                }
                Decision::Skip(why) => skip_in_plan(&mut plan, id, why),
            }
        }
        plan.ends = scan.ends.clone();
        Ok(())
    };
    scan.run(read).await?;
    Ok(plan)
}

fn plan_entry(entry: &Entry, s: &ReplaySettings) -> Decision {
    plan(
        entry,
        &entry.record.logical_topic(&s.topic),
        &s.sending.options,
    )
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
    // --canary: what comes back to the DLQ is read from its end now.
    let mut canary = match s.canary {
        Some((n, wait)) => Some(CanaryRun {
            n,
            wait,
            follower: broker.follow(&s.topic).await?,
            sent: HashSet::new(),
            done: false,
        }),
        None => None,
    };
    let mut scan = if s.join {
        Scan::join(broker, &request(s, selection, true), &s.header_map).await?
    } else {
        Scan::open(broker, &request(s, selection, true), &s.header_map)
            .await?
            .bounded_by(&plan.ends)
    }
    .with_originals(true);
    let mut filter = Selected::new(selection);
    let mut preparing = Preparing::new(&s.sending)?;
    ui.progress_start(plan.to_send());
    let mut run = Run::new(summary, journal, s.sending.connect.timeout);
    let interval = s.sending.interval();
    let mut next_send = Instant::now();
    let mut last_checkpoint = Instant::now();
    let mut interruption = ui.interruption();
    // What the run was doing when an error came, for the words of a broker lost.
    let mut doing = "reading";

    let result: anyhow::Result<()> = async {
        loop {
            doing = "reading";
            let next = tokio::select! {
                biased;
                () = &mut interruption => {
                    run.summary.interrupted = true;
                    break;
                }
                // Beyond what the plan saw, or not selected: the scan leaves it alone.
                r = scan.next(&mut filter) => r?,
            };
            let entry = match next {
                Some(entry) => entry,
                None if s.join => {
                    // This member's partitions are read: settle and save them, so that the
                    // group sees them done, then wait for more or for the run's end.
                    run.save_all(scan.reader(), ui, &mut doing).await?;
                    last_checkpoint = Instant::now();
                    doing = "waiting for the group";
                    match wait_for_group(&mut scan, &mut interruption).await? {
                        Waited::More => {
                            scan.resume();
                            continue;
                        }
                        Waited::Done => break,
                        Waited::Interrupted => {
                            run.summary.interrupted = true;
                            break;
                        }
                    }
                }
                None => break,
            };
            let id = entry.record.id;
            if run.journal.confirmed_earlier(&id.to_string()) {
                // Confirmed by an earlier run the broker cut short: marked now, not sent again
                // (taking its place in the handled prefix as a delivery would).
                doing = "marking entries handled";
                scan.reader().track_pending(id);
                scan.reader().mark_handled(id).await?;
                run.summary.resumed += 1;
                continue;
            }
            let out = match plan_entry(&entry, s) {
                Decision::Send(out) if plan.missing_targets.contains(&out.topic) => {
                    Err(format!("target topic '{}' does not exist", out.topic))
                }
                // The same patch as the plan's: the same outcome.
                Decision::Send(out) => match preparing
                    .prepare(&s.sending, broker, Some(scan.reader()), entry.message(), out)
                    .await?
                {
                    Ok((out, _)) => Ok(out),
                    Err(Refusal::Patch(why) | Refusal::Schema(why)) => Err(why),
                },
                Decision::Skip(why) => Err(why),
            };
            let out = match out {
                Ok(out) => out,
                Err(why) => {
                    tracing::debug!(topic = %s.topic, %id, status = "skipped", reason = %why, "entry");
                    run.skipped(Some(scan.reader()), Some(id), id.to_string(), why);
                    continue;
                }
            };
            doing = "waiting for delivery confirmations";
            if let Some(interval) = interval {
                // Confirm what completes while waiting for the next slot.
                run.settle_until(Some(scan.reader()), ui, Some(next_send), usize::MAX)
                    .await?;
                tokio::time::sleep_until(next_send).await;
                next_send = next_send.max(Instant::now() - interval) + interval;
            }
            doing = "sending";
            let copy_of = out
                .headers
                .iter()
                .find(|h| h.name == REPLAY_OF)
                .and_then(|h| h.value.as_deref())
                .map(|v| String::from_utf8_lossy(v).into_owned());
            run.send(publisher.as_mut(), Some(scan.reader()), Some(id), id.to_string(), out)
                .await?;
            if let Some(c) = canary.as_mut().filter(|c| !c.done) {
                c.sent.extend(copy_of);
                if c.sent.len() as u64 >= c.n {
                    c.done = true;
                    // The canaries confirmed and marked before anything else goes.
                    run.save_all(scan.reader(), ui, &mut doing).await?;
                    ui.canary_waiting(c.sent.len() as u64, c.wait.as_secs());
                    tokio::select! {
                        biased;
                        () = &mut interruption => {
                            run.summary.interrupted = true;
                            break;
                        }
                        () = tokio::time::sleep(c.wait) => {}
                    }
                    doing = "reading what came back to the DLQ";
                    let returned = c.came_back().await?;
                    let back = !returned.is_empty();
                    run.summary.canary = Some(CanaryOutcome {
                        sent: c.sent.len() as u64,
                        waited_seconds: c.wait.as_secs(),
                        returned,
                    });
                    if back {
                        break;
                    }
                    let rest = plan.to_send().saturating_sub(run.summary.sent + run.summary.failed);
                    if !s.sending.yes && rest > 0 && ui.confirm_rest(rest)? != Some(true) {
                        // As a Ctrl-C: what was sent is marked; the same command continues.
                        run.summary.interrupted = true;
                        break;
                    }
                }
            }
            doing = "waiting for delivery confirmations";
            // Mark what is already confirmed at once: progress stays current and an
            // interrupted run keeps it.
            run.settle_until(Some(scan.reader()), ui, Some(Instant::now()), usize::MAX)
                .await?;
            if run.window.len() >= WINDOW {
                run.settle_until(Some(scan.reader()), ui, None, 1).await?;
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
        run.settle_until(Some(scan.reader()), ui, None, usize::MAX).await?;
        doing = "saving what was handled";
        run.journal.flush()?;
        if run.summary.canary.as_ref().is_some_and(|c| !c.returned.is_empty()) {
            run.summary.not_sent = plan
                .to_send()
                .saturating_sub(run.summary.sent + run.summary.failed + run.summary.skipped);
        }
        Ok(())
    }
    .await;
    ui.progress_finish();
    if let Some(c) = canary {
        c.follower.close().await;
    }
    run.summary.join = scan.reader().join_report();
    let url = &s.sending.connect.url;
    match result {
        Err(e) if is_lost(&e) => {
            run.lost(
                url,
                doing,
                &e,
                plan.to_send(),
                Some(scan.into_reader()),
                Some(publisher),
            );
            return Ok(());
        }
        Err(e) => {
            // Not the broker: settle what is in flight before giving up, as before.
            let _ = run
                .settle_until(Some(scan.reader()), ui, None, usize::MAX)
                .await;
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
                url,
                "closing the producer",
                &e,
                plan.to_send(),
                Some(scan.into_reader()),
                None,
            );
            return Ok(());
        }
        return Err(e);
    }
    match scan.close_after(Ok(())).await {
        Ok(((), notes)) => run.summary.warnings.extend(notes.warnings),
        Err(e) if is_lost(&e) => {
            run.lost(
                url,
                "saving what was handled",
                &e,
                plan.to_send(),
                None,
                None,
            );
            return Ok(());
        }
        Err(e) => return Err(e),
    }
    Ok(())
}

/// `--canary N`: the first N copies, and a follower of the DLQ from before they were sent.
struct CanaryRun {
    n: u64,
    wait: std::time::Duration,
    follower: Box<dyn Follower>,
    /// The canaries' `dlq-replay-of` values.
    sent: HashSet<String>,
    done: bool,
}

impl CanaryRun {
    /// The dead letters that arrived carrying a canary's `dlq-replay-of`: `NEW-ID (copy of …)`.
    async fn came_back(&mut self) -> anyhow::Result<Vec<String>> {
        const BATCH: usize = 10_000;
        let mut back = Vec::new();
        loop {
            let records = self.follower.arrived(BATCH).await?;
            let n = records.len();
            for r in records {
                let of = r
                    .header(REPLAY_OF)
                    .and_then(|h| h.value.as_deref())
                    .map(|v| String::from_utf8_lossy(v).into_owned());
                if let Some(of) = of.filter(|of| self.sent.contains(of)) {
                    back.push(format!("{} (copy of {of})", r.id));
                }
            }
            if n < BATCH {
                return Ok(back);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::broker::memory::Faults;
    use crate::commands::testing::fixtures::{dead_letters, keys, sending};
    use crate::commands::testing::ui::{StopAfter, Yes};

    fn settings(topic: &str, to: &str) -> ReplaySettings {
        ReplaySettings {
            topic: topic.into(),
            selection: Selection::default(),
            ids: Vec::new(),
            all: true,
            header_map: HeaderMap::default(),
            sending: sending(to),
            canary: None,
            join: false,
        }
    }

    /// A share group's dead letters (headers only) for offsets 0..n of origin `t`, whose
    /// records carry a header of their own; offsets before `expired` are gone from the origin.
    async fn share_group_dead_letters(n: i64, expired: i64) -> crate::broker::memory::MemoryBroker {
        use crate::broker::Broker as _;
        let b = crate::broker::memory::MemoryBroker::default()
            .with_topic("dlq.t", 1)
            .with_topic("t", 1);
        for i in 0..n {
            b.append("t", 0, &format!("k{i}"), &[("trace_id", &format!("t-{i}"))]);
            let offset = i.to_string();
            b.append_headers_only(
                "dlq.t",
                0,
                &[
                    ("__dlq.errors.topic", "t"),
                    ("__dlq.errors.partition", "0"),
                    ("__dlq.errors.offset", &offset),
                    ("__dlq.errors.group", "billing"),
                    ("__dlq.errors.delivery.count", "1"),
                    ("__dlq.errors.message", "Offset rejected by client."),
                ],
            );
        }
        b.clone()
            .delete_records("t", &[(0, expired)].into())
            .await
            .unwrap();
        b
    }

    #[tokio::test]
    async fn share_group_dead_letters_replay_their_originals_and_skip_the_expired() {
        let b = share_group_dead_letters(3, 1).await;
        let mut s = settings("dlq.t", "t");
        s.sending.options.to = None;
        let summary = run_on(&mut b.clone(), &s, &mut Yes(|| {})).await.unwrap();
        assert_eq!((summary.selected, summary.sent, summary.skipped), (3, 2, 1));
        assert!(
            summary.skips[0].reason.contains("original is gone"),
            "{:?}",
            summary.skips
        );
        assert!(summary.skips[0].reason.contains("now starts at offset 1"));
        assert!(
            matches!(summary.outcome(), Err(DlqError::Partial(_))),
            "exit 3"
        );
        let sent: Vec<_> = b.published();
        assert_eq!(keys(&sent), ["k1", "k2"], "the originals' keys");
        assert_eq!(sent[0].payload.as_deref(), Some(&br#"{"key": "k1"}"#[..]));
        let names: Vec<&str> = sent[0].headers.iter().map(|h| h.name.as_str()).collect();
        assert_eq!(names, ["trace_id", "dlq-replay-of", "dlq-replay-count"]);
        assert_eq!(sent[0].headers[0].value.as_deref(), Some(&b"t-1"[..]));
    }

    #[tokio::test]
    async fn a_target_outside_the_allowed_ones_is_refused_before_anything_is_sent() {
        let b = dead_letters(3);
        let mut s = settings("t.DLT", "t");
        s.sending.allowed_targets = vec!["orders".into(), "payments-*".into()];
        let err = run_on(&mut b.clone(), &s, &mut Yes(|| {}))
            .await
            .unwrap_err();
        assert!(
            matches!(err.downcast_ref::<DlqError>(), Some(DlqError::Usage(_))),
            "exit 2"
        );
        assert!(
            err.to_string().contains("replay may not send to 't'"),
            "{err}"
        );
        assert!(b.published().is_empty(), "nothing was sent");
        assert_eq!(b.committed("t.DLT", 0), None, "nothing marked");
        s.sending.allowed_targets = vec!["t*".into()];
        let summary = run_on(&mut b.clone(), &s, &mut Yes(|| {})).await.unwrap();
        assert_eq!(summary.sent, 3);
    }

    #[tokio::test]
    async fn a_failed_delivery_is_counted_and_nothing_after_it_is_marked() {
        let b = dead_letters(4);
        b.faults(Faults {
            fail_keys: [b"k1".to_vec()].into(),
            ..Faults::default()
        });
        let summary = run_on(&mut b.clone(), &settings("t.DLT", "t"), &mut Yes(|| {}))
            .await
            .unwrap();
        assert_eq!((summary.selected, summary.sent, summary.failed), (4, 3, 1));
        assert_eq!(summary.failures[0].id, "0:1");
        assert_eq!(keys(&b.published()), ["k0", "k2", "k3"]);
        // Kafka marks a prefix: k0 is handled, k1 failed, so the group stops at offset 1 and a
        // rerun offers k1..k3 again (k2 and k3 would arrive twice, marked dlq-replay-of).
        assert_eq!(b.committed("t.DLT", 0), Some(1));
        let again = run_on(&mut b.clone(), &settings("t.DLT", "t"), &mut Yes(|| {}))
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
        let b = dead_letters(10);
        // Silent after 4 confirmations; of the 6 sent after that, 2 were written all the same.
        b.faults(Faults {
            lose_after: Some(4),
            written_after_loss: 2,
            ..Faults::default()
        });
        let journal = tempfile::tempdir().unwrap();
        let mut s = settings("t.DLT", "t");
        s.sending.journal_dir = Some(journal.path().to_path_buf());
        let first = run_on(&mut b.clone(), &s, &mut Yes(|| {})).await.unwrap();
        assert!(first
            .lost
            .as_ref()
            .unwrap()
            .to_string()
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
        let again = run_on(&mut b.clone(), &s, &mut Yes(|| {})).await.unwrap();
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
    async fn a_rerun_with_nothing_left_to_send_still_marks_what_the_journal_kept() {
        let b = dead_letters(3);
        // Every copy confirmed, then the broker goes silent: nothing could be committed.
        b.faults(Faults {
            lose_after: Some(3),
            ..Faults::default()
        });
        let journal = tempfile::tempdir().unwrap();
        let mut s = settings("t.DLT", "t");
        s.sending.journal_dir = Some(journal.path().to_path_buf());
        let first = run_on(&mut b.clone(), &s, &mut Yes(|| {})).await.unwrap();
        assert!(first.lost.is_some());
        assert_eq!(b.committed("t.DLT", 0), None);

        b.faults(Faults::default());
        let again = run_on(&mut b.clone(), &s, &mut Yes(|| {})).await.unwrap();
        assert_eq!((again.resumed, again.sent), (3, 0), "nothing sent twice");
        assert_eq!(b.committed("t.DLT", 0), Some(3), "and all of it marked");
        assert_eq!(keys(&b.published()), ["k0", "k1", "k2"]);
    }

    #[tokio::test]
    async fn ctrl_c_marks_exactly_what_was_confirmed_and_the_rerun_sends_the_rest_once() {
        let b = dead_letters(10);
        let first = run_on(
            &mut b.clone(),
            &settings("t.DLT", "t"),
            &mut StopAfter::new(3),
        )
        .await
        .unwrap();
        assert!(first.interrupted);
        assert_eq!((first.selected, first.sent, first.failed), (10, 3, 0));
        let err = first.outcome().unwrap_err();
        assert!(matches!(err, DlqError::Interrupted(_)), "exit 5: {err}");
        assert!(err
            .to_string()
            .contains("3 entries were sent and confirmed"));
        assert_eq!(keys(&b.published()), ["k0", "k1", "k2"]);
        assert_eq!(
            b.committed("t.DLT", 0),
            Some(3),
            "the three confirmed are marked, nothing else"
        );

        let again = run_on(&mut b.clone(), &settings("t.DLT", "t"), &mut Yes(|| {}))
            .await
            .unwrap();
        assert!(!again.interrupted);
        assert_eq!((again.selected, again.sent), (7, 7));
        assert_eq!(
            keys(&b.published()),
            ["k0", "k1", "k2", "k3", "k4", "k5", "k6", "k7", "k8", "k9"],
            "each entry once"
        );
    }

    #[tokio::test]
    async fn an_entry_arriving_while_the_prompt_is_open_is_not_replayed() {
        let b = dead_letters(3);
        let arrives = b.clone();
        let mut s = settings("t.DLT", "t");
        s.sending.yes = false;
        let summary = run_on(
            &mut b.clone(),
            &s,
            &mut Yes(move || {
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
