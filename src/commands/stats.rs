//! `dlq stats TOPIC [selection]`: counts while streaming; nothing is kept per entry.

use super::engine::scan::{count_selected, Counted};
use crate::broker::{self, ConnectConfig, StartAt};
use crate::domain::conventions::HeaderMap;
use crate::domain::selection::Selection;
use crate::domain::stats::Stats;
pub(crate) use crate::results::stats::StatsResult;
use crate::{cli, settings};

pub(crate) struct StatsSettings {
    pub topic: String,
    pub connect: ConnectConfig,
    pub selection: Selection,
    pub header_map: HeaderMap,
    pub start: StartAt,
    /// `--bucket`: the chart's bucket size in seconds.
    pub bucket: Option<i64>,
    /// `--chart-failures N`: a chart for each of the N most frequent failures too.
    pub chart_failures: usize,
    /// Metrics are asked for: the broker's own counts too.
    pub metrics: bool,
}

/// Reads the topic once; `progress` hears how many entries were read so far.
impl StatsSettings {
    /// `dlq stats`'s arguments (the context already applied) as validated settings.
    pub(crate) fn from_args(a: cli::StatsArgs) -> anyhow::Result<Self> {
        let metrics = matches!(
            a.output,
            Some(cli::StatsFormat::OpenMetrics | cli::StatsFormat::Prometheus)
        );
        if metrics && a.chart_failures.is_some() {
            return Err(crate::error::DlqError::Usage(
                "--chart-failures draws charts of arrivals, which metrics do not have; drop it \
                 or use -o table / -o json"
                    .into(),
            )
            .into());
        }
        Ok(StatsSettings {
            chart_failures: a.chart_failures.unwrap_or(0),
            connect: settings::connect(&a.connect)?,
            selection: settings::selection(&a.select, jiff::Timestamp::now())?,
            header_map: settings::header_map(&a.conventions)?,
            start: StartAt::of(a.include_handled || a.all_deprecated),
            bucket: match (&a.output, settings::bucket(a.bucket.as_deref())?) {
                (Some(cli::StatsFormat::OpenMetrics | cli::StatsFormat::Prometheus), Some(_)) => {
                    return Err(crate::error::DlqError::Usage(
                        "--bucket sizes the chart of arrivals, which metrics do not have; drop it \
                         or use -o table / -o json"
                            .into(),
                    )
                    .into())
                }
                (_, bucket) => bucket,
            },
            metrics: matches!(
                a.output,
                Some(cli::StatsFormat::OpenMetrics | cli::StatsFormat::Prometheus)
            ),
            topic: a.topic,
        })
    }
}

pub(crate) async fn run(
    s: &StatsSettings,
    progress: &mut (dyn FnMut(u64) + Send),
) -> anyhow::Result<StatsResult> {
    let mut broker = broker::connect(&s.connect).await?;
    let req = super::engine::scan::request(&s.topic, &s.selection, s.start, false);
    let mut stats = Stats {
        failure_arrivals: (s.chart_failures > 0).then(Default::default),
        ..Stats::default()
    };
    let Counted { read, warnings } = count_selected(
        broker.as_mut(),
        &req,
        &s.header_map,
        &s.selection,
        None,
        progress,
        |entry| stats.add(entry),
    )
    .await?;
    let counted = if s.metrics {
        broker.count(&s.topic).await?
    } else {
        None
    };
    Ok(StatsResult {
        retained: counted.and_then(|c| c.retained),
        unhandled: counted.map(|c| c.unhandled),
        unhandled_only: s.start == StartAt::Unhandled,
        arrival_bucket: stats.arrivals.bucket(s.bucket),
        chart_failures: s.chart_failures,
        stats,
        read,
        warnings,
    })
}
