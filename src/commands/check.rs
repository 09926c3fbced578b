//! `dlq check TOPIC… --max-entries N --max-age DURATION --max-rate N/min`: one look at each DLQ
//! and a verdict, exit 6 when a threshold is crossed (for cron jobs and CI steps). Kafka answers
//! from watermarks, the operator group's offsets, a time lookup and one record a partition; a
//! broker that cannot (Pulsar) has the operator subscription's backlog read through, nothing
//! acknowledged.

use std::time::Duration;

use jiff::Timestamp;

use super::engine::scan::{count_selected, request};
use crate::broker::{self, ConnectConfig, StartAt};
use crate::domain::conventions::HeaderMap;
use crate::domain::selection::Selection;
use crate::error::DlqError;
pub(crate) use crate::results::check::Verdict;
use crate::{cli, settings};

pub(crate) struct CheckSettings {
    pub topics: Vec<String>,
    pub connect: ConnectConfig,
    pub max_entries: Option<u64>,
    pub max_age: Option<Duration>,
    /// Entries a minute.
    pub max_rate: Option<u64>,
}

impl CheckSettings {
    /// `dlq check`'s arguments (the context already applied) as validated settings.
    pub(crate) fn from_args(a: cli::CheckArgs) -> anyhow::Result<Self> {
        if a.max_entries.is_none() && a.max_age.is_none() && a.max_rate.is_none() {
            return Err(DlqError::Usage(
                "dlq check needs a threshold: --max-entries N, --max-age DURATION or --max-rate N/min".into(),
            )
            .into());
        }
        Ok(CheckSettings {
            connect: settings::connect(&a.connect)?,
            max_entries: a.max_entries,
            max_age: a
                .max_age
                .as_deref()
                .map(|d| settings::duration_flag("--max-age", d))
                .transpose()?,
            max_rate: a.max_rate.as_deref().map(per_minute).transpose()?,
            topics: a.topics,
        })
    }
}

/// `N/min`, `N/s`, `N/h` or a bare N (a minute) as entries a minute.
fn per_minute(s: &str) -> Result<u64, DlqError> {
    let bad = || DlqError::Usage(format!("--max-rate takes N/min, N/s or N/h, not '{s}'"));
    let (n, unit) = s.split_once('/').unwrap_or((s, "min"));
    let n: u64 = n.trim().parse().map_err(|_| bad())?;
    match unit.trim() {
        "min" | "m" => Ok(n),
        "s" | "sec" => Ok(n.saturating_mul(60)),
        "h" => Ok(n.div_ceil(60)),
        _ => Err(bad()),
    }
}

pub(crate) async fn run(s: &CheckSettings) -> anyhow::Result<Vec<Verdict>> {
    let mut broker = broker::connect(&s.connect).await?;
    let now = Timestamp::now();
    let minute_ago = now - jiff::SignedDuration::from_secs(60);
    let mut verdicts = Vec::new();
    for topic in &s.topics {
        let (entries, oldest, per_minute) = match broker.depth(topic, minute_ago).await? {
            Some(d) => (d.unhandled, d.oldest_unhandled, d.arrived_since),
            None => {
                // Read through what the operator has not handled, counting.
                let (mut n, mut oldest, mut recent) = (0u64, None::<Timestamp>, 0u64);
                let everything = Selection::default();
                count_selected(
                    broker.as_mut(),
                    &request(topic, &everything, StartAt::Unhandled, false),
                    &HeaderMap::default(),
                    &everything,
                    None,
                    &mut |_| {},
                    |e| {
                        n += 1;
                        if let Some(t) = e.record.timestamp {
                            oldest = Some(oldest.map_or(t, |o| o.min(t)));
                            recent += u64::from(t >= minute_ago);
                        }
                    },
                )
                .await?;
                (n, oldest, recent)
            }
        };
        let mut exceeded = Vec::new();
        if let Some(max) = s.max_entries.filter(|m| entries > *m) {
            exceeded.push(format!("{entries} entries > --max-entries {max}"));
        }
        if let (Some(max), Some(o)) = (s.max_age, oldest) {
            let age = now.duration_since(o);
            if age.as_secs() > 0 && age.unsigned_abs() > max {
                exceeded.push(format!(
                    "the oldest entry is {}s old > --max-age {}s",
                    age.as_secs(),
                    max.as_secs()
                ));
            }
        }
        if let Some(max) = s.max_rate.filter(|m| per_minute > *m) {
            exceeded.push(format!(
                "{per_minute} entries in the last minute > --max-rate {max}/min"
            ));
        }
        verdicts.push(Verdict {
            topic: topic.clone(),
            entries,
            oldest,
            per_minute,
            exceeded,
        });
    }
    Ok(verdicts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_in_any_unit_are_a_minute_s() {
        assert_eq!(per_minute("30/min").unwrap(), 30);
        assert_eq!(per_minute("30").unwrap(), 30);
        assert_eq!(per_minute("2/s").unwrap(), 120);
        assert_eq!(per_minute("90/h").unwrap(), 2);
        assert!(per_minute("fast").is_err());
        assert!(per_minute("3/day").is_err());
    }
}
