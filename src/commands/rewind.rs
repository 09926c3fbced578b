//! `dlq replay TOPIC --since TIME --group GROUP` (Kafka) / `--subscription SUB` (Pulsar): move a
//! consumer group or subscription back to the first message at or after TIME in every
//! partition, so the service reprocesses from there. The plan (current and new position, how
//! many messages will be reprocessed) comes first; nothing moves without confirmation.
//!
//! Before anything moves, the consumer's positions are written to a file (`positions_file`),
//! and `dlq replay TOPIC --restore-positions FILE --group G` puts them back through the same
//! plan, confirmation and activity guard.

use std::path::PathBuf;

use jiff::Timestamp;

use crate::broker::{self, ConnectConfig, RewindTarget};
use crate::domain::positions::{ConsumerKind, SavedPosition, SavedPositions, FORMAT};
use crate::error::DlqError;
pub(crate) use crate::results::rewind::{Destination, RewindOutcome, RewindUi};
use crate::{cli, settings};

pub(crate) struct RewindSettings {
    pub topic: String,
    pub connect: ConnectConfig,
    /// The group (Kafka) or subscription (Pulsar) to rewind.
    pub consumer: String,
    /// "group" or "subscription", for messages.
    pub kind: ConsumerKind,
    pub destination: Destination,
    /// Where the positions before the rewind are saved.
    pub save_positions: PathBuf,
    pub dry_run: bool,
    pub yes: bool,
    /// Proceed where the broker cannot tell whether the consumer is active.
    pub assume_inactive: bool,
}

impl RewindSettings {
    /// `replay TOPIC --since TIME --group G` / `--subscription S`, or `--restore-positions
    /// FILE`: the arguments (the context already applied) as validated settings.
    pub(crate) fn from_args(a: cli::ReplayArgs) -> anyhow::Result<Self> {
        let usage = |m: String| -> anyhow::Error { DlqError::Usage(m).into() };
        if a.select.until.is_some() {
            return Err(usage(
                "--until makes no sense for a rewind: the group or subscription resumes at --since and reads on to the end. \
                 To reprocess only a window, copy it: --since … --until … --to TOPIC"
                    .into(),
            ));
        }
        let connect = settings::connect(&a.connect)?;
        let kind = connect.url.consumer_kind();
        let named = match kind {
            ConsumerKind::Group => &a.connect.group,
            ConsumerKind::Subscription => &a.connect.subscription,
        };
        let consumer = named.clone().ok_or_else(|| {
            usage(format!(
                "on {}, name the {} to rewind with --{kind}",
                connect.url.product(),
                match kind {
                    ConsumerKind::Group => "consumer group",
                    ConsumerKind::Subscription => "subscription",
                },
            ))
        })?;
        let topic = a.topic.unwrap_or_default();
        let now = Timestamp::now();
        let destination = match a.restore_positions {
            Some(path) => Destination::Restore(path),
            None => {
                let input = a.select.since.clone().unwrap_or_default();
                Destination::Since {
                    at: settings::time_flag("--since", &input, &a.select, now)?,
                    input,
                }
            }
        };
        let save_positions = match a.save_positions {
            Some(p) => p,
            None => default_positions_path(&consumer, &topic, now).ok_or_else(|| {
                usage("no place to save the current positions: set XDG_STATE_HOME or HOME, or pass --save-positions FILE".into())
            })?,
        };
        Ok(RewindSettings {
            destination,
            save_positions,
            topic,
            connect,
            consumer,
            kind,
            dry_run: a.confirm.dry_run,
            yes: a.confirm.yes,
            assume_inactive: a.assume_inactive,
        })
    }
}

pub(crate) async fn run(
    s: &RewindSettings,
    ui: &mut dyn RewindUi,
) -> anyhow::Result<RewindOutcome> {
    let mut broker = broker::connect(&s.connect).await?;
    let target = match &s.destination {
        Destination::Since { at, .. } => RewindTarget::Since(*at),
        Destination::Restore(path) => {
            let saved = SavedPositions::load(path, &s.topic, s.kind, &s.consumer)
                .map_err(DlqError::Usage)?;
            RewindTarget::Positions(saved.by_partition())
        }
    };
    let plan = broker.rewind_plan(&s.topic, &s.consumer, &target).await?;
    let mut outcome = RewindOutcome {
        topic: s.topic.clone(),
        kind: s.kind,
        consumer: s.consumer.clone(),
        destination: s.destination.clone(),
        plan,
        dry_run: s.dry_run,
        applied: false,
        positions_file: None,
    };
    ui.plan(&outcome)?;
    if s.dry_run {
        return Ok(outcome);
    }
    if let Some(why) = &outcome.plan.blocked {
        return Err(anyhow::anyhow!("cannot rewind: {why}; nothing was changed"));
    }
    if let (Some(why), false) = (&outcome.plan.unverified, s.assume_inactive) {
        return Err(DlqError::Unsupported {
            broker: s.connect.url.to_string(),
            capability: "describing consumer groups (DescribeConsumerGroups)".into(),
            alternative: format!("{why}; nothing was changed"),
        }
        .into());
    }
    if !s.yes {
        match ui.confirm(&outcome)? {
            Some(true) => {}
            Some(false) => return Err(DlqError::Declined("rewind declined; nothing was changed".into()).into()),
            None => {
                return Err(DlqError::Declined(format!(
                    "rewinding {} '{}' needs confirmation and there is no terminal to ask on; pass -y/--yes",
                    s.kind, s.consumer
                ))
                .into())
            }
        }
    }
    // The positions from before come first: if they cannot be saved, nothing moves.
    let saved = SavedPositions {
        format: FORMAT.into(),
        broker: s.connect.url.kind().into(),
        topic: s.topic.clone(),
        kind: s.kind,
        consumer: s.consumer.clone(),
        saved_at: Timestamp::now(),
        partitions: outcome
            .plan
            .partitions
            .iter()
            .map(|p| SavedPosition {
                partition: p.partition,
                position: p.saved.clone(),
            })
            .collect(),
    };
    saved.write(&s.save_positions).map_err(|e| {
        anyhow::anyhow!(
            "cannot save the current positions to {}: {e}; nothing was changed",
            s.save_positions.display()
        )
    })?;
    outcome.positions_file = Some(s.save_positions.clone());
    ui.saved(&s.save_positions)?;
    broker
        .rewind_apply(
            &s.topic,
            &s.consumer,
            &target,
            &outcome.plan,
            s.assume_inactive,
        )
        .await?;
    outcome.applied = true;
    Ok(outcome)
}

/// `$XDG_STATE_HOME/dlq/positions/<consumer>@<topic>-<UTC time>.json` (`~/.local/state`
/// without XDG_STATE_HOME).
pub(crate) fn default_positions_path(
    consumer: &str,
    topic: &str,
    now: Timestamp,
) -> Option<PathBuf> {
    let base = crate::paths::xdg_dir("XDG_STATE_HOME", ".local/state")?;
    Some(base.join("dlq/positions").join(format!(
        "{}@{}-{}.json",
        crate::paths::safe_file_name(consumer),
        crate::paths::safe_file_name(topic),
        now.strftime("%Y%m%dT%H%M%S%.3fZ")
    )))
}
