//! Fetching the originals a share group's dead letters point at (Kafka 4.4+ writes them without
//! key and value by default): one consumer, one read per run of nearby offsets of a partition.

use std::collections::BTreeMap;
use std::time::Instant;

use anyhow::Context as _;
use async_trait::async_trait;
use rdkafka::consumer::Consumer;
use rdkafka::error::KafkaError;
use rdkafka::message::Message;
use rdkafka::{Offset, TopicPartitionList};

use super::client::*;
use super::reader::to_record;
use super::KafkaBroker;
use crate::broker::{OriginFetcher, OriginRef};
use crate::domain::entry::Record;
use crate::error::{DlqError, Unreachable};

/// Offsets closer than this are read in one run rather than sought one by one.
const RUN_GAP: i64 = 1_000;

pub(super) struct KafkaOrigins {
    pub(super) broker: KafkaBroker,
    /// Topic id (in one spelling, `canonical_id`) → name, read once per run.
    pub(super) names_by_id: Option<BTreeMap<String, String>>,
}

#[async_trait]
impl OriginFetcher for KafkaOrigins {
    async fn fetch_originals(
        &mut self,
        wanted: &[OriginRef],
    ) -> anyhow::Result<Vec<Result<Record, String>>> {
        tokio::task::block_in_place(|| self.broker.fetch_originals_blocking(wanted))
    }

    async fn topic_named(&mut self, id: &str) -> anyhow::Result<Option<String>> {
        if self.names_by_id.is_none() {
            let map = tokio::task::block_in_place(|| self.broker.topic_names_by_id())?;
            self.names_by_id = Some(map);
        }
        let names = self.names_by_id.as_ref().expect("read above");
        if names.values().any(|n| n == id) {
            return Ok(Some(id.to_string()));
        }
        Ok(names.get(&canonical_id(id)).cloned())
    }
}

/// Kafka writes a topic id in URL-safe base64 without padding; librdkafka may spell it with the
/// standard alphabet. One spelling to compare.
fn canonical_id(id: &str) -> String {
    id.trim_end_matches('=')
        .chars()
        .map(|c| match c {
            '+' => '-',
            '/' => '_',
            c => c,
        })
        .collect()
}

type Found = Vec<Option<Result<Record, String>>>;

impl KafkaBroker {
    /// Every topic's id and name (the metadata's names, then DescribeTopics for their ids).
    fn topic_names_by_id(&self) -> anyhow::Result<BTreeMap<String, String>> {
        let consumer = self.consumer()?;
        let md = consumer
            .fetch_metadata(None, self.timeout)
            .map_err(|e| self.unreachable("metadata request", &e))?;
        let names: Vec<String> = md.topics().iter().map(|t| t.name().to_string()).collect();
        match super::group::topic_ids(consumer.client(), &names, self.timeout) {
            Ok(ids) => Ok(ids
                .into_iter()
                .map(|(id, name)| (canonical_id(&id), name))
                .collect()),
            Err(super::group::DescribeFailure::NoAnswer(words)) => {
                Err(Unreachable::no_answer(self.timeout)
                    .at(format!("Kafka at {}", self.bootstrap))
                    .doing("describing topics to name a topic id")
                    .why(words)
                    .into())
            }
            // A broker without topic ids in DescribeTopics cannot name one.
            Err(super::group::DescribeFailure::Refused(_)) => Ok(BTreeMap::new()),
        }
    }

    fn fetch_originals_blocking(
        &self,
        wanted: &[OriginRef],
    ) -> anyhow::Result<Vec<Result<Record, String>>> {
        let mut found: Found = vec![None; wanted.len()];
        // topic → partition → offset → the positions in `wanted` that ask for it.
        let mut by_place: BTreeMap<&str, BTreeMap<i32, BTreeMap<i64, Vec<usize>>>> =
            BTreeMap::new();
        for (i, w) in wanted.iter().enumerate() {
            by_place
                .entry(w.topic.as_str())
                .or_default()
                .entry(w.partition)
                .or_default()
                .entry(w.offset)
                .or_default()
                .push(i);
        }
        if by_place.is_empty() {
            return Ok(Vec::new());
        }
        let consumer = self.consumer()?;
        for (topic, partitions) in by_place {
            let all = match self.partitions(&consumer, topic) {
                Ok(all) => all,
                Err(e)
                    if matches!(
                        e.downcast_ref::<DlqError>(),
                        Some(DlqError::TopicNotFound { .. })
                    ) =>
                {
                    let why = format!("the origin topic '{topic}' no longer exists");
                    for idx in partitions.values().flat_map(|o| o.values()).flatten() {
                        found[*idx] = Some(Err(why.clone()));
                    }
                    continue;
                }
                Err(e) => return Err(e),
            };
            for (p, offsets) in partitions {
                if !all.contains(&p) {
                    let why = format!("the origin topic '{topic}' has no partition {p}");
                    for idx in offsets.values().flatten() {
                        found[*idx] = Some(Err(why.clone()));
                    }
                    continue;
                }
                let (low, high) = self.watermarks(&consumer, topic, p)?;
                let mut readable = Vec::new();
                for (&offset, idxs) in &offsets {
                    let gone = if offset < low {
                        Some(format!(
                            "no longer in '{topic}': partition {p} now starts at offset {low} \
                             (retention or DeleteRecords removed offset {offset})"
                        ))
                    } else if offset >= high {
                        Some(format!(
                            "not in '{topic}': partition {p} ends before offset {offset} \
                             (its end is {high})"
                        ))
                    } else {
                        None
                    };
                    match gone {
                        Some(why) => idxs.iter().for_each(|i| found[*i] = Some(Err(why.clone()))),
                        None => readable.push(offset),
                    }
                }
                for run in runs(&readable) {
                    self.read_run(&consumer, topic, p, run, &offsets, &mut found)?;
                }
            }
        }
        Ok(found
            .into_iter()
            .map(|f| f.expect("every wanted original is answered"))
            .collect())
    }

    /// Reads `run` (ascending offsets) of one partition from its first offset to its last,
    /// keeping the wanted records; an offset the log skips (compaction, a transaction marker)
    /// is answered with why.
    fn read_run(
        &self,
        consumer: &KConsumer,
        topic: &str,
        p: i32,
        run: &[i64],
        offsets: &BTreeMap<i64, Vec<usize>>,
        found: &mut Found,
    ) -> anyhow::Result<()> {
        let (first, last) = (run[0], run[run.len() - 1]);
        let mut tpl = TopicPartitionList::new();
        tpl.add_partition_offset(topic, p, Offset::Offset(first))?;
        consumer
            .assign(&tpl)
            .context("assigning an origin partition")?;
        let mut last_progress = Instant::now();
        loop {
            match consumer.poll(POLL) {
                None => {
                    if last_progress.elapsed() > self.timeout {
                        return Err(Unreachable::no_answer(self.timeout)
                            .at(format!("Kafka at {}", self.bootstrap))
                            .doing(format!(
                                "fetching originals from partition {p} of '{topic}'"
                            ))
                            .into());
                    }
                }
                Some(Err(KafkaError::PartitionEOF(_))) => break,
                Some(Err(e)) if is_transient(&e) => {}
                Some(Err(e)) => {
                    return Err(e).context(format!(
                        "fetching originals from partition {p} of '{topic}'"
                    ))
                }
                Some(Ok(m)) => {
                    last_progress = Instant::now();
                    if let Some(idxs) = offsets.get(&m.offset()) {
                        let record = to_record(&m);
                        for i in idxs {
                            found[*i] = Some(Ok(record.clone()));
                        }
                    }
                    if m.offset() >= last {
                        break;
                    }
                }
            }
        }
        for offset in run {
            for i in &offsets[offset] {
                if found[*i].is_none() {
                    found[*i] = Some(Err(format!(
                        "offset {offset} of partition {p} of '{topic}' holds no record \
                         (compacted away, or a transaction marker)"
                    )));
                }
            }
        }
        Ok(())
    }
}

/// Ascending offsets split where the gap to the next is more than `RUN_GAP`.
fn runs(offsets: &[i64]) -> Vec<&[i64]> {
    let mut out = Vec::new();
    let mut start = 0;
    for i in 1..=offsets.len() {
        if i == offsets.len() || offsets[i] - offsets[i - 1] > RUN_GAP {
            if i > start {
                out.push(&offsets[start..i]);
            }
            start = i;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn topic_ids_compare_in_one_spelling() {
        assert_eq!(
            canonical_id("kZ3x+Qb2/nWvY8aLmP0cRg=="),
            "kZ3x-Qb2_nWvY8aLmP0cRg"
        );
        assert_eq!(
            canonical_id("kZ3x-Qb2_nWvY8aLmP0cRg"),
            "kZ3x-Qb2_nWvY8aLmP0cRg"
        );
    }

    #[test]
    fn nearby_offsets_are_read_in_one_run() {
        assert!(runs(&[]).is_empty());
        assert_eq!(runs(&[5]), vec![&[5][..]]);
        assert_eq!(
            runs(&[1, 2, 900, 5_000, 5_001, 1_000_000]),
            vec![&[1, 2, 900][..], &[5_000, 5_001][..], &[1_000_000][..]]
        );
    }
}
