//! `dlq inspect TOPIC ID`: one entry in full, redacted unless revealed.

use super::engine::scan::fetch_entry;
use crate::broker::{self, ConnectConfig};
use crate::domain::conventions::HeaderMap;
use crate::domain::view::{view, Detail, EntryView, Showing};
use crate::{cli, settings};

pub(crate) struct InspectSettings {
    pub topic: String,
    pub id: String,
    pub connect: ConnectConfig,
    pub header_map: HeaderMap,
    pub showing: Showing,
    pub registry: Option<crate::registry::RegistryConfig>,
}

impl InspectSettings {
    /// `dlq inspect`'s arguments (the context already applied) as validated settings.
    pub(crate) fn from_args(a: cli::InspectArgs) -> anyhow::Result<Self> {
        let connect = settings::connect(&a.connect)?;
        Ok(InspectSettings {
            registry: settings::registry(&a.decode, connect.timeout)?,
            connect,
            header_map: settings::header_map(&a.conventions)?,
            showing: settings::showing(&a.output, &a.decode)?,
            topic: a.topic,
            id: a.id,
        })
    }
}

pub(crate) async fn run(s: &InspectSettings) -> anyhow::Result<EntryView> {
    let mut broker = broker::connect(&s.connect).await?;
    // A dead letter that only points at its original is shown with the original's message.
    let entry = fetch_entry(broker.as_mut(), &s.topic, &s.id, &s.header_map).await?;
    let mut showing = s.showing.clone();
    super::engine::decoding::Sources::new(s.registry.as_ref())?
        .prepare(&mut showing.decoder, &entry.record, async |t, v| {
            broker.topic_schema(t, v).await
        })
        .await;
    Ok(view(&entry, Detail::Full, &showing))
}
