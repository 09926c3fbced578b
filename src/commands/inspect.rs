//! `dlq inspect TOPIC ID`: one entry in full, redacted unless revealed.

use crate::broker::{self, ConnectConfig};
use crate::domain::conventions::{explain, HeaderMap};
use crate::domain::entry::Entry;
use crate::domain::view::{view, Detail, EntryView, Showing};

pub struct InspectSettings {
    pub topic: String,
    pub id: String,
    pub connect: ConnectConfig,
    pub header_map: HeaderMap,
    pub showing: Showing,
    pub registry: Option<crate::registry::RegistryConfig>,
}

pub async fn run(s: &InspectSettings) -> anyhow::Result<EntryView> {
    let mut broker = broker::connect(&s.connect).await?;
    let id = broker.parse_id(&s.id)?;
    let record = broker.fetch(&s.topic, id).await?;
    let entry = Entry {
        context: explain(&record, &s.header_map),
        record,
    };
    let mut showing = s.showing.clone();
    super::decoding::Sources::new(s.registry.as_ref())?
        .prepare(&mut showing.decoder, &entry.record, async |t, v| {
            broker.topic_schema(t, v).await
        })
        .await;
    Ok(view(&entry, Detail::Full, &showing))
}
