//! Moving a consumer group: plans from timestamps, one commit for every partition.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use jiff::Timestamp;
use rdkafka::consumer::Consumer;
use rdkafka::error::KafkaError;
use rdkafka::message::Message;
use rdkafka::{Offset, TopicPartitionList};

use super::client::*;
use super::group;
use super::KafkaBroker;
use crate::broker::{RewindPartition, RewindPlan, RewindTarget};
use crate::domain::entry::{EntryId, Partition};
use crate::domain::rewind::exact_start;
use crate::error::{DlqError, Unreachable};

impl KafkaBroker {
    /// Whether the group has members: Kafka overwrites offsets committed while members run.
    /// Both kinds of group are described (classic and KIP-848 `group.protocol=consumer`; see
    /// group.rs). A broker that describes neither leaves it `Unknown`.
    pub(super) fn membership(&self, consumer: &KConsumer, group: &str) -> Membership {
        match group::describe(consumer.client(), group, self.timeout) {
            Err(e @ group::DescribeFailure::NoAnswer(_)) => {
                Membership::Lost(
                    Unreachable::lost()
                        .at(format!("Kafka at {}", self.bootstrap))
                        .doing(format!("describing group '{group}'"))
                        .why(e)
                        .settled("nothing was changed"),
                )
            }
            Err(e) => Membership::Unknown(format!(
                "dlq cannot check whether group '{group}' has active members: the broker does not answer \
                 DescribeConsumerGroups ({e}). Kafka would overwrite a rewind committed while members run. \
                 Stop the group's consumers, then pass --assume-inactive"
            )),
            Ok(Some(g)) if g.members > 0 => {
                let n = g.members;
                let protocol = if g.kind.eq_ignore_ascii_case("consumer") {
                    "consumer protocol, KIP-848"
                } else {
                    "classic protocol"
                };
                Membership::Active(format!(
                    "group '{group}' has {n} active member{} (state {}, {protocol}); Kafka would overwrite offsets \
                     committed while they run. Stop its consumers (the group becomes Empty), then rewind",
                    if n == 1 { "" } else { "s" },
                    g.state
                ))
            }
            Ok(_) => Membership::Inactive,
        }
    }

    /// Whether `group` is a share group (KIP-932), as far as the broker lets a client without
    /// share-group admin calls tell: a share group's own settings (`share.*`,
    /// `errors.deadletterqueue.*`) set on the group. A share group without any is caught when
    /// the broker refuses the commit (`ShareGroupRewind` then too).
    pub(super) fn looks_like_share_group(&self, group: &str) -> anyhow::Result<bool> {
        let consumer = self.consumer_for(group)?;
        match group::group_settings(consumer.client(), group, self.timeout) {
            Ok(set) => Ok(set.iter().any(|name| {
                name.starts_with("share.") || name.starts_with("errors.deadletterqueue.")
            })),
            Err(group::DescribeFailure::NoAnswer(words)) => {
                Err(Unreachable::no_answer(self.timeout)
                    .at(format!("Kafka at {}", self.bootstrap))
                    .doing(format!("describing group '{group}'"))
                    .why(words)
                    .into())
            }
            // A broker without group configurations (before 3.9) has no share groups either.
            Err(group::DescribeFailure::Refused(_)) => Ok(false),
        }
    }

    pub(super) fn rewind_plan_blocking(
        &self,
        topic: &str,
        group: &str,
        target: &RewindTarget,
    ) -> anyhow::Result<RewindPlan> {
        let consumer = self.consumer_for(group)?;
        let partitions = self.partitions(&consumer, topic)?;
        let committed = self.committed(&consumer, topic, &partitions)?;
        let hints = match target {
            RewindTarget::Since(since) => {
                let mut query = TopicPartitionList::new();
                for &p in &partitions {
                    query.add_partition_offset(topic, p, Offset::Offset(since.as_millisecond()))?;
                }
                // Only a hint: checked against the records below.
                consumer.offsets_for_times(query, self.timeout).ok()
            }
            RewindTarget::Positions(saved) => {
                let known = |p: &&Partition| p.index().is_some_and(|i| partitions.contains(&i));
                if let Some(p) = saved.keys().find(|p| !known(p)) {
                    anyhow::bail!(
                        "the positions file names partition {p}, which '{topic}' does not have (it has {})",
                        partitions.len()
                    );
                }
                None
            }
        };
        let mut probe = TimestampProbe {
            consumer: self.consumer()?,
            topic: topic.to_string(),
            at: None,
            timeout: self.timeout,
        };
        let mut rows = Vec::new();
        for &p in &partitions {
            let (low, high) = self.watermarks(&consumer, topic, p)?;
            let start = match target {
                RewindTarget::Since(since) => {
                    let hint = hints
                        .as_ref()
                        .and_then(|h| h.find_partition(topic, p))
                        .and_then(|e| match e.offset() {
                            Offset::Offset(o) => Some(o),
                            Offset::End => Some(high),
                            _ => None,
                        });
                    exact_start(*since, low, high, hint, |o| probe.ts_from(p, o))?
                }
                RewindTarget::Positions(saved) => match saved.get(&Partition::Index(p)) {
                    Some(Some(offset)) => offset.parse::<i64>().map_err(|_| {
                        DlqError::Usage(format!(
                            "the positions file gives '{offset}' for partition {p}; a Kafka position is an offset"
                        ))
                    })?,
                    // No position saved (none was committed): Kafka cannot take a committed
                    // offset back, so this partition stays where it is.
                    _ => match committed.get(&p) {
                        Some(&c) => c,
                        None => continue,
                    },
                },
            };
            let target_timestamp = if start >= low && start < high {
                probe.ts_from(p, start)?.map(|(_, t)| t)
            } else {
                None
            };
            rows.push(RewindPartition {
                partition: Partition::Index(p),
                current: Some(match committed.get(&p) {
                    Some(c) => format!("offset {c}"),
                    None => "none committed".into(),
                }),
                saved: committed.get(&p).map(|offset| offset.to_string()),
                target: (start < high).then_some(EntryId::Kafka {
                    partition: p,
                    offset: start,
                }),
                target_timestamp,
                new_position: if start < high {
                    format!("offset {start}")
                } else {
                    format!("offset {start} (end)")
                },
                reprocess: (high - start.max(low)).max(0) as u64,
                apply_position: Some(start.to_string()),
            });
        }
        let (blocked, unverified) = match self.membership(&consumer, group) {
            Membership::Active(why) => (Some(why), None),
            Membership::Unknown(why) => (None, Some(why)),
            Membership::Inactive => (None, None),
            Membership::Lost(lost) => return Err(lost.into()),
        };
        Ok(RewindPlan {
            partitions: rows,
            blocked,
            unverified,
        })
    }

    pub(super) fn rewind_apply_blocking(
        &self,
        topic: &str,
        group: &str,
        plan: &RewindPlan,
        assume_inactive: bool,
    ) -> anyhow::Result<()> {
        let consumer = std::sync::Arc::new(self.consumer_for(group)?);
        // Checked again: a consumer may have joined since the plan was shown.
        match self.membership(&consumer, group) {
            Membership::Active(why) => return Err(anyhow::anyhow!("{why}; nothing was changed")),
            Membership::Lost(lost) => return Err(lost.into()),
            Membership::Unknown(why) if !assume_inactive => {
                return Err(DlqError::Unsupported {
                    broker: format!("Kafka at {}", self.bootstrap),
                    capability: "describing consumer groups (DescribeGroups)".into(),
                    alternative: format!("{why}; nothing was changed"),
                }
                .into())
            }
            _ => {}
        }
        let offset_of = |row: &RewindPartition| -> anyhow::Result<Option<i64>> {
            row.apply_position
                .as_deref()
                .map(|o| {
                    o.parse::<i64>()
                        .map_err(|_| anyhow::anyhow!("'{o}' is not a Kafka offset"))
                })
                .transpose()
        };
        let mut tpl = TopicPartitionList::new();
        let mut moves = BTreeMap::new();
        for row in &plan.partitions {
            if let (Some(o), Some(p)) = (offset_of(row)?, row.partition.index()) {
                tpl.add_partition_offset(topic, p, Offset::Offset(o))?;
                moves.insert(p, o);
            }
        }
        fail::fail_point!("rewind-before-commit");
        let deadline = Instant::now() + self.timeout;
        coordinator_retry(self.timeout, || commit_within(&consumer, &tpl, deadline)).map_err(
            |e| {
                // A share group's id is refused to OffsetCommit (the group exists, but not as a
                // consumer group): the share group whose configuration did not give it away.
                if e.rdkafka_error_code() == Some(rdkafka::types::RDKafkaErrorCode::GroupIdNotFound)
                {
                    return crate::broker::ShareGroupRewind {
                        group: group.to_string(),
                    }
                    .into();
                }
                commit_error(
                    &self.bootstrap,
                    format!(
                        "committing the offsets of group '{group}' on '{topic}' (one request for \
                         every partition: either all moved or none; the positions file saved \
                         before puts them back either way)"
                    ),
                    e,
                )
            },
        )?;
        // Read back what the broker now holds.
        let partitions: Vec<i32> = moves.keys().copied().collect();
        let now = self.committed(&consumer, topic, &partitions)?;
        for (partition, offset) in &moves {
            if now.get(partition) != Some(offset) {
                anyhow::bail!(
                    "group '{group}' reads {:?} for partition {partition} after the commit, not {offset}",
                    now.get(partition),
                );
            }
        }
        Ok(())
    }
}

pub(super) enum Membership {
    Active(String),
    Inactive,
    Unknown(String),
    /// The broker did not answer at all: it went away (exit 4), which says nothing of support.
    Lost(Unreachable),
}

/// Reads record timestamps by offset, sequentially where it can (a seek only when asked for an
/// offset other than the next one).
pub(super) struct TimestampProbe {
    consumer: KConsumer,
    topic: String,
    /// (partition, next offset the assignment will deliver)
    at: Option<(i32, i64)>,
    timeout: Duration,
}

impl TimestampProbe {
    /// The first record at or after `offset`: its offset and timestamp.
    pub(super) fn ts_from(
        &mut self,
        partition: i32,
        offset: i64,
    ) -> anyhow::Result<Option<(i64, Timestamp)>> {
        if self.at != Some((partition, offset)) {
            let mut tpl = TopicPartitionList::new();
            tpl.add_partition_offset(&self.topic, partition, Offset::Offset(offset))?;
            self.consumer.assign(&tpl)?;
        }
        let deadline = Instant::now() + self.timeout;
        while Instant::now() < deadline {
            match self.consumer.poll(POLL) {
                None => {}
                Some(Err(KafkaError::PartitionEOF(_))) => {
                    self.at = None;
                    return Ok(None);
                }
                Some(Err(e)) if is_transient(&e) => {}
                Some(Err(e)) => return Err(e).context("reading a record's timestamp"),
                Some(Ok(m)) if m.offset() >= offset => {
                    self.at = Some((partition, m.offset() + 1));
                    let ts = m
                        .timestamp()
                        .to_millis()
                        .and_then(|ms| Timestamp::from_millisecond(ms).ok());
                    return match ts {
                        Some(t) => Ok(Some((m.offset(), t))),
                        None => anyhow::bail!("record {partition}:{} has no timestamp", m.offset()),
                    };
                }
                Some(Ok(_)) => {}
            }
        }
        anyhow::bail!(
            "no record from partition {partition} at offset {offset} within {}s",
            self.timeout.as_secs_f32()
        )
    }
}
