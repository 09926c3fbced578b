//! How a rewind looks: the plan as a table (partition, current position, new position, first
//! message's time, messages to reprocess) with the UTC instant the input resolved to; one JSON
//! document with `-o json`.

use std::io::{self, Write};

use comfy_table::{presets, Table};
use serde::Serialize;

use super::sanitize;
use super::OutputFormat;
use crate::domain::entry::Partition;
use crate::domain::positions::ConsumerKind;
use crate::results::rewind::{Destination, RewindOutcome, RewindUi};

/// The time or the file a rewind goes to, for messages.
fn destination(o: &RewindOutcome) -> String {
    match &o.destination {
        Destination::Since { at, .. } => at.to_string(),
        Destination::Restore(p) => format!("the positions saved in {}", p.display()),
    }
}

pub(crate) struct TerminalRewindUi {
    pub format: OutputFormat,
}

impl RewindUi for TerminalRewindUi {
    fn plan(&mut self, o: &RewindOutcome) -> io::Result<()> {
        if self.format != OutputFormat::Table {
            return Ok(());
        }
        let mut out = io::stdout().lock();
        match &o.destination {
            Destination::Since { at, input } => writeln!(
                out,
                "Rewind {} '{}' on {} to {} (from --since {})",
                o.kind,
                sanitize(&o.consumer),
                sanitize(&o.topic),
                at,
                sanitize(input)
            )?,
            Destination::Restore(path) => writeln!(
                out,
                "Restore {} '{}' on {} to the positions saved in {}",
                o.kind,
                sanitize(&o.consumer),
                sanitize(&o.topic),
                path.display()
            )?,
        }
        let mut t = Table::new();
        t.load_preset(presets::NOTHING).set_header([
            "PARTITION",
            "CURRENT",
            "NEW POSITION",
            "FIRST MESSAGE AT",
            "REPROCESS",
        ]);
        for p in &o.plan.partitions {
            t.add_row([
                match p.partition {
                    Partition::NotPartitioned => "-".to_string(),
                    Partition::Index(i) => i.to_string(),
                },
                p.current.clone().unwrap_or_else(|| "not reported".into()),
                p.new_position.clone(),
                p.target_timestamp.map_or("-".into(), |t| t.to_string()),
                p.reprocess.to_string(),
            ]);
        }
        writeln!(out, "{t}")?;
        writeln!(out, "{} messages will be reprocessed", o.reprocess())?;
        if let Some(why) = &o.plan.blocked {
            writeln!(out, "cannot apply now: {why}")?;
        }
        if let Some(why) = &o.plan.unverified {
            writeln!(out, "caution: {why}")?;
        }
        out.flush()
    }

    fn confirm(&mut self, o: &RewindOutcome) -> io::Result<Option<bool>> {
        super::confirm_on_terminal(&format!(
            "{} {} '{}' to {}?",
            if matches!(o.destination, Destination::Restore(_)) {
                "Restore"
            } else {
                "Rewind"
            },
            o.kind,
            sanitize(&o.consumer),
            destination(o)
        ))
    }

    fn saved(&mut self, path: &std::path::Path) -> io::Result<()> {
        // On stderr: stdout may be a JSON document (where `positions_file` says it too).
        eprintln!(
            "dlq: the positions before this change are saved in {}; put them back with:\n  {}",
            path.display(),
            super::hint::restore_positions(&super::hint::this_command(), path)
        );
        Ok(())
    }
}

#[derive(Serialize)]
struct PartitionJson<'a> {
    partition: Option<i32>,
    current: Option<&'a str>,
    new_position: &'a str,
    first_id: Option<String>,
    first_timestamp: Option<String>,
    reprocess: u64,
}

#[derive(Serialize)]
struct RewindJson<'a> {
    mode: &'static str,
    topic: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    group: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    subscription: Option<&'a str>,
    since_input: Option<&'a str>,
    since: Option<String>,
    /// `--restore-positions FILE`: the file the positions came from.
    restored_from: Option<String>,
    /// Where the positions from before were saved (null on a dry run or a refusal).
    positions_file: Option<String>,
    partitions: Vec<PartitionJson<'a>>,
    reprocess: u64,
    blocked: Option<&'a str>,
    unverified: Option<&'a str>,
    dry_run: bool,
    applied: bool,
}

pub(crate) fn outcome(format: OutputFormat, o: &RewindOutcome) -> io::Result<()> {
    let mut out = io::stdout().lock();
    if format == OutputFormat::Table {
        if o.applied {
            writeln!(
                out,
                "{} '{}' on {} now starts at {}.",
                o.kind,
                sanitize(&o.consumer),
                sanitize(&o.topic),
                destination(o)
            )?;
        } else if o.dry_run {
            writeln!(out, "Dry run: nothing was changed.")?;
        }
        return out.flush();
    }
    let doc = RewindJson {
        mode: match o.destination {
            Destination::Since { .. } => "rewind",
            Destination::Restore(_) => "restore",
        },
        topic: &o.topic,
        group: (o.kind == ConsumerKind::Group).then_some(o.consumer.as_str()),
        subscription: (o.kind == ConsumerKind::Subscription).then_some(o.consumer.as_str()),
        since_input: match &o.destination {
            Destination::Since { input, .. } => Some(input),
            Destination::Restore(_) => None,
        },
        since: match &o.destination {
            Destination::Since { at, .. } => Some(at.to_string()),
            Destination::Restore(_) => None,
        },
        restored_from: match &o.destination {
            Destination::Restore(p) => Some(p.display().to_string()),
            Destination::Since { .. } => None,
        },
        positions_file: o.positions_file.as_ref().map(|p| p.display().to_string()),
        partitions: o
            .plan
            .partitions
            .iter()
            .map(|p| PartitionJson {
                partition: p.partition.index(),
                current: p.current.as_deref(),
                new_position: &p.new_position,
                first_id: p.target.map(|t| t.to_string()),
                first_timestamp: p.target_timestamp.map(|t| t.to_string()),
                reprocess: p.reprocess,
            })
            .collect(),
        reprocess: o.reprocess(),
        blocked: o.plan.blocked.as_deref(),
        unverified: o.plan.unverified.as_deref(),
        dry_run: o.dry_run,
        applied: o.applied,
    };
    super::json::document(format, &mut out, &doc)
}

/// A share group dlq cannot move (`ShareGroupRewind`) is a usage error (exit 2) that gives
/// Kafka's own command to paste; any other error is returned as it is.
pub(crate) fn share_group_refusal(
    e: anyhow::Error,
    url: &crate::broker::BrokerUrl,
    topic: &str,
    since: Option<jiff::Timestamp>,
) -> anyhow::Error {
    let Some(refused) = e.downcast_ref::<crate::broker::ShareGroupRewind>() else {
        return e;
    };
    let server = match url {
        crate::broker::BrokerUrl::Kafka { bootstrap } => {
            bootstrap.split(',').next().unwrap_or(bootstrap).to_string()
        }
        other => other.to_string(),
    };
    let to = match since {
        Some(t) => format!("--to-datetime {}", t.strftime("%Y-%m-%dT%H:%M:%S%.3fZ")),
        None => "--to-offset OFFSET".to_string(),
    };
    crate::error::DlqError::Usage(format!(
        "{refused}. With the group's consumers stopped, Kafka's own tool moves it (add \
         --command-config FILE for TLS or SASL):\n  kafka-share-groups.sh --bootstrap-server {} \
         --group {} --topic {} --reset-offsets {to} --execute",
        super::hint::quote(&server),
        super::hint::quote(&refused.group),
        super::hint::quote(topic),
    ))
    .into()
}
