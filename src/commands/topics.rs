//! `dlq topics`: the topics that look like DLQs, with their entry counts.

use super::engine::scan::{Scan, Selected};
use crate::broker::{self, ConnectConfig, ScanRequest, StartAt};
use crate::domain::conventions::HeaderMap;
use crate::domain::selection::Selection;
use crate::domain::topics::dlq_pattern;
pub(crate) use crate::results::stats::DlqTopic;
use crate::{cli, settings};

pub(crate) struct TopicsSettings {
    pub connect: ConnectConfig,
    pub patterns: Vec<String>,
    pub namespace: Option<String>,
}

impl TopicsSettings {
    /// `dlq topics`' arguments (the context already applied) as validated settings.
    pub(crate) fn from_args(a: cli::TopicsArgs) -> anyhow::Result<Self> {
        Ok(TopicsSettings {
            connect: settings::connect(&a.connect)?,
            patterns: a.patterns,
            namespace: a.namespace,
        })
    }
}

pub(crate) async fn run(s: &TopicsSettings) -> anyhow::Result<Vec<DlqTopic>> {
    let mut broker = broker::connect(&s.connect).await?;
    let mut out = Vec::new();
    for t in broker.list_topics(s.namespace.as_deref()).await? {
        // The broker's own word first (a share group's DLQ), then the naming patterns.
        let pattern = match (&t.dlq_by_config, dlq_pattern(&t.name, &s.patterns)) {
            (Some(config), _) => format!("share-group DLQ ({config})"),
            (None, Some(pattern)) => pattern.to_string(),
            (None, None) => continue,
        };
        let (retained, unhandled) = match broker.count(&t.name).await? {
            Some(c) => (c.retained, c.unhandled),
            // Pulsar: the operator subscription's backlog, read through (nothing acknowledged).
            None => {
                let req = ScanRequest {
                    topic: t.name.clone(),
                    start: StartAt::Unhandled,
                    ..ScanRequest::default()
                };
                let scan = Scan::open(broker.as_mut(), &req, &HeaderMap::default()).await?;
                let everything = Selection::default();
                let mut filter = Selected::new(&everything);
                let counted = async |scan: &mut Scan| {
                    while scan.step(&mut filter).await?.is_some() {}
                    Ok(scan.read)
                };
                let (n, _) = scan.run(counted).await?;
                (None, n)
            }
        };
        out.push(DlqTopic {
            topic: t.name,
            pattern,
            partitions: t.partitions,
            retained,
            unhandled,
        });
    }
    Ok(out)
}
