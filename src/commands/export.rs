//! `dlq export TOPIC [selection]`: the selected entries as archive lines (see `archive`),
//! streaming, unredacted, for `dlq replay --from-file` or other tools; with `--redact`, masked as
//! `inspect` shows them, for sharing (and refused by `replay --from-file`).

use super::engine::scan::{Scan, Selected};
use crate::archive::{ArchiveWriter, ArchivedDecoded, ArchivedEntry};
use crate::broker::{self, ConnectConfig, ScanNotes, StartAt};
use crate::domain::conventions::HeaderMap;
use crate::domain::selection::Selection;
use crate::domain::view::Showing;
use crate::{cli, settings};

pub(crate) struct ExportSettings {
    pub topic: String,
    pub connect: ConnectConfig,
    pub selection: Selection,
    pub ids: Vec<String>,
    pub header_map: HeaderMap,
    /// `--all`: include entries already handled.
    pub start: StartAt,
    /// Add decoded copies of keys and payloads (asked for with `--decode`, a schema or a
    /// registry).
    pub decoder: Option<crate::domain::decode::Decoder>,
    pub registry: Option<crate::registry::RegistryConfig>,
    /// `--redact`: lines as `inspect` shows them under these rules, marked `redacted`.
    pub redact: Option<crate::domain::view::Showing>,
}

/// Writes the selection; returns how many entries were exported and the broker's notes.
impl ExportSettings {
    /// `dlq export`'s arguments (the context already applied) as validated settings.
    pub(crate) fn from_args(a: &cli::ExportArgs) -> anyhow::Result<Self> {
        let connect = settings::connect(&a.connect)?;
        let d = &a.decode;
        let asked = d.decode.is_some()
            || d.value_schema.is_some()
            || d.key_schema.is_some()
            || d.schema_registry.is_some();
        let redact = if a.redact {
            Some(Showing {
                reveal: false,
                redactor: settings::redactor(&a.redact_rules)?,
                decoder: settings::decoder(d)?,
                recall: Default::default(),
            })
        } else {
            None
        };
        Ok(ExportSettings {
            redact,
            decoder: asked.then(|| settings::decoder(d)).transpose()?,
            registry: settings::registry(d, connect.timeout)?,
            connect,
            selection: {
                let mut selection = settings::selection(&a.select, jiff::Timestamp::now())?;
                selection
                    .decode_with(settings::decoder(d)?)
                    .map_err(crate::error::DlqError::Usage)?;
                selection
            },
            ids: a.ids.clone(),
            header_map: settings::header_map(&a.conventions)?,
            start: StartAt::of(a.include_handled || a.all_deprecated),
            topic: a.topic.clone(),
        })
    }
}

pub(crate) async fn run(
    s: &ExportSettings,
    out: &mut ArchiveWriter,
) -> anyhow::Result<(u64, ScanNotes)> {
    let mut broker = broker::connect(&s.connect).await?;
    let mut selection = s.selection.clone();
    for raw in &s.ids {
        selection.ids.push(broker.parse_id(raw)?);
    }
    let req = super::engine::scan::request(&s.topic, &selection, s.start, false);
    // Export writes the message: a dead letter that only points at its original carries it.
    let scan = Scan::open(broker.as_mut(), &req, &s.header_map)
        .await?
        .with_originals(true)
        .with_where_decoding(
            &selection,
            super::engine::decoding::Sources::new(s.registry.as_ref())?,
        );
    let mut exported = 0u64;
    let sources = super::engine::decoding::Sources::new(s.registry.as_ref())?;
    let mut decoder = s.decoder.clone();
    let mut filter = Selected::new(&selection);
    let written = async |scan: &mut Scan| {
        while let Some(entry) = scan.next(&mut filter).await? {
            // The plain line (no redaction, no decoded copies) is written straight from the
            // entry: export's hot path. (A dead letter with its original fetched takes the
            // general path, which writes the original too.)
            if s.redact.is_none() && decoder.is_none() && entry.original.is_none() {
                out.write_entry(&entry, &s.topic)?;
                exported += 1;
                continue;
            }
            let mut archived = match &s.redact {
                Some(showing) => ArchivedEntry::redacted(&entry, &s.topic, showing),
                None => ArchivedEntry::of(&entry, &s.topic),
            };
            if let Some(decoder) = decoder.as_mut().filter(|_| s.redact.is_none()) {
                sources
                    .prepare(decoder, entry.message(), async |t, v| {
                        scan.reader().topic_schema(t, v).await
                    })
                    .await;
                // The message decoded: a share group's original where the dead letter has none.
                archived.decoded = Some(ArchivedDecoded::of(entry.message(), decoder));
            }
            out.write(&archived)?;
            exported += 1;
        }
        Ok(())
    };
    let ((), mut notes) = scan.run(written).await?;
    out.sync()?;
    notes.warnings.extend(selection.where_warning());
    Ok((exported, notes))
}
