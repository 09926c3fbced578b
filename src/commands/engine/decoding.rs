//! Fetching what the decoder needs before an entry is shown: registry schemas (cached for the
//! run) and Pulsar topic schemas.

use crate::domain::decode::{Decoder, Served, Wanted};
use crate::domain::entry::Record;
use crate::registry::{Registry, RegistryConfig};

/// The decoder's sources for one run.
pub(crate) struct Sources {
    registry: Option<Registry>,
}

impl Sources {
    pub(crate) fn new(config: Option<&RegistryConfig>) -> anyhow::Result<Sources> {
        Ok(Sources {
            registry: config.cloned().map(Registry::new).transpose()?,
        })
    }

    /// Teaches `decoder` the schemas this record's key and payload need. A schema that cannot
    /// be had is remembered as such, and the entries using it are shown raw with the reason.
    pub(crate) async fn prepare(
        &self,
        decoder: &mut Decoder,
        record: &Record,
        mut topic_schema: impl AsyncFnMut(&str, &[u8]) -> Result<Served, String>,
    ) {
        let version = record.schema_version.as_deref();
        let parts = [
            (record.key.as_deref(), None),
            (record.payload.as_deref(), version),
        ];
        for (bytes, version) in parts {
            let Some(bytes) = bytes else { continue };
            match decoder.wants(bytes, version) {
                Some(Wanted::RegistryId(id)) => {
                    let schema = match &self.registry {
                        Some(r) => r.schema(id).await,
                        None => Err("no schema registry configured".into()),
                    };
                    decoder.learn_registry(id, schema);
                }
                Some(Wanted::TopicSchema(v)) => {
                    let schema = topic_schema(&record.topic, &v).await;
                    decoder.learn_topic_schema(v, schema);
                }
                None => {}
            }
        }
    }
}
