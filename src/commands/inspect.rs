//! `dlq inspect TOPIC ID`: one entry in full, redacted unless revealed.

use super::engine::scan::{attach_originals, name_origin_topic};
use crate::broker::{self, ConnectConfig};
use crate::domain::conventions::{explain, HeaderMap};
use crate::domain::entry::Entry;
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
    let id = broker.parse_id(&s.id)?;
    let record = broker.fetch(&s.topic, id).await?;
    let mut entry = {
        let context = explain(&record, &s.header_map);
        Entry::new(record, context)
    };
    // A dead letter that only points at its original is shown with the original's message.
    if let Some(mut fetcher) = broker.origins() {
        name_origin_topic(fetcher.as_mut(), &mut entry.context).await?;
        attach_originals(fetcher.as_mut(), std::slice::from_mut(&mut entry)).await?;
    }
    let mut showing = s.showing.clone();
    super::engine::decoding::Sources::new(s.registry.as_ref())?
        .prepare(&mut showing.decoder, &entry.record, async |t, v| {
            broker.topic_schema(t, v).await
        })
        .await;
    Ok(view(&entry, Detail::Full, &showing))
}
