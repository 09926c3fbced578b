//! `dlq replay --from-file FILE`: publish an export or a purge backup as it was, line by line,
//! to each entry's DLQ (or `--to`). A file is not a queue: nothing is marked; the replay journal
//! alone says which lines an earlier run that the broker cut short had confirmed.

use std::io::BufRead;
use std::path::{Path, PathBuf};

use tokio::time::Instant;

use super::engine::journal::Journal;
use super::engine::sending::{
    add_to_plan, is_lost, present, skip_in_plan, Go, Preparing, Refusal, Run, Sending,
    CHECKPOINT_EVERY, WINDOW,
};
use crate::archive::{parse_line, ArchivedEntry};
use crate::broker;
use crate::domain::replay::{Outgoing, ReplayOptions};
use crate::error::DlqError;
use crate::results::replay::{Plan, ReplayUi, Summary};
use crate::{cli, settings};

pub(crate) struct RestoreSettings {
    /// The export or backup to publish.
    pub path: PathBuf,
    pub sending: Sending,
}

impl RestoreSettings {
    /// `dlq replay --from-file FILE`'s arguments (the context already applied) as validated
    /// settings. The whole file is restored: a selection is refused.
    pub(crate) fn from_args(a: cli::ReplayArgs) -> anyhow::Result<Self> {
        let selection = settings::selection(&a.select, jiff::Timestamp::now())?;
        if !selection.selects_everything() || !a.ids.is_empty() {
            return Err(DlqError::Usage(
                "--from-file replays the whole file; it takes no filters or --id".into(),
            )
            .into());
        }
        Ok(RestoreSettings {
            sending: Sending::from_args(&a)?,
            path: a.from_file.unwrap_or_default(),
        })
    }
}

pub(crate) async fn run(s: &RestoreSettings, ui: &mut dyn ReplayUi) -> anyhow::Result<Summary> {
    let mut broker = broker::connect(&s.sending.connect).await?;
    run_on(broker.as_mut(), s, ui).await
}

/// `run` on a broker already connected (the tests' in-memory one among them).
pub(crate) async fn run_on(
    broker: &mut dyn broker::Broker,
    s: &RestoreSettings,
    ui: &mut dyn ReplayUi,
) -> anyhow::Result<Summary> {
    let path = s.path.as_path();
    let sending = &s.sending;
    let mut plan = Plan {
        topic: path.display().to_string(),
        broker: sending.connect.url.to_string(),
        ..Plan::default()
    };
    // The file's path and size name the journal: the same file restored again continues.
    let canonical = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    let mut journal = Journal::open(
        sending.journal_dir.as_deref(),
        &format!(
            "{} restore {} {size}",
            sending.connect.url,
            canonical.display()
        ),
    )?;
    // The copies are patched and checked against their targets' schemas as replay's are.
    let mut preparing = Preparing::new(sending)?;
    let (mut lines, reading) = archived_lines(path);
    while let Some((line, parsed)) = lines.recv().await {
        if parsed.as_ref().is_ok_and(|a| a.redacted) {
            return Err(DlqError::Usage(format!(
                "{} (line {line}) is a redacted export (`dlq export --redact`): its keys, headers and \
                 payloads are masks, and replaying it would publish them. Nothing was sent; replay an \
                 export made without --redact, or a purge backup",
                path.display()
            ))
            .into());
        }
        if journal.confirmed_earlier(&label(line)) {
            plan.resumed += 1;
            continue;
        }
        plan.selected += 1;
        match parsed.and_then(|a| outgoing(&a, &sending.options).map(|o| (a, o))) {
            Ok((a, out)) => {
                let source = source_of(&a, &out);
                let prepared = preparing
                    .prepare(sending, broker, None, &source, out)
                    .await?;
                add_to_plan(
                    &mut plan,
                    sending,
                    ui,
                    format!("line {line} ({})", a.id),
                    prepared,
                )?
            }
            Err(why) => skip_in_plan(&mut plan, label(line), why),
        }
    }
    reading.await??;
    let mut summary = match present(broker, sending, &mut plan, ui).await? {
        Go::Stop(summary) => return Ok(summary),
        Go::Execute(summary) => summary,
    };
    let mut publisher = broker.publisher().await?;
    ui.progress_start(plan.to_send());
    let mut run = Run::new(&mut summary, &mut journal, sending.connect.timeout);
    let interval = sending.interval();
    let mut next_send = Instant::now();
    let mut last_flush = Instant::now();
    let mut doing = "sending";
    // Lines are read one at a time; sending is async, so they pass through a small channel.
    let (mut rx, reading) = archived_lines(path);
    let mut interruption = ui.interruption();
    let result: anyhow::Result<()> = async {
        loop {
            let (line, parsed) = tokio::select! {
                biased;
                () = &mut interruption => {
                    run.summary.interrupted = true;
                    break;
                }
                next = rx.recv() => match next {
                    Some(next) => next,
                    None => break,
                },
            };
            let label = label(line);
            if run.journal.confirmed_earlier(&label) {
                run.summary.resumed += 1;
                continue;
            }
            let out = match parsed.and_then(|a| outgoing(&a, &sending.options).map(|o| (a, o))) {
                Ok((_, out)) if plan.missing_targets.contains(&out.topic) => {
                    Err(format!("target topic '{}' does not exist", out.topic))
                }
                // The same patch and check as the plan's: the same outcome.
                Ok((a, out)) => {
                    let source = source_of(&a, &out);
                    match preparing
                        .prepare(sending, broker, None, &source, out)
                        .await?
                    {
                        Ok((out, _)) => Ok(out),
                        Err(Refusal::Patch(why) | Refusal::Schema(why)) => Err(why),
                    }
                }
                Err(why) => Err(why),
            };
            let out = match out {
                Ok(out) => out,
                Err(why) => {
                    run.skipped(None, None, label, why);
                    continue;
                }
            };
            doing = "waiting for delivery confirmations";
            if let Some(interval) = interval {
                run.settle_until(None, ui, Some(next_send), usize::MAX)
                    .await?;
                tokio::time::sleep_until(next_send).await;
                next_send = next_send.max(Instant::now() - interval) + interval;
            }
            doing = "sending";
            run.send(publisher.as_mut(), None, None, label, out).await?;
            doing = "waiting for delivery confirmations";
            run.settle_until(None, ui, Some(Instant::now()), usize::MAX)
                .await?;
            if run.window.len() >= WINDOW {
                run.settle_until(None, ui, None, 1).await?;
            }
            if last_flush.elapsed() >= CHECKPOINT_EVERY {
                run.journal.flush()?;
                last_flush = Instant::now();
            }
        }
        doing = "waiting for delivery confirmations";
        run.settle_until(None, ui, None, usize::MAX).await?;
        run.journal.flush()?;
        Ok(())
    }
    .await;
    ui.progress_finish();
    drop(rx);
    let url = &sending.connect.url;
    if let Err(e) = &result {
        if is_lost(e) {
            run.lost(url, doing, e, plan.to_send(), None, Some(publisher));
            let _ = reading.await;
            return Ok(summary);
        }
    }
    let closed = publisher.close().await;
    result?;
    if let Err(e) = closed {
        if is_lost(&e) {
            run.lost(url, "closing the producer", &e, plan.to_send(), None, None);
            return Ok(summary);
        }
        return Err(e);
    }
    let read = reading.await;
    if summary.interrupted {
        // A file is not a queue: the journal alone tells a rerun which lines are done. The
        // reader stopped because nothing took its lines any more; that is not an error.
        if journal.is_kept() {
            summary.journal = Some(journal.path().to_path_buf());
        }
        return Ok(summary);
    }
    journal.finish()?;
    read??;
    Ok(summary)
}

/// How the plan, the summary and the journal name a line of the file.
fn label(line: usize) -> String {
    format!("line {line}")
}

/// What a restore sends for one archived entry: the entry as it was, to its DLQ or `--to`.
fn outgoing(a: &ArchivedEntry, opts: &ReplayOptions) -> Result<Outgoing, String> {
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

/// The record an archived line's copy `out` was made from, for `Preparing` (a file keeps no
/// Pulsar schema version).
fn source_of(a: &ArchivedEntry, out: &Outgoing) -> crate::domain::entry::Record {
    crate::domain::entry::Record {
        topic: a.topic.clone(),
        ..crate::domain::entry::Record::of_payload(out.payload.as_deref())
    }
}

/// A line of the file: its number, and the entry or why it could not be read.
type Line = (usize, Result<ArchivedEntry, String>);

/// The file's lines, read on a blocking thread and handed over through a small channel; the
/// task ends with the read's error, if any (a receiver dropped early stops it).
fn archived_lines(
    path: &Path,
) -> (
    tokio::sync::mpsc::Receiver<Line>,
    tokio::task::JoinHandle<anyhow::Result<()>>,
) {
    let (tx, rx) = tokio::sync::mpsc::channel(WINDOW);
    let path = path.to_path_buf();
    let reading = tokio::task::spawn_blocking(move || {
        for_each_archived(&path, |line, parsed| {
            tx.blocking_send((line, parsed))
                .map_err(|_| anyhow::anyhow!("stopped"))
        })
    });
    (rx, reading)
}

/// Calls `each` with every line of the file, parsed (or why not), with its line number.
fn for_each_archived(
    path: &Path,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::broker::memory::{Faults, MemoryBroker};
    use crate::broker::ScanRequest;
    use crate::commands::testing::fixtures::{dead_letters, keys, sending};
    use crate::commands::testing::ui::{StopAfter, Yes};
    use crate::domain::conventions::HeaderMap;
    use crate::domain::entry::Entry;

    /// A broker with six dead letters (`k0` … `k5`) in `t.DLT`, exported to `dir`, and restore
    /// settings for that export, to `t`, with a journal in `dir`.
    async fn exported(dir: &Path) -> (MemoryBroker, RestoreSettings) {
        let b = dead_letters(6);
        let path = dir.join("export.jsonl");
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
            let entry = {
                let context = crate::domain::conventions::explain(&record, &HeaderMap::default());
                Entry::new(record, context)
            };
            w.write(&ArchivedEntry::of(&entry, "t.DLT")).unwrap();
        }
        w.sync().unwrap();
        let mut sending = sending("t");
        sending.journal_dir = Some(dir.join("journal"));
        (b, RestoreSettings { path, sending })
    }

    #[tokio::test]
    async fn a_restore_cut_short_continues_from_the_lines_the_broker_confirmed() {
        let dir = tempfile::tempdir().unwrap();
        let (b, s) = exported(dir.path()).await;
        b.faults(Faults {
            lose_after: Some(2),
            ..Faults::default()
        });
        let first = run_on(&mut b.clone(), &s, &mut Yes(|| {})).await.unwrap();
        assert_eq!((first.sent, first.unconfirmed, first.not_sent), (2, 4, 0));
        assert!(first
            .outcome()
            .is_err_and(|e| matches!(e, DlqError::Unreachable(_))));
        b.faults(Faults::default());
        let again = run_on(&mut b.clone(), &s, &mut Yes(|| {})).await.unwrap();
        assert_eq!(
            (again.resumed, again.sent),
            (2, 4),
            "lines 1 and 2 are not sent again"
        );
        assert_eq!(keys(&b.published()), ["k0", "k1", "k2", "k3", "k4", "k5"]);
    }

    #[tokio::test]
    async fn ctrl_c_keeps_the_confirmed_lines_in_the_journal_and_the_rerun_sends_the_rest_once() {
        let dir = tempfile::tempdir().unwrap();
        let (b, s) = exported(dir.path()).await;
        let first = run_on(&mut b.clone(), &s, &mut StopAfter::new(2))
            .await
            .unwrap();
        assert!(first.interrupted);
        assert_eq!((first.sent, first.failed), (2, 0));
        let journal = first.journal.clone().expect("the journal is kept");
        assert!(journal.exists());
        let err = first.outcome().unwrap_err();
        assert!(matches!(err, DlqError::Interrupted(_)), "exit 5: {err}");
        assert!(err.to_string().contains(&journal.display().to_string()));
        assert_eq!(keys(&b.published()), ["k0", "k1"]);

        let again = run_on(&mut b.clone(), &s, &mut Yes(|| {})).await.unwrap();
        assert_eq!((again.resumed, again.sent), (2, 4));
        assert_eq!(keys(&b.published()), ["k0", "k1", "k2", "k3", "k4", "k5"]);
        assert!(!journal.exists(), "gone once the restore completes");
    }
}
