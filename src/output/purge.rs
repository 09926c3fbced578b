//! How `purge` looks: the plan and the prompt on stderr, the summary on stdout (one JSON
//! document with `-o json`).

use crate::domain::entry::Partition;
use std::io::{self, Write};

use jiff::Timestamp;
use serde::Serialize;

use super::sanitize;
use super::OutputFormat;
use crate::results::purge::{PurgePlan, PurgeSummary, PurgeUi};
use crate::results::Interruption;

fn age(t: Timestamp) -> String {
    let secs = Timestamp::now().as_second() - t.as_second();
    match secs {
        s if s < 120 => format!("{s}s ago"),
        s if s < 7200 => format!("{}m ago", s / 60),
        s if s < 172_800 => format!("{}h ago", s / 3600),
        s => format!("{}d ago", s / 86_400),
    }
}

fn size(bytes: u64) -> String {
    match bytes {
        b if b < 10 * 1024 => format!("{b} B"),
        b if b < 10 * 1024 * 1024 => format!("{} KiB", b / 1024),
        b => format!("{} MiB", b / (1024 * 1024)),
    }
}

/// Error classes the purge plan names, most frequent first.
const TOP_CLASSES: usize = 5;

pub(crate) struct TerminalPurgeUi;

impl PurgeUi for TerminalPurgeUi {
    fn plan(&mut self, p: &PurgePlan) -> io::Result<()> {
        let mut e = io::stderr().lock();
        writeln!(
            e,
            "Purge plan for {} ({}): {} entries, {}",
            sanitize(&p.topic),
            p.broker,
            p.stats.entries,
            size(p.stats.bytes)
        )?;
        if let (Some(o), Some(n)) = (&p.stats.oldest, &p.stats.newest) {
            let (o, n) = (o.timestamp, n.timestamp);
            writeln!(e, "  oldest {o} ({}), newest {n} ({})", age(o), age(n))?;
        }
        let classes = p.stats.by_error_class.sorted();
        if !classes.is_empty() {
            let top: Vec<String> = classes
                .iter()
                .take(TOP_CLASSES)
                .map(|(c, n)| format!("{} {n}", sanitize(c.as_deref().unwrap_or("unknown"))))
                .collect();
            writeln!(e, "  error classes: {}", top.join(", "))?;
        }
        if p.by_offset {
            for (part, (first, last)) in &p.ranges {
                writeln!(e, "  partition {part}: offsets {first} to {last}")?;
            }
            if p.mark_handled {
                writeln!(
                    e,
                    "  how: group '{}' moves past the selected prefix; no records are deleted",
                    p.consumer
                )?;
                for (part, (gap, _)) in &p.not_prefix {
                    writeln!(
                        e,
                        "  partition {part}: offset {gap} is not selected; the group stops there"
                    )?;
                }
            } else {
                writeln!(
                    e,
                    "  how: DeleteRecords up to those offsets, then group '{}' moves there",
                    p.consumer
                )?;
            }
        } else {
            writeln!(e, "  how: acknowledged on subscription '{}'", p.consumer)?;
        }
        match &p.backup {
            Some(path) => writeln!(e, "  backup first: {}", path.display())?,
            None => writeln!(e, "  no backup (--no-backup)")?,
        }
        writeln!(
            e,
            "  entries arriving from now on are not part of this purge"
        )?;
        Ok(())
    }

    fn interruption(&mut self) -> Interruption {
        super::ctrl_c()
    }

    fn confirm(&mut self, p: &PurgePlan) -> io::Result<Option<bool>> {
        super::confirm_on_terminal(&format!(
            "Purge {} entries from {}?",
            p.stats.entries,
            sanitize(&p.topic)
        ))
    }
}

#[derive(Serialize)]
struct SummaryJson<'a> {
    topic: &'a str,
    dry_run: bool,
    selected: u64,
    purged: u64,
    how: &'a str,
    backup: Option<String>,
    warnings: &'a [String],
    failed: u64,
    failed_partitions: &'a std::collections::BTreeMap<i32, String>,
    /// What dlq was doing when the broker went away (exit 4); null otherwise.
    lost: Option<String>,
    /// Stopped by Ctrl-C (exit 5).
    interrupted: bool,
    /// Partitions (-1: not partitioned) all of whose selected entries were purged, and the others.
    partitions_purged: Vec<Partition>,
    partitions_not_purged: Vec<Partition>,
}

pub(crate) fn summary(format: OutputFormat, s: &PurgeSummary) -> io::Result<()> {
    let mut out = io::stdout().lock();
    if format != OutputFormat::Table {
        let (partitions_purged, partitions_not_purged) = s.split_partitions();
        let doc = SummaryJson {
            topic: &s.topic,
            dry_run: s.dry_run,
            selected: s.selected,
            purged: s.purged,
            how: s.how.as_str(),
            backup: s.backup.as_ref().map(|p| p.display().to_string()),
            warnings: &s.warnings,
            failed: s.failed,
            failed_partitions: &s.failed_partitions,
            lost: s.lost.as_ref().map(ToString::to_string),
            interrupted: s.interrupted,
            partitions_purged,
            partitions_not_purged,
        };
        return super::json::document(format, &mut out, &doc);
    }
    if s.dry_run {
        writeln!(
            out,
            "Dry run: nothing was changed. {} entries would be purged.",
            s.selected
        )?;
    } else if s.selected == 0 {
        writeln!(out, "Nothing to purge in {}.", sanitize(&s.topic))?;
    } else {
        writeln!(
            out,
            "{}{} of {} entries {} in {}.",
            if s.interrupted { "Interrupted. " } else { "" },
            s.purged,
            s.selected,
            s.how,
            sanitize(&s.topic)
        )?;
        if let Some(b) = &s.backup {
            writeln!(
                out,
                "Backup: {} (restore it with: {})",
                b.display(),
                super::hint::restore_backup(&super::hint::this_command(), b)
            )?;
        }
    }
    out.flush()?;
    super::warn_all(&s.warnings);
    Ok(())
}
