//! `dlq watch TOPIC…`: one connection kept across refreshes. The first refresh reads what the
//! operator has not handled (once); each later one reads only what arrived (a follower from the
//! end, `Broker::follow`) and asks the broker what was handled since (`Broker::handled`: Kafka's
//! offsets and log starts, Pulsar's cursor), never the whole DLQ again. A refresh that fails
//! keeps the last figures and says why; a follower that failed is replaced by a fresh read at
//! the next refresh.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use jiff::Timestamp;

use super::engine::scan::{count_selected, request};
use crate::broker::{self, Broker, ConnectConfig, Follower, StartAt};
use crate::domain::conventions::{explain, HeaderMap};
use crate::domain::entry::Entry;
use crate::domain::selection::Selection;
use crate::domain::watch::{Rates, Tracker};
use crate::error::DlqError;
pub(crate) use crate::results::watch::{Snapshot, TopicWatch};
use crate::{cli, settings};

/// Records taken from a follower at a time.
const BATCH: usize = 10_000;
/// The shortest refresh interval taken.
const MIN_INTERVAL: Duration = Duration::from_millis(500);

pub(crate) struct WatchSettings {
    pub topics: Vec<String>,
    pub connect: ConnectConfig,
    pub header_map: HeaderMap,
    pub interval: Duration,
    /// `--serve`: where to serve /metrics and /healthz.
    pub serve: Option<SocketAddr>,
    /// Failures shown per DLQ.
    pub top: usize,
}

impl WatchSettings {
    /// `dlq watch`'s arguments (the context already applied) as validated settings.
    pub(crate) fn from_args(a: &cli::WatchArgs) -> anyhow::Result<Self> {
        let interval = settings::duration_flag("--interval", &a.interval)?;
        if interval < MIN_INTERVAL {
            return Err(DlqError::Usage(format!(
                "--interval {} is shorter than the {} ms a refresh may take at least",
                a.interval,
                MIN_INTERVAL.as_millis()
            ))
            .into());
        }
        Ok(WatchSettings {
            topics: a.topics.clone(),
            connect: settings::connect(&a.connect)?,
            header_map: settings::header_map(&a.conventions)?,
            interval,
            serve: a.serve.as_deref().map(serve_address).transpose()?,
            top: a.top,
        })
    }
}

/// `PORT` (on the loopback) or `HOST:PORT`.
fn serve_address(s: &str) -> Result<SocketAddr, DlqError> {
    let bad = |why: &str| {
        DlqError::Usage(format!(
            "--serve takes PORT (on 127.0.0.1) or HOST:PORT (e.g. 0.0.0.0:9464 for every interface), not '{s}': {why}"
        ))
    };
    if let Ok(port) = s.parse::<u16>() {
        return Ok(SocketAddr::from(([127, 0, 0, 1], port)));
    }
    if let Ok(a) = s.parse::<SocketAddr>() {
        return Ok(a);
    }
    let (host, port) = s.rsplit_once(':').ok_or_else(|| bad("no port"))?;
    let port: u16 = port.parse().map_err(|_| bad("the port is not a number"))?;
    if host == "localhost" {
        return Ok(SocketAddr::from(([127, 0, 0, 1], port)));
    }
    Err(bad("give the host as an IP address"))
}

/// One DLQ under watch.
struct Watched {
    topic: String,
    /// `None` until the first read, and after a follower failed.
    follower: Option<Box<dyn Follower>>,
    tracker: Tracker,
    rates: Rates,
    retained: Option<u64>,
    last: Option<(u64, u64)>,
}

pub(crate) struct Watch {
    broker: Box<dyn Broker>,
    header_map: HeaderMap,
    top: usize,
    topics: Vec<Watched>,
    refreshes: u64,
}

impl Watch {
    /// Connects and reads each DLQ once. A broker that cannot be reached, or a topic it does not
    /// have, fails here (nothing would ever show).
    pub(crate) async fn start(s: &WatchSettings) -> anyhow::Result<(Watch, Snapshot)> {
        let broker = broker::connect(&s.connect).await?;
        let mut w = Watch {
            broker,
            header_map: s.header_map.clone(),
            top: s.top,
            topics: s
                .topics
                .iter()
                .map(|t| Watched {
                    topic: t.clone(),
                    follower: None,
                    tracker: Tracker::default(),
                    rates: Rates::default(),
                    retained: None,
                    last: None,
                })
                .collect(),
            refreshes: 0,
        };
        let begun = Instant::now();
        let now = Timestamp::now();
        for i in 0..w.topics.len() {
            w.resync(i).await?;
            w.topics[i].rates.start(now);
        }
        w.refreshes = 1;
        let snapshot = w.snapshot(now, begun, vec![None; w.topics.len()]);
        Ok((w, snapshot))
    }

    /// Reads a DLQ afresh: a follower from its end, then what is unhandled up to it.
    async fn resync(&mut self, i: usize) -> anyhow::Result<()> {
        let topic = self.topics[i].topic.clone();
        if let Some(f) = self.topics[i].follower.take() {
            f.close().await;
        }
        // The follower first: what arrives during the read is in one of the two (the tracker
        // drops what is in both).
        let mut follower = self.broker.follow(&topic).await?;
        let mut tracker = Tracker::default();
        let everything = Selection::default();
        count_selected(
            self.broker.as_mut(),
            &request(&topic, &everything, StartAt::Unhandled, false),
            &self.header_map,
            &everything,
            None,
            &mut |_| {},
            |e| {
                tracker.add(e);
            },
        )
        .await?;
        let handled = follower.handled().await?;
        tracker.remove_handled(&handled);
        let w = &mut self.topics[i];
        w.retained = handled.retained;
        w.tracker = tracker;
        w.follower = Some(follower);
        Ok(())
    }

    /// What arrived and what left since the last refresh, for one DLQ.
    async fn update(&mut self, i: usize) -> anyhow::Result<(u64, u64)> {
        if self.topics[i].follower.is_none() {
            self.resync(i).await?;
            return Ok((0, 0));
        }
        let mut arrived = 0u64;
        loop {
            let follower = self.topics[i].follower.as_mut().expect("checked above");
            let records = match follower.arrived(BATCH).await {
                Ok(r) => r,
                Err(e) => {
                    // Read afresh next time: what it missed cannot be told.
                    if let Some(f) = self.topics[i].follower.take() {
                        f.close().await;
                    }
                    return Err(e);
                }
            };
            let n = records.len();
            for record in records {
                let context = explain(&record, &self.header_map);
                arrived += u64::from(self.topics[i].tracker.add(&Entry::new(record, context)));
            }
            if n < BATCH {
                break;
            }
        }
        let w = &mut self.topics[i];
        let handled = w
            .follower
            .as_mut()
            .expect("checked above")
            .handled()
            .await?;
        w.retained = handled.retained;
        let removed = w.tracker.remove_handled(&handled);
        Ok((arrived, removed))
    }

    /// One refresh of every DLQ. Errors are reported per DLQ, in the snapshot; the watch goes on.
    pub(crate) async fn refresh(&mut self) -> Snapshot {
        let begun = Instant::now();
        let mut errors = Vec::new();
        for i in 0..self.topics.len() {
            let result = self.update(i).await;
            let now = Timestamp::now();
            let w = &mut self.topics[i];
            match result {
                Ok((arrived, removed)) => {
                    w.rates.record(now, arrived, removed);
                    w.last = Some((arrived, removed));
                    errors.push(None);
                }
                Err(e) => {
                    w.last = None;
                    tracing::debug!(topic = %w.topic, error = %format!("{e:#}"), "refresh failed");
                    errors.push(Some(format!("{e:#}")));
                }
            }
        }
        self.refreshes += 1;
        self.snapshot(Timestamp::now(), begun, errors)
    }

    fn snapshot(&self, at: Timestamp, begun: Instant, errors: Vec<Option<String>>) -> Snapshot {
        Snapshot {
            at,
            refresh_seconds: begun.elapsed().as_secs_f64(),
            refresh: self.refreshes,
            topics: self
                .topics
                .iter()
                .zip(errors)
                .map(|(w, error)| {
                    let (arrived, removed) = w.last.unwrap_or((0, 0));
                    TopicWatch {
                        topic: w.topic.clone(),
                        entries: w.tracker.entries(),
                        retained: w.retained,
                        arrived,
                        removed,
                        per_minute: w.rates.per_minute(at),
                        oldest: w.tracker.oldest(),
                        top: w.tracker.top_failures(self.top),
                        spark: w.tracker.arrivals_per_minute(at),
                        stats: w.tracker.stats(),
                        error,
                    }
                })
                .collect(),
        }
    }

    pub(crate) async fn close(self) {
        for w in self.topics {
            if let Some(f) = w.follower {
                f.close().await;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::broker::memory::MemoryBroker;

    fn spring(error: &str) -> [(&str, &str); 3] {
        [
            ("kafka_dlt-original-topic", "orders"),
            ("kafka_dlt-exception-fqcn", error),
            ("kafka_dlt-exception-message", "it happened"),
        ]
    }

    async fn start(broker: &MemoryBroker) -> (Watch, Snapshot) {
        let mut w = Watch {
            broker: Box::new(broker.clone()),
            header_map: HeaderMap::default(),
            top: 5,
            topics: Vec::new(),
            refreshes: 0,
        };
        w.topics = ["orders.DLT"]
            .iter()
            .map(|t| Watched {
                topic: t.to_string(),
                follower: None,
                tracker: Tracker::default(),
                rates: Rates::default(),
                retained: None,
                last: None,
            })
            .collect();
        w.resync(0).await.unwrap();
        w.topics[0].rates.start(Timestamp::now());
        w.refreshes = 1;
        let snap = w.snapshot(Timestamp::now(), Instant::now(), vec![None]);
        (w, snap)
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn a_refresh_reads_what_arrived_and_forgets_what_was_handled() {
        let broker = MemoryBroker::default().with_topic("orders.DLT", 2);
        for i in 0..4 {
            broker.append(
                "orders.DLT",
                i % 2,
                "k",
                &spring("java.lang.IllegalStateException"),
            );
        }
        broker.set_committed("orders.DLT", 0, 1);
        let (mut w, first) = start(&broker).await;
        let t = &first.topics[0];
        assert_eq!(t.entries, 3, "one entry was handled before the watch began");
        assert_eq!(t.retained, Some(4));
        assert_eq!(t.top[0].count, 3);

        for _ in 0..5 {
            broker.append("orders.DLT", 1, "k", &spring("com.acme.BadOrder"));
        }
        let second = w.refresh().await;
        let t = &second.topics[0];
        assert_eq!(t.error, None);
        assert_eq!((t.arrived, t.removed, t.entries), (5, 0, 8));
        assert_eq!(t.top[0].count, 5, "the new failure leads: {:?}", t.top);
        assert_eq!(t.top[0].error_class.as_deref(), Some("com.acme.BadOrder"));
        assert!(t.per_minute.is_some_and(|(a, _)| a > 0.0));

        // The operator purges partition 1 (the BadOrders and the two before them): they leave.
        broker.set_committed("orders.DLT", 1, 7);
        let third = w.refresh().await;
        let t = &third.topics[0];
        assert_eq!((t.arrived, t.removed, t.entries), (0, 7, 1));
        assert_eq!(t.top.len(), 1);
        assert_eq!(t.stats.entries, 1);
        assert_eq!(t.stats.by_fingerprint.sorted().len(), 1);
        w.close().await;
    }

    #[test]
    fn serve_addresses_default_to_the_loopback() {
        assert_eq!(serve_address("9464").unwrap().to_string(), "127.0.0.1:9464");
        assert_eq!(
            serve_address("localhost:9464").unwrap().to_string(),
            "127.0.0.1:9464"
        );
        assert_eq!(
            serve_address("0.0.0.0:9464").unwrap().to_string(),
            "0.0.0.0:9464"
        );
        assert_eq!(
            serve_address("[::1]:9464").unwrap().to_string(),
            "[::1]:9464"
        );
        assert!(serve_address("metrics.example:9464").is_err());
        assert!(serve_address("nope").is_err());
    }
}
