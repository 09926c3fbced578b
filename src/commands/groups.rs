//! `dlq groups TOPIC [selection]`: the failures a DLQ holds, one row per fingerprint, streaming
//! in bounded memory (`domain::groups`).

use super::engine::scan::{Scan, Selected, Step};
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
}

impl GroupsSettings {
    /// `dlq groups`' arguments (the context already applied) as validated settings.
    pub(crate) fn from_args(a: cli::GroupsArgs) -> anyhow::Result<Self> {
        let mut selection = settings::selection(&a.select, jiff::Timestamp::now())?;
        selection
            .decode_with(settings::decoder(&a.decode)?)
            .map_err(crate::error::DlqError::Usage)?;
        Ok(GroupsSettings {
            connect: settings::connect(&a.connect)?,
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
    let scan = Scan::open(broker.as_mut(), &req, &s.header_map)
        .await?
        .with_originals(s.selection.reads_the_message());
    let mut groups = Groups::default();
    let mut filter = Selected::new(&s.selection);
    let counted = async |scan: &mut Scan| {
        while let Some(step) = scan.step(&mut filter).await? {
            if scan.read % 1024 == 0 {
                progress(scan.read);
            }
            if let Step::Selected(entry) = step {
                groups.add(&entry);
            }
        }
        Ok(scan.read)
    };
    let (read, notes) = scan.run(counted).await?;
    progress(read);
    let mut warnings = notes.warnings;
    warnings.extend(s.selection.where_warning());
    Ok(GroupsResult {
        entries: groups.entries,
        groups: groups.rows(),
        read,
        warnings,
    })
}
