//! `dlq purge TOPIC [selection]`: delete exactly the entries the user saw and confirmed.
//!
//! Pass 1 resolves the selection: how many entries, their size and age, the top error classes,
//! and where each partition ends now. Nothing is touched. After confirmation, pass 2 reads the
//! same entries again, never beyond where pass 1 ended, so an entry that arrived meanwhile is
//! never purged. Each selected entry is written to the backup, and only entries whose backup
//! is flushed and fsynced are purged:
//! - Pulsar: acknowledged individually on the operator subscription;
//! - Kafka: deleted with DeleteRecords up to the end of the selected prefix of each partition,
//!   then the operator group is committed to the same offsets. A selection that is not a prefix
//!   cannot be deleted physically; `--mark-handled` only moves the operator group.

use std::collections::BTreeMap;
use std::path::PathBuf;

use jiff::Timestamp;

use super::engine::scan::{Scan, Step};
use crate::archive::ArchiveWriter;
use crate::broker::{self, ConnectConfig, StartAt};
use crate::domain::conventions::HeaderMap;
use crate::domain::entry::{Entry, EntryId, Partition};
use crate::domain::selection::Selection;
use crate::error::{DlqError, Unreachable};
pub(crate) use crate::results::purge::{PurgeHow, PurgePlan, PurgeSummary, PurgeUi};
use crate::{cli, settings};

/// Entries backed up and fsynced before the batch is acknowledged.
const BATCH: usize = 500;

pub(crate) struct PurgeSettings {
    pub topic: String,
    pub connect: ConnectConfig,
    pub selection: Selection,
    pub ids: Vec<String>,
    pub all: bool,
    /// Only the prefix of each partition older than this.
    pub before: Option<Timestamp>,
    pub header_map: HeaderMap,
    /// Kafka: move the operator group instead of deleting.
    pub mark_handled: bool,
    /// Where the backup goes; `None` with `--no-backup`.
    pub backup: Option<PathBuf>,
    pub dry_run: bool,
    pub yes: bool,
}

impl PurgeSettings {
    /// `dlq purge`'s arguments (the context already applied) as validated settings.
    pub(crate) fn from_args(a: cli::PurgeArgs) -> anyhow::Result<Self> {
        let now = Timestamp::now();
        let before = a
            .before
            .as_deref()
            .map(|b| settings::time_flag("--before", b, &a.select, now))
            .transpose()?;
        let backup = if a.no_backup {
            None
        } else {
            Some(match a.backup {
                Some(p) => p,
                None => default_backup_path(&a.topic, now).ok_or_else(|| {
                    DlqError::Usage(
                        "no place for the backup: set XDG_STATE_HOME or HOME, or pass --backup FILE (or --no-backup)"
                            .into(),
                    )
                })?,
            })
        };
        Ok(PurgeSettings {
            connect: settings::connect(&a.connect)?,
            selection: settings::selection(&a.select, now)?,
            ids: a.ids,
            all: a.all,
            before,
            header_map: settings::header_map(&a.conventions)?,
            mark_handled: a.mark_handled,
            backup,
            dry_run: a.confirm.dry_run,
            yes: a.confirm.yes,
            topic: a.topic,
        })
    }
}

/// Decides, record by record in read order, what the selection holds. `--before` closes a
/// partition at its first entry at or after the time: what follows is never selected.
struct Selector<'a> {
    selection: &'a Selection,
    before: Option<Timestamp>,
    closed: BTreeMap<Partition, bool>,
    selected: u64,
}

impl super::engine::scan::Filter for Selector<'_> {
    fn select(&mut self, e: &Entry) -> bool {
        Selector::select(self, e)
    }
}

impl Selector<'_> {
    fn select(&mut self, e: &Entry) -> bool {
        let part = e.record.id.in_partition();
        if self.selection.limit.is_some_and(|l| self.selected >= l) {
            return false;
        }
        if let Some(before) = self.before {
            let closed = self.closed.entry(part).or_default();
            if *closed || e.record.timestamp.is_none_or(|t| t >= before) {
                *closed = true;
                return false;
            }
        }
        let hit = self.selection.matches(e);
        if hit {
            self.selected += 1;
        }
        hit
    }
}

pub(crate) async fn run(s: &PurgeSettings, ui: &mut dyn PurgeUi) -> anyhow::Result<PurgeSummary> {
    let mut broker = broker::connect(&s.connect).await?;
    run_on(broker.as_mut(), s, ui).await
}

/// `run` on a broker already connected (the tests' in-memory one among them).
pub(crate) async fn run_on(
    broker: &mut dyn broker::Broker,
    s: &PurgeSettings,
    ui: &mut dyn PurgeUi,
) -> anyhow::Result<PurgeSummary> {
    let mut selection = s.selection.clone();
    for raw in &s.ids {
        selection.ids.push(broker.parse_id(raw)?);
    }
    if selection.selects_everything() && s.before.is_none() && !s.all {
        return Err(DlqError::Usage(
            "purge needs a selection: filters (--since, --grep, --origin, …), --id ID, --before TIME, or --all for every entry"
                .into(),
        )
        .into());
    }
    let by_offset = broker.purges_by_offset();
    let deleting = by_offset && !s.mark_handled;
    if deleting && !s.dry_run {
        broker.check_deletable(&s.topic).await?;
    }
    let req = |track| super::engine::scan::request(&s.topic, &selection, StartAt::Unhandled, track);

    // Pass 1: resolve the selection.
    let mut plan = PurgePlan {
        topic: s.topic.clone(),
        broker: s.connect.url.to_string(),
        by_offset,
        mark_handled: s.mark_handled,
        consumer: s.connect.consumer.clone(),
        backup: s.backup.clone(),
        ..PurgePlan::default()
    };
    let mut gap_at: BTreeMap<i32, i64> = BTreeMap::new();
    let mut selector = Selector {
        selection: &selection,
        before: s.before,
        closed: BTreeMap::new(),
        selected: 0,
    };
    // A filter on the message reads a share group's originals (the backup keeps the dead letter).
    let scan = Scan::open(broker, &req(false), &s.header_map)
        .await?
        .with_originals(selection.reads_the_message());
    let read = async |scan: &mut Scan| {
        while let Some(step) = scan.step(&mut selector).await? {
            let entry = match step {
                // By offset (Kafka): an unselected entry before a selected one breaks the prefix.
                Step::Passed(id) => {
                    if let (Some(p), Some(offset)) = (id.partition(), id.offset()) {
                        gap_at.entry(p).or_insert(offset);
                    }
                    continue;
                }
                Step::Selected(entry) => entry,
            };
            let id = entry.record.id;
            plan.stats.add(&entry);
            *plan.per_partition.entry(id.in_partition()).or_default() += 1;
            // By offset (Kafka): every partition is numbered.
            if let (Some(part), Some(o)) = (id.partition(), id.offset()) {
                let r = plan.ranges.entry(part).or_insert((o, o));
                r.1 = o;
                if let Some(&gap) = gap_at.get(&part) {
                    plan.not_prefix.entry(part).or_insert((gap, o));
                }
            }
        }
        plan.ends = scan.ends.clone();
        Ok(())
    };
    scan.run(read).await?;
    // Counted on the first pass (the second reads the same entries again).
    let where_warning = selection.where_warning();

    let how = if !by_offset {
        PurgeHow::Acknowledged
    } else if s.mark_handled {
        PurgeHow::MarkedHandled
    } else {
        PurgeHow::Deleted
    };
    let mut summary = PurgeSummary {
        topic: s.topic.clone(),
        dry_run: s.dry_run,
        selected: plan.stats.entries,
        how,
        planned: plan.per_partition.clone(),
        warnings: where_warning.into_iter().collect(),
        ..PurgeSummary::default()
    };
    if by_offset && !s.mark_handled && !plan.not_prefix.is_empty() {
        let (p, (gap, after)) = plan.not_prefix.iter().next().expect("not empty");
        return Err(DlqError::Usage(format!(
            "the selection is not a prefix of partition {p} of '{}': offset {gap} is not selected but offset {after} is. \
             Kafka deletes a partition's records only up to an offset, so it cannot delete these alone. \
             Select a prefix (--before TIME, or --all), or pass --mark-handled to move the operator group \
             over the selected prefix without deleting anything",
            s.topic
        ))
        .into());
    }
    ui.plan(&plan)?;
    if s.dry_run || plan.stats.entries == 0 {
        return Ok(summary);
    }
    if !s.yes {
        match ui.confirm(&plan)? {
            Some(true) => {}
            Some(false) => return Err(DlqError::Declined("purge declined; nothing was changed".into()).into()),
            None => {
                return Err(DlqError::Declined(format!(
                    "purging {} entries needs confirmation and there is no terminal to ask on; pass -y/--yes",
                    plan.stats.entries
                ))
                .into())
            }
        }
    }

    // The backup comes first: if it cannot be written, nothing is purged.
    let mut backup = match &s.backup {
        None => None,
        Some(path) => Some(ArchiveWriter::create(path).map_err(|e| {
            anyhow::anyhow!(
                "cannot write the backup at {}: {e}; nothing was purged",
                path.display()
            )
        })?),
    };
    summary.backup = s.backup.clone();

    // Pass 2: back up, then purge exactly what pass 1 saw.
    let mut scan = Scan::open(broker, &req(true), &s.header_map)
        .await?
        .with_originals(selection.reads_the_message())
        .bounded_by(&plan.ends);
    let mut selector = Selector {
        selection: &selection,
        before: s.before,
        closed: BTreeMap::new(),
        selected: 0,
    };
    let mut batch: Vec<EntryId> = Vec::with_capacity(BATCH);
    // Deleting: marked handled only once the broker deleted their partition's prefix.
    let mut held: Vec<EntryId> = Vec::new();
    let mut delete_before: BTreeMap<i32, i64> = BTreeMap::new();
    let mut doing = "reading";
    let mut interruption = ui.interruption();
    let result: anyhow::Result<()> = async {
        loop {
            let entry = tokio::select! {
                biased;
                () = &mut interruption => {
                    summary.interrupted = true;
                    break;
                }
                // Beyond what pass 1 saw, or not selected: the scan leaves it alone.
                next = scan.next(&mut selector) => match next? {
                    Some(entry) => entry,
                    None => break,
                },
            };
            let id = entry.record.id;
            if let Some(b) = backup.as_mut() {
                b.write_entry(&entry, &s.topic)?;
            }
            summary.partitions.entry(id.in_partition()).or_default().0 += 1;
            if let (Some(part), Some(offset)) = (id.partition(), id.offset()) {
                delete_before.insert(part, offset + 1);
            }
            scan.reader().track_pending(id);
            if deleting {
                held.push(id);
                continue;
            }
            batch.push(id);
            if batch.len() >= BATCH {
                doing = "acknowledging";
                purge_batch(&mut backup, scan.reader(), &mut batch, &mut summary).await?;
                doing = "reading";
            }
        }
        Ok(())
    }
    .await;
    // On an error, entries already acknowledged had a durable backup; nothing else is purged.
    if let Err(e) = result {
        return lost_or(e, doing, &s.connect, Some(scan.into_reader()), summary);
    }
    if let Some(b) = backup.as_mut() {
        b.sync()?;
    }
    if summary.interrupted {
        // Nothing more: the batch read since the last acknowledgement is not acknowledged, and
        // a Kafka purge not yet at its deletion deletes nothing. What the broker took is kept.
        return match scan.close_after(Ok(())).await {
            Ok(((), notes)) => {
                summary.warnings.extend(notes.warnings);
                Ok(summary)
            }
            Err(e) => lost_or(
                e,
                "committing the operator group",
                &s.connect,
                None,
                summary,
            ),
        };
    }
    if deleting {
        fail::fail_point!("purge-before-delete");
        // Not marked in the group until the broker deleted them: on failure, dropping the
        // reader commits nothing, and a refused partition keeps its entries unmarked.
        let refused = match broker.delete_records(&s.topic, &delete_before).await {
            Ok(refused) => refused,
            Err(e) => {
                return lost_or(
                    e,
                    "deleting records",
                    &s.connect,
                    Some(scan.into_reader()),
                    summary,
                )
            }
        };
        for id in held {
            // Deleting is by offset (Kafka): every partition is numbered.
            if id.partition().is_some_and(|p| refused.contains_key(&p)) {
                summary.failed += 1;
            } else {
                batch.push(id);
            }
        }
        summary.failed_partitions = refused;
    }
    if let Err(e) = purge_batch(&mut backup, scan.reader(), &mut batch, &mut summary).await {
        return lost_or(
            e,
            "acknowledging",
            &s.connect,
            Some(scan.into_reader()),
            summary,
        );
    }
    match scan.close_after(Ok(())).await {
        Ok(((), notes)) => summary.warnings.extend(notes.warnings),
        Err(e) => {
            return lost_or(
                e,
                "committing the operator group",
                &s.connect,
                None,
                summary,
            )
        }
    }
    Ok(summary)
}

/// An error in pass 2: the broker going away ends the purge with the summary of what was
/// purged (exit 4, the reader let go unclosed: closing would wait for the broker); any other
/// error is returned as it is.
fn lost_or(
    e: anyhow::Error,
    doing: &str,
    connect: &ConnectConfig,
    reader: Option<Box<dyn broker::DlqReader>>,
    mut summary: PurgeSummary,
) -> anyhow::Result<PurgeSummary> {
    if !crate::error::is_unreachable(&e) {
        return Err(e);
    }
    std::mem::forget(reader);
    summary.lost = Some(Unreachable::of(&e, connect.url.described(), doing));
    Ok(summary)
}

/// Makes the backup durable, then marks the batch handled.
async fn purge_batch(
    backup: &mut Option<ArchiveWriter>,
    reader: &mut dyn broker::DlqReader,
    batch: &mut Vec<EntryId>,
    summary: &mut PurgeSummary,
) -> anyhow::Result<()> {
    if let Some(b) = backup.as_mut() {
        b.sync()?;
    }
    if batch.is_empty() {
        return Ok(());
    }
    fail::fail_point!("purge-before-marking");
    for id in batch.iter() {
        reader.mark_handled(*id).await?;
    }
    // Counted once the broker took them (Kafka: the group commit); Pulsar's acknowledgements
    // have no receipt, so they count once sent.
    reader.checkpoint().await?;
    for id in batch.drain(..) {
        tracing::debug!(topic = %summary.topic, %id, status = %summary.how, "entry");
        summary.purged += 1;
        summary.partitions.entry(id.in_partition()).or_default().1 += 1;
    }
    Ok(())
}

/// `$XDG_STATE_HOME/dlq/backups/<topic>-<UTC time>.jsonl` (`~/.local/state` without XDG_STATE_HOME).
pub(crate) fn default_backup_path(topic: &str, now: Timestamp) -> Option<PathBuf> {
    let base = crate::paths::xdg_dir("XDG_STATE_HOME", ".local/state")?;
    let safe = crate::paths::safe_file_name(topic);
    Some(base.join("dlq/backups").join(format!(
        "{safe}-{}.jsonl",
        now.strftime("%Y%m%dT%H%M%S%.3fZ")
    )))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::broker::memory::{Faults, MemoryBroker};
    use crate::commands::testing::fixtures::purge_settings_on as settings_on;
    use crate::commands::testing::ui::{StopAfter, Yes};

    fn settings(topic: &str) -> PurgeSettings {
        settings_on(crate::broker::memory::connect_config(), topic)
    }

    fn dlq_of(partitions: usize, per_partition: usize) -> MemoryBroker {
        let b = MemoryBroker::default().with_topic("t.DLT", partitions);
        for p in 0..partitions as i32 {
            for i in 0..per_partition {
                b.append("t.DLT", p, &format!("p{p}-{i}"), &[]);
            }
        }
        b
    }

    #[tokio::test]
    async fn a_partition_the_broker_refuses_keeps_its_entries_and_is_named() {
        let b = dlq_of(2, 3);
        b.faults(Faults {
            refuse_delete: [(1, "KAFKA_STORAGE_ERROR".to_string())].into(),
            ..Faults::default()
        });
        let summary = run_on(&mut b.clone(), &settings("t.DLT"), &mut Yes(|| {}))
            .await
            .unwrap();
        assert_eq!(
            (summary.selected, summary.purged, summary.failed),
            (6, 3, 3)
        );
        assert_eq!(
            summary.failed_partitions,
            [(1, "KAFKA_STORAGE_ERROR".to_string())].into()
        );
        assert_eq!(
            b.watermarks("t.DLT"),
            vec![(3, 3), (0, 3)],
            "partition 0 deleted, 1 kept"
        );
        assert_eq!(b.committed("t.DLT", 0), Some(3));
        assert_eq!(
            b.committed("t.DLT", 1),
            None,
            "the group does not move over what stays"
        );
    }

    #[tokio::test]
    async fn ctrl_c_before_the_deletion_deletes_nothing_and_the_rerun_purges_everything() {
        let b = dlq_of(2, 3);
        let first = run_on(&mut b.clone(), &settings("t.DLT"), &mut StopAfter::new(0))
            .await
            .unwrap();
        assert!(first.interrupted);
        assert_eq!((first.selected, first.purged), (6, 0));
        let err = first.outcome().unwrap_err();
        assert!(matches!(err, DlqError::Interrupted(_)), "exit 5: {err}");
        assert!(
            err.to_string().contains(
                "0 of 6 selected entries were purged (deleted); the rest are still in the topic"
            ),
            "{err}"
        );
        assert_eq!(b.watermarks("t.DLT"), [(0, 3), (0, 3)], "nothing deleted");
        assert_eq!(b.committed("t.DLT", 0), None);
        assert_eq!(
            first.split_partitions(),
            (vec![], vec![Partition::Index(0), Partition::Index(1)]),
            "neither partition purged, though none was read"
        );

        let again = run_on(&mut b.clone(), &settings("t.DLT"), &mut Yes(|| {}))
            .await
            .unwrap();
        assert!(!again.interrupted);
        assert_eq!(again.purged, 6);
        assert_eq!(b.watermarks("t.DLT"), [(3, 3), (3, 3)]);
    }

    #[tokio::test]
    async fn a_broker_lost_at_the_deletion_keeps_the_backup_and_a_rerun_purges_what_is_there() {
        let b = dlq_of(2, 3);
        b.faults(Faults {
            lose_on_delete: true,
            ..Faults::default()
        });
        let dir = tempfile::tempdir().unwrap();
        let mut s = settings("t.DLT");
        s.backup = Some(dir.path().join("first.jsonl"));
        let first = run_on(&mut b.clone(), &s, &mut Yes(|| {})).await.unwrap();
        assert!(first
            .lost
            .as_ref()
            .unwrap()
            .to_string()
            .contains("while deleting records"));
        assert_eq!(first.purged, 0);
        assert_eq!(
            first.partitions,
            [(Partition::Index(0), (3, 0)), (Partition::Index(1), (3, 0))].into()
        );
        let err = first.outcome().unwrap_err();
        assert!(matches!(err, DlqError::Unreachable(_)), "exit 4");
        assert!(
            err.to_string()
                .contains("not or not completely purged: 0, 1"),
            "{err}"
        );
        let backup = std::fs::read_to_string(dir.path().join("first.jsonl")).unwrap();
        assert_eq!(
            backup.lines().count(),
            6,
            "every selected entry is in the backup"
        );
        assert_eq!(b.watermarks("t.DLT"), [(0, 3), (0, 3)], "nothing deleted");
        assert_eq!(b.committed("t.DLT", 0), None);

        b.faults(Faults::default());
        s.backup = Some(dir.path().join("second.jsonl"));
        let again = run_on(&mut b.clone(), &s, &mut Yes(|| {})).await.unwrap();
        assert!(again.lost.is_none());
        assert_eq!(again.purged, 6);
        assert_eq!(b.watermarks("t.DLT"), [(3, 3), (3, 3)]);
    }

    #[tokio::test]
    async fn a_selection_that_is_not_a_prefix_is_refused_before_anything_is_deleted() {
        let b = dlq_of(1, 3);
        let mut s = settings("t.DLT");
        s.all = false;
        s.ids = vec!["0:1".into()];
        let err = run_on(&mut b.clone(), &s, &mut Yes(|| {}))
            .await
            .unwrap_err();
        assert!(
            err.to_string().contains("not a prefix of partition 0")
                && err.to_string().contains("--mark-handled"),
            "{err}"
        );
        assert_eq!(crate::error::exit_code(&err), crate::error::exit::USAGE);
        assert_eq!(b.watermarks("t.DLT"), [(0, 3)], "nothing deleted");
        // --mark-handled moves the group over what it can mark: nothing, as 0:0 stays.
        s.mark_handled = true;
        let summary = run_on(&mut b.clone(), &s, &mut Yes(|| {})).await.unwrap();
        assert_eq!(summary.purged, 1);
        assert_eq!(b.watermarks("t.DLT"), [(0, 3)]);
        assert_eq!(
            b.committed("t.DLT", 0),
            None,
            "offset 0 is not handled: the group cannot move"
        );
    }

    #[tokio::test]
    async fn an_entry_arriving_while_the_prompt_is_open_is_not_purged() {
        let b = dlq_of(1, 3);
        let arrives = b.clone();
        let mut s = settings("t.DLT");
        s.yes = false;
        let summary = run_on(
            &mut b.clone(),
            &s,
            &mut Yes(move || {
                arrives.append("t.DLT", 0, "late", &[]);
            }),
        )
        .await
        .unwrap();
        assert_eq!((summary.selected, summary.purged), (3, 3));
        assert_eq!(b.watermarks("t.DLT"), vec![(3, 4)], "the late entry stays");
        assert_eq!(b.committed("t.DLT", 0), Some(3));
    }

    #[test]
    fn backup_paths_follow_xdg_and_are_safe() {
        let now: Timestamp = "2026-11-22T10:00:00Z".parse().unwrap();
        let p = default_backup_path("persistent://public/default/x-DLQ", now).unwrap();
        let name = p.file_name().unwrap().to_str().unwrap();
        assert_eq!(
            name,
            "persistent___public_default_x-DLQ-20261122T100000.000Z.jsonl"
        );
        assert!(p.to_str().unwrap().contains("dlq/backups/"));
    }
}
