//! `dlq replay TOPIC --since TIME --group GROUP` (Kafka) / `--subscription SUB` (Pulsar): move a
//! consumer group or subscription back to the first message at or after TIME in every
//! partition, so the service reprocesses from there. The plan (current and new position, how
//! many messages will be reprocessed) comes first; nothing moves without confirmation.

use jiff::Timestamp;

use crate::broker::{self, ConnectConfig, RewindPlan};
use crate::error::DlqError;

pub struct RewindSettings {
    pub topic: String,
    pub connect: ConnectConfig,
    /// The group (Kafka) or subscription (Pulsar) to rewind.
    pub consumer: String,
    /// "group" or "subscription", for messages.
    pub kind: &'static str,
    pub since: Timestamp,
    /// What the user typed, shown beside the instant it resolved to.
    pub since_input: String,
    pub dry_run: bool,
    pub yes: bool,
    /// Proceed where the broker cannot tell whether the consumer is active.
    pub assume_inactive: bool,
}

#[derive(Debug, Clone)]
pub struct RewindOutcome {
    pub topic: String,
    pub kind: &'static str,
    pub consumer: String,
    pub since: Timestamp,
    pub since_input: String,
    pub plan: RewindPlan,
    pub dry_run: bool,
    pub applied: bool,
}

impl RewindOutcome {
    pub fn reprocess(&self) -> u64 {
        self.plan.partitions.iter().map(|p| p.reprocess).sum()
    }
}

pub trait RewindUi: Send {
    fn plan(&mut self, outcome: &RewindOutcome) -> std::io::Result<()>;
    /// `None` when there is no terminal to ask on.
    fn confirm(&mut self, outcome: &RewindOutcome) -> std::io::Result<Option<bool>>;
}

pub async fn run(s: &RewindSettings, ui: &mut dyn RewindUi) -> anyhow::Result<RewindOutcome> {
    let mut broker = broker::connect(&s.connect).await?;
    let plan = broker.rewind_plan(&s.topic, &s.consumer, s.since).await?;
    let mut outcome = RewindOutcome {
        topic: s.topic.clone(),
        kind: s.kind,
        consumer: s.consumer.clone(),
        since: s.since,
        since_input: s.since_input.clone(),
        plan,
        dry_run: s.dry_run,
        applied: false,
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
            capability: "describing consumer groups (DescribeGroups)".into(),
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
    broker
        .rewind_apply(
            &s.topic,
            &s.consumer,
            s.since,
            &outcome.plan,
            s.assume_inactive,
        )
        .await?;
    outcome.applied = true;
    Ok(outcome)
}
