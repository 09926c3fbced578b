//! `dlq list TOPIC`: stream the DLQ, explain each entry, keep those the selection matches.

use super::engine::scan::{Scan, Selected};
use crate::broker::{self, ConnectConfig, StartAt};
use crate::domain::conventions::HeaderMap;
use crate::domain::selection::Selection;
use crate::domain::view::{view, Detail, Showing};
pub(crate) use crate::results::{EntrySink, ListSummary};
use jiff::Timestamp;

use crate::{cli, settings};

pub(crate) struct ListSettings {
    pub topic: String,
    pub connect: ConnectConfig,
    pub selection: Selection,
    pub header_map: HeaderMap,
    pub showing: Showing,
    pub registry: Option<crate::registry::RegistryConfig>,
    /// `--all`: include entries already handled (replayed or purged).
    pub start: StartAt,
}

impl ListSettings {
    /// `dlq list`'s arguments (the context already applied) as validated settings.
    pub(crate) fn from_args(a: cli::ListArgs) -> anyhow::Result<Self> {
        let connect = settings::connect(&a.connect)?;
        Ok(ListSettings {
            registry: settings::registry(&a.decode, connect.timeout)?,
            connect,
            selection: {
                let mut selection = settings::selection(&a.select, Timestamp::now())?;
                selection
                    .decode_with(settings::decoder(&a.decode)?)
                    .map_err(crate::error::DlqError::Usage)?;
                selection
            },
            header_map: settings::header_map(&a.conventions)?,
            showing: settings::showing(&a.output, &a.decode)?,
            start: StartAt::of(a.include_handled || a.all_deprecated),
            topic: a.topic,
        })
    }
}

pub(crate) async fn run(s: &ListSettings, sink: &mut dyn EntrySink) -> anyhow::Result<ListSummary> {
    let mut broker = broker::connect(&s.connect).await?;
    let req = super::engine::scan::request(&s.topic, &s.selection, s.start, false);
    let scan = Scan::open(broker.as_mut(), &req, &s.header_map)
        .await?
        .with_originals(s.selection.reads_the_message())
        .with_where_decoding(
            &s.selection,
            super::engine::decoding::Sources::new(s.registry.as_ref())?,
        );
    let mut shown = 0u64;
    let sources = super::engine::decoding::Sources::new(s.registry.as_ref())?;
    let mut showing = s.showing.clone();
    let mut filter = Selected::new(&s.selection);
    let listed = async |scan: &mut Scan| {
        while let Some(entry) = scan.next(&mut filter).await? {
            tracing::debug!(
                topic = %entry.record.topic,
                id = %entry.record.id,
                convention = entry.context.convention.as_deref().unwrap_or("none"),
                status = "listed",
                "entry"
            );
            // What --where's decoder fetched for this entry is not fetched again.
            if let Some(w) = &s.selection.where_ {
                let r = &entry.record;
                let wanted = r.payload.as_deref().is_some_and(|p| {
                    showing
                        .decoder
                        .wants(p, r.schema_version.as_deref())
                        .is_some()
                });
                if wanted {
                    showing.decoder.learn_from(&w.decoder());
                }
            }
            sources
                .prepare(&mut showing.decoder, &entry.record, async |t, v| {
                    scan.reader().topic_schema(t, v).await
                })
                .await;
            sink.entry(&view(&entry, Detail::Summary, &showing))?;
            shown += 1;
        }
        Ok(scan.read)
    };
    let (read, notes) = scan.run(listed).await?;
    tracing::info!(topic = %s.topic, read, shown, "listed");
    let mut warnings = notes.warnings;
    warnings.extend(s.selection.where_warning());
    Ok(ListSummary {
        shown,
        read,
        warnings,
    })
}
