//! `dlq groups TOPIC [selection]`: the failures a DLQ holds, one row per fingerprint, streaming
//! in bounded memory (`domain::groups`).

use super::engine::scan::{count_selected, Counted};
use crate::broker::{self, ConnectConfig, StartAt};
use crate::domain::conventions::HeaderMap;
use crate::domain::groups::Groups;
use crate::domain::selection::Selection;
use crate::domain::view::Showing;
pub(crate) use crate::results::groups::GroupsResult;
use crate::{cli, settings};

pub(crate) struct GroupsSettings {
    pub topic: String,
    pub connect: ConnectConfig,
    pub selection: Selection,
    pub header_map: HeaderMap,
    pub start: StartAt,
    /// How the error classes and templates are shown (redacted unless `--reveal`).
    pub showing: Showing,
    /// `--where` reads registry-encoded payloads with it.
    pub registry: Option<crate::registry::RegistryConfig>,
}

impl GroupsSettings {
    /// `dlq groups`' arguments (the context already applied) as validated settings.
    pub(crate) fn from_args(a: cli::GroupsArgs) -> anyhow::Result<Self> {
        let mut selection = settings::selection(&a.select, jiff::Timestamp::now())?;
        selection
            .decode_with(settings::decoder(&a.decode)?)
            .map_err(crate::error::DlqError::Usage)?;
        let connect = settings::connect(&a.connect)?;
        Ok(GroupsSettings {
            registry: settings::registry(&a.decode, connect.timeout)?,
            connect,
            selection,
            header_map: settings::header_map(&a.conventions)?,
            start: StartAt::of(a.include_handled),
            showing: settings::showing(&a.output, &a.decode)?,
            topic: a.topic,
        })
    }
}

/// Reads the topic once; `progress` hears how many entries were read so far.
pub(crate) async fn run(
    s: &GroupsSettings,
    progress: &mut (dyn FnMut(u64) + Send),
) -> anyhow::Result<GroupsResult> {
    let mut broker = broker::connect(&s.connect).await?;
    let req = super::engine::scan::request(&s.topic, &s.selection, s.start, false);
    let mut groups = Groups::default();
    let Counted { read, warnings } = count_selected(
        broker.as_mut(),
        &req,
        &s.header_map,
        &s.selection,
        Some(super::engine::decoding::Sources::new(s.registry.as_ref())?),
        progress,
        |entry| groups.add(entry),
    )
    .await?;
    Ok(GroupsResult {
        entries: groups.entries,
        groups: groups.rows(),
        read,
        warnings,
    })
}
