//! `dlq watch` on Kafka: a consumer assigned at each partition's end that reads what arrives,
//! and the operator group's offsets with the log starts as what was handled. Neither joins the
//! group or commits.

use std::collections::BTreeMap;
use std::time::Instant;

use anyhow::Context as _;
use async_trait::async_trait;
use rdkafka::consumer::Consumer;
use rdkafka::error::KafkaError;
use rdkafka::{Offset, TopicPartitionList};

use super::client::*;
use super::reader::to_record;
use super::KafkaBroker;
use crate::broker::Follower;
use crate::domain::entry::Record;
use crate::domain::watch::{Handled, Marks};
use crate::error::Unreachable;

/// How long partitions that reported their end short of the watermark are given to deliver.
const MARKERS_WAIT: std::time::Duration = std::time::Duration::from_millis(500);

impl KafkaBroker {
    pub(super) fn follow_blocking(&self, topic: &str) -> anyhow::Result<KafkaFollower> {
        // Two clients: the broker answers a connection's requests in order, and one held by a
        // fetch waiting for records (fetch.wait.max.ms) made each offset request wait behind it
        // (a refresh took 0.3 s on 3 partitions, 10 ms with a client of its own).
        let meta = self.consumer()?;
        let consumer = self.consumer()?;
        let partitions = self.partitions(&meta, topic)?;
        let mut tpl = TopicPartitionList::new();
        let mut next = BTreeMap::new();
        for (p, (_, high)) in self.all_watermarks(&meta, topic, &partitions)? {
            // Explicit offsets, not `Offset::End`: the end is taken now, before the first read,
            // so that nothing arriving between the two is missed (the watcher drops the overlap).
            tpl.add_partition_offset(topic, p, Offset::Offset(high))?;
            next.insert(p, high);
        }
        consumer.assign(&tpl).context("assigning partitions")?;
        Ok(KafkaFollower {
            broker: self.clone(),
            consumer,
            meta,
            topic: topic.to_string(),
            next,
        })
    }
}

impl KafkaFollower {
    /// The operator group's offsets and each partition's log start, on the follower's own
    /// client (a new client per refresh cost a connection and a metadata request).
    fn handled_blocking(&self) -> anyhow::Result<Handled> {
        let (consumer, topic) = (&self.meta, self.topic.as_str());
        let partitions: Vec<i32> = self.next.keys().copied().collect();
        let committed = self.broker.committed(consumer, topic, &partitions)?;
        let mut handled = Handled::default();
        let mut retained = 0u64;
        let marks = self.broker.all_watermarks(consumer, topic, &partitions)?;
        for (p, (low, high)) in marks {
            retained += (high - low).max(0) as u64;
            let from = committed.get(&p).copied().unwrap_or(low).max(low);
            handled.partitions.insert(p, Marks::before_offset(from));
        }
        handled.retained = Some(retained);
        Ok(handled)
    }
}

pub(super) struct KafkaFollower {
    broker: KafkaBroker,
    /// Assigned: reads what arrives.
    consumer: KConsumer,
    /// Not assigned: offsets and watermarks.
    meta: KConsumer,
    topic: String,
    /// Per partition, the next offset to read.
    next: BTreeMap<i32, i64>,
}

impl KafkaFollower {
    fn arrived_blocking(&mut self, max: usize) -> anyhow::Result<Vec<Record>> {
        // Each partition's end now; a partition is done at it, or where the broker says it
        // reached the end (transaction markers take offsets no record is delivered at).
        let partitions: Vec<i32> = self.next.keys().copied().collect();
        let marks = self
            .broker
            .all_watermarks(&self.meta, &self.topic, &partitions)?;
        let mut ends = BTreeMap::new();
        for (&p, &next) in &self.next {
            match marks.get(&p) {
                Some(&(_, high)) if high > next => {
                    ends.insert(p, high);
                }
                _ => {}
            }
        }
        let mut out = Vec::new();
        let mut last_progress = Instant::now();
        // Partitions that said they reached their end short of it: an end-of-partition event
        // from before this call, or transaction markers at the end. They are done once nothing
        // comes for a moment.
        let mut said_end = std::collections::BTreeSet::new();
        while !ends.is_empty() && out.len() < max {
            if !said_end.is_empty()
                && ends.keys().all(|p| said_end.contains(p))
                && last_progress.elapsed() > MARKERS_WAIT
            {
                break;
            }
            match self.consumer.poll(POLL) {
                None if last_progress.elapsed() > self.broker.timeout => {
                    return Err(Unreachable::no_answer(self.broker.timeout)
                        .at(format!("Kafka at {}", self.broker.bootstrap))
                        .doing(format!(
                            "reading what arrived in partitions {:?} of '{}'",
                            ends.keys().collect::<Vec<_>>(),
                            self.topic
                        ))
                        .why("they hold new records, and nothing came")
                        .advice("a slow broker may need a longer --timeout")
                        .into());
                }
                None => {}
                Some(Err(KafkaError::PartitionEOF(p))) => {
                    if self
                        .next
                        .get(&p)
                        .zip(ends.get(&p))
                        .is_some_and(|(n, e)| n >= e)
                    {
                        ends.remove(&p);
                    } else {
                        said_end.insert(p);
                    }
                }
                Some(Err(e)) if is_transient(&e) => {}
                Some(Err(e)) => return Err(e).context(format!("reading '{}'", self.topic)),
                Some(Ok(m)) => {
                    use rdkafka::message::Message as _;
                    last_progress = Instant::now();
                    let (p, o) = (m.partition(), m.offset());
                    self.next.insert(p, o + 1);
                    said_end.remove(&p);
                    if ends.get(&p).is_some_and(|end| o + 1 >= *end) {
                        ends.remove(&p);
                    }
                    out.push(to_record(&m));
                }
            }
        }
        Ok(out)
    }
}

#[async_trait]
impl Follower for KafkaFollower {
    async fn arrived(&mut self, max: usize) -> anyhow::Result<Vec<Record>> {
        tokio::task::block_in_place(|| self.arrived_blocking(max))
    }

    async fn handled(&mut self) -> anyhow::Result<Handled> {
        tokio::task::block_in_place(|| self.handled_blocking())
    }

    async fn close(self: Box<Self>) {
        tokio::task::block_in_place(move || drop(self));
    }
}
