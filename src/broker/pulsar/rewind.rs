//! Moving a subscription: cursor resets through the admin API, partition by partition.

use std::collections::BTreeMap;

use super::PulsarBroker;
use crate::broker::{DlqReader, RewindPartition, RewindPlan, RewindTarget, ScanRequest, StartAt};
use crate::domain::entry::{EntryId, Partition, PulsarMessageId};
use crate::error::DlqError;

impl PulsarBroker {
    pub(super) async fn plan_rewind(
        &mut self,
        topic: &str,
        subscription: &str,
        target: &RewindTarget,
    ) -> anyhow::Result<RewindPlan> {
        let full = Self::full_name(topic);
        self.check_exists(&full).await?;
        let partitions = self.partition_topics(&full).await?;
        if let RewindTarget::Positions(saved) = target {
            let known: Vec<Partition> = partitions.iter().map(|(i, _)| *i).collect();
            if let Some(p) = saved.keys().find(|p| !known.contains(p)) {
                anyhow::bail!(
                    "the positions file names partition {p}, which '{full}' does not have"
                );
            }
        }
        let mut rows: BTreeMap<Partition, RewindPartition> = BTreeMap::new();
        for (i, partition_topic) in &partitions {
            let mark = self
                .admin
                .mark_delete(partition_topic, subscription)
                .await?;
            let Some((ledger, entry)) = mark else {
                anyhow::bail!(
                    "subscription '{subscription}' does not exist on '{partition_topic}'; a rewind moves an \
                     existing subscription (the service's), it does not create one"
                );
            };
            rows.insert(
                *i,
                RewindPartition {
                    partition: *i,
                    current: Some(format!("acknowledged up to {ledger}:{entry}")),
                    saved: Some(format!("{ledger}:{entry}")),
                    target: None,
                    target_timestamp: None,
                    new_position: "end".into(),
                    reprocess: 0,
                    apply_position: None,
                },
            );
        }
        // A throwaway non-durable read of everything retained (the subscription is not touched):
        // per partition, the first message at or after the time, or after the saved position,
        // and how many follow it.
        let mut reader = Box::new(
            self.open_reader(&ScanRequest {
                topic: topic.to_string(),
                start: StartAt::Retained,
                ..ScanRequest::default()
            })
            .await?,
        );
        let read: anyhow::Result<()> = async {
            while let Some(r) = reader.next().await? {
                let EntryId::Pulsar(id) = r.id else { continue };
                let Some(row) = rows.get_mut(&Partition::from(id.partition)) else {
                    continue;
                };
                if row.target.is_none() {
                    let starts_here = match target {
                        RewindTarget::Since(since) => r.timestamp.is_some_and(|t| t >= *since),
                        RewindTarget::Positions(saved) => {
                            match saved.get(&Partition::from(id.partition)) {
                                Some(Some(pos)) => after_mark(id, pos)?,
                                // Nothing saved for it: this partition stays where it is.
                                _ => false,
                            }
                        }
                    };
                    if starts_here {
                        row.target = Some(r.id);
                        row.target_timestamp = r.timestamp;
                        row.new_position = r.id.to_string();
                    }
                }
                if row.target.is_some() {
                    row.reprocess += 1;
                }
            }
            Ok(())
        }
        .await;
        reader.close().await?;
        read?;
        if let RewindTarget::Positions(saved) = target {
            // Partitions without a saved position are left alone.
            rows.retain(|p, _| matches!(saved.get(p), Some(Some(_))));
        }
        let blocked = match self.holders(&full, subscription).await {
            Some(held) if !held.is_empty() => Some(format!(
                "subscription '{subscription}' on '{full}' has {} connected consumer(s) ({}); a cursor moved \
                 under them is not seen by what they already fetched. Stop them, then rewind",
                held.len(),
                held.join(", ")
            )),
            _ => None,
        };
        Ok(RewindPlan {
            partitions: rows.into_values().collect(),
            blocked,
            unverified: None,
        })
    }

    pub(super) async fn apply_rewind(
        &mut self,
        topic: &str,
        subscription: &str,
        _target: &RewindTarget,
        plan: &RewindPlan,
        _assume_inactive: bool,
    ) -> anyhow::Result<()> {
        let full = Self::full_name(topic);
        // Checked again: a consumer may have connected since the plan was shown.
        if let Some(held) = self
            .holders(&full, subscription)
            .await
            .filter(|h| !h.is_empty())
        {
            anyhow::bail!(
                "subscription '{subscription}' on '{full}' has {} connected consumer(s) ({}); nothing was changed",
                held.len(),
                held.join(", ")
            );
        }
        let partitions: BTreeMap<Partition, String> =
            self.partition_topics(&full).await?.into_iter().collect();
        // Partition by partition: the admin API refuses a reset by message id on a partitioned
        // topic as a whole.
        let mut moved: Vec<String> = Vec::new();
        for row in &plan.partitions {
            let Some(partition_topic) = partitions.get(&row.partition) else {
                continue;
            };
            if !moved.is_empty() {
                fail::fail_point!("rewind-between-partitions", |_| Ok(()));
            }
            let done = match row.target {
                Some(EntryId::Pulsar(id)) => {
                    self.admin
                        .reset_cursor(partition_topic, subscription, &id)
                        .await
                }
                // Nothing that recent (or after the saved position): to the end.
                _ => self.admin.skip_all(partition_topic, subscription).await,
            };
            if let Err(e) = done {
                return Err(e.context(format!(
                    "moving subscription '{subscription}' partition by partition; moved before the failure: {}; \
                     the positions file saved before the change puts them back",
                    if moved.is_empty() {
                        "none".to_string()
                    } else {
                        moved.join(", ")
                    }
                )));
            }
            moved.push(row.partition.to_string());
        }
        Ok(())
    }
}

/// Whether `id` comes after the saved mark-delete position `LEDGER:ENTRY` (entry -1: nothing
/// of that ledger was acknowledged).
pub(super) fn after_mark(id: PulsarMessageId, saved: &str) -> anyhow::Result<bool> {
    let bad = || {
        DlqError::Usage(format!(
            "the positions file gives '{saved}'; a Pulsar position is LEDGER:ENTRY (the mark-delete position)"
        ))
    };
    let (l, e) = saved.split_once(':').ok_or_else(bad)?;
    let ledger: u64 = l.parse().map_err(|_| bad())?;
    let entry: i64 = e.parse().map_err(|_| bad())?;
    Ok((id.ledger, id.entry as i64) > (ledger, entry))
}
