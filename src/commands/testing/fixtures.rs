//! The in-memory broker's fixtures the command tests share.

use crate::broker::memory::MemoryBroker;
use crate::broker::ConnectConfig;
use crate::commands::engine::sending::Sending;
use crate::commands::purge::PurgeSettings;
use crate::domain::conventions::HeaderMap;
use crate::domain::replay::{Outgoing, ReplayOptions};
use crate::domain::selection::Selection;

/// Sends to `to` on the in-memory broker.
pub(crate) fn sending(to: &str) -> Sending {
    sending_on(crate::broker::memory::connect_config(), Some(to))
}

/// Sends on `connect`, to `to` (or each entry's origin), without asking.
pub(crate) fn sending_on(connect: ConnectConfig, to: Option<&str>) -> Sending {
    Sending {
        connect,
        options: ReplayOptions {
            to: to.map(String::from),
            keep_partition: false,
            keep_dlq_headers: false,
            max_replays: 3,
        },
        rate: None,
        dry_run: false,
        yes: true,
        journal_dir: None,
        allowed_targets: Vec::new(),
        patch: None,
        decoder: Default::default(),
        registry: None,
        schema_check: false,
    }
}

/// A broker whose `t.DLT` holds `n` dead letters, keys `k0` …, on one partition, and
/// whose `t` (the replay target) is empty.
pub(crate) fn dead_letters(n: usize) -> MemoryBroker {
    let b = MemoryBroker::default()
        .with_topic("t.DLT", 1)
        .with_topic("t", 1);
    for i in 0..n {
        b.append("t.DLT", 0, &format!("k{i}"), &[]);
    }
    b
}

pub(crate) fn keys(out: &[Outgoing]) -> Vec<String> {
    out.iter()
        .map(|o| String::from_utf8(o.key.clone().unwrap()).unwrap())
        .collect()
}

/// Purges everything of `topic` on `connect`, without a backup and without asking.
pub(crate) fn purge_settings_on(connect: ConnectConfig, topic: &str) -> PurgeSettings {
    PurgeSettings {
        topic: topic.into(),
        connect,
        selection: Selection::default(),
        ids: Vec::new(),
        all: true,
        before: None,
        header_map: HeaderMap::default(),
        mark_handled: false,
        backup: None,
        dry_run: false,
        yes: true,
    }
}
