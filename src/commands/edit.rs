//! `dlq edit TOPIC ID`: the payload replay would send for one entry, for a person to repair in
//! an editor; what they save is then replayed once through `replay` (the same plan, prompt,
//! markers and marking: the original is marked handled only once the edited copy is confirmed,
//! and is never sent as well). The editing itself is the output layer's (`output::edit`).

use std::sync::Arc;

use serde_json::Value;

use super::engine::journal::Journal;
use super::engine::scan::fetch_entry;
use super::engine::sending::Sending;
use super::replay::ReplaySettings;
use crate::broker::{self, ConnectConfig};
use crate::domain::conventions::HeaderMap;
use crate::domain::patch::Patch;
use crate::domain::replay::{plan, Decision, ReplayOptions, MAX_REPLAYS};
use crate::domain::selection::Selection;
use crate::error::DlqError;
use crate::{cli, settings};

pub(crate) struct EditSettings {
    pub topic: String,
    pub id: String,
    pub connect: ConnectConfig,
    pub header_map: HeaderMap,
    pub options: ReplayOptions,
    pub allowed_targets: Vec<String>,
    pub dry_run: bool,
    pub yes: bool,
}

impl EditSettings {
    pub(crate) fn from_args(a: &cli::EditArgs) -> anyhow::Result<Self> {
        Ok(EditSettings {
            topic: a.topic.clone(),
            id: a.id.clone(),
            connect: settings::connect(&a.connect)?,
            header_map: settings::header_map(&a.conventions)?,
            options: ReplayOptions {
                to: a.to.clone(),
                keep_partition: a.keep_partition,
                keep_dlq_headers: a.keep_dlq_headers,
                max_replays: a.max_replays.unwrap_or(MAX_REPLAYS),
            },
            allowed_targets: [a.allow_targets.as_slice(), a.context_targets.as_slice()].concat(),
            dry_run: a.confirm.dry_run,
            yes: a.confirm.yes,
        })
    }
}

/// The JSON value replay would send for the entry (the original a share group's dead letter
/// points at, an envelope's event), or why it cannot be edited.
pub(crate) async fn payload(s: &EditSettings) -> anyhow::Result<Value> {
    let mut broker = broker::connect(&s.connect).await?;
    let entry = fetch_entry(broker.as_mut(), &s.topic, &s.id, &s.header_map).await?;
    let dlq_topic = entry.record.logical_topic(&s.topic);
    let out = match plan(&entry, &dlq_topic, &s.options) {
        Decision::Send(out) => out,
        Decision::Skip(why) => {
            return Err(DlqError::Partial(format!("{} cannot be replayed: {why}", s.id)).into())
        }
    };
    let bytes = out.payload.unwrap_or_default();
    serde_json::from_slice(&bytes).map_err(|_| {
        DlqError::Usage(format!(
            "dlq edit works on JSON payloads, and {}'s is not JSON text ({} bytes); export it, \
             repair it and replay --from-file instead",
            s.id,
            bytes.len()
        ))
        .into()
    })
}

/// The replay of the edited value: entry `ID` alone, its payload replaced by `edited`.
pub(crate) fn replay_of_edit(s: &EditSettings, edited: Value) -> ReplaySettings {
    ReplaySettings {
        topic: s.topic.clone(),
        selection: Selection::default(),
        ids: vec![s.id.clone()],
        all: false,
        header_map: s.header_map.clone(),
        canary: None,
        join: false,
        sending: Sending {
            connect: s.connect.clone(),
            options: s.options.clone(),
            rate: None,
            dry_run: s.dry_run,
            yes: s.yes,
            journal_dir: Journal::default_dir(),
            allowed_targets: s.allowed_targets.clone(),
            patch: Some(Arc::new(Patch::replace(edited))),
            decoder: Default::default(),
            registry: None,
            schema_check: false,
        },
    }
}
