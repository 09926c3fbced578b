//! Which entries a command works on: the filters shared by `list`, `inspect` and later
//! `replay`/`purge`. Filters see raw values, before redaction.

use jiff::Timestamp;
use regex::Regex;

use super::entry::{Entry, EntryId};
use super::expression::Where;

#[derive(Debug, Clone, Default)]
pub(crate) struct Selection {
    /// Only entries whose DLQ timestamp is at or after this instant.
    pub since: Option<Timestamp>,
    /// Only entries whose DLQ timestamp is before this instant.
    pub until: Option<Timestamp>,
    /// Only these DLQ partitions (empty: all).
    pub partitions: Vec<i32>,
    /// Matched against the error class, message and stack trace.
    pub grep: Option<Regex>,
    /// Only entries whose origin topic is this (Pulsar names match with or without
    /// `persistent://tenant/namespace/`).
    pub origin: Option<String>,
    /// Only entries whose key is exactly this text.
    pub key: Option<String>,
    /// Stop after this many matching entries.
    pub limit: Option<u64>,
    /// Only these entries (`--id`, repeatable).
    pub ids: Vec<EntryId>,
    /// Only these failures (`--fingerprint`, repeatable; `domain::fingerprint`).
    pub fingerprints: Vec<String>,
    /// Only entries this CEL expression is true for (`--where`).
    pub where_: Option<Where>,
}

impl Selection {
    /// True when no filter narrows anything: the selection is the whole topic. Destructive
    /// commands refuse that unless the user says `--all`.
    pub(crate) fn selects_everything(&self) -> bool {
        self.since.is_none()
            && self.until.is_none()
            && self.partitions.is_empty()
            && self.grep.is_none()
            && self.origin.is_none()
            && self.key.is_none()
            && self.limit.is_none()
            && self.ids.is_empty()
            && self.fingerprints.is_empty()
            && self.where_.is_none()
    }

    /// A filter reads the message itself (its key), not only the dead letter's context: a scan
    /// for this selection fetches originals that dead letters only point at.
    pub(crate) fn reads_the_message(&self) -> bool {
        self.key.is_some() || self.where_.as_ref().is_some_and(Where::reads_the_message)
    }

    /// `--where` reads payloads with this decoder (`--decode`, `--value-schema`).
    pub(crate) fn decode_with(&mut self, decoder: super::decode::Decoder) -> Result<(), String> {
        if let Some(w) = &self.where_ {
            self.where_ = Some(w.recompiled_with(decoder)?);
        }
        Ok(())
    }

    /// How many entries `--where` could not be evaluated on, as a warning for the summary.
    pub(crate) fn where_warning(&self) -> Option<String> {
        let (n, first) = self.where_.as_ref()?.failures();
        (n > 0).then(|| {
            format!(
                "--where could not be evaluated on {n} entr{} (not selected), the first {}",
                if n == 1 { "y" } else { "ies" },
                first.unwrap_or_default()
            )
        })
    }

    pub(crate) fn matches(&self, entry: &Entry) -> bool {
        let r = &entry.record;
        let c = &entry.context;
        if !self.ids.is_empty() && !self.ids.contains(&r.id) {
            return false;
        }
        if self.since.is_some() || self.until.is_some() {
            // An entry without a timestamp cannot be placed in a time window.
            let Some(ts) = r.timestamp else { return false };
            if self.since.is_some_and(|s| ts < s) || self.until.is_some_and(|u| ts >= u) {
                return false;
            }
        }
        if !self.partitions.is_empty()
            && !r
                .id
                .partition()
                .is_some_and(|p| self.partitions.contains(&p))
        {
            return false;
        }
        if let Some(re) = &self.grep {
            let hit = [&c.error_class, &c.error_message, &c.stacktrace]
                .into_iter()
                .flatten()
                .any(|t| re.is_match(t));
            if !hit {
                return false;
            }
        }
        if let Some(origin) = &self.origin {
            if !c
                .origin_topic
                .as_deref()
                .is_some_and(|t| same_topic(t, origin))
            {
                return false;
            }
        }
        if let Some(key) = &self.key {
            // The message's key: a share group's dead letter holds none, its original does.
            if entry.message().key.as_deref() != Some(key.as_bytes()) {
                return false;
            }
        }
        if !self.fingerprints.is_empty() {
            let fp = super::fingerprint::failure(c);
            if !self
                .fingerprints
                .iter()
                .any(|f| f.eq_ignore_ascii_case(&fp.fingerprint))
            {
                return false;
            }
        }
        // Last: the costliest.
        if let Some(w) = &self.where_ {
            if !w.matches(entry) {
                return false;
            }
        }
        true
    }
}

/// Short name of a Pulsar topic: `persistent://public/default/orders` → `orders`.
pub(crate) fn short_topic(t: &str) -> &str {
    match t.split_once("://") {
        Some((_, rest)) => rest.rsplit('/').next().unwrap_or(rest),
        None => t,
    }
}

/// Two topic names denote the same topic, allowing a Pulsar short name on either side.
pub(crate) fn same_topic(a: &str, b: &str) -> bool {
    a == b || (short_topic(a) == short_topic(b) && (!a.contains("://") || !b.contains("://")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::conventions::Context;
    use crate::domain::entry::{EntryId, Record};

    fn entry(
        partition: i32,
        ts: &str,
        key: &str,
        origin: Option<&str>,
        error: Option<&str>,
    ) -> Entry {
        Entry {
            record: Record {
                schema_version: None,
                topic: "dlq".into(),
                id: EntryId::Kafka {
                    partition,
                    offset: 0,
                },
                timestamp: Some(ts.parse().unwrap()),
                key: Some(key.as_bytes().to_vec()),
                headers: vec![],
                payload: None,
            },
            context: Context {
                origin_topic: origin.map(str::to_string),
                error_message: error.map(str::to_string),
                ..Context::default()
            },
            original: None,
        }
    }

    #[test]
    fn every_filter_narrows() {
        let e = entry(
            1,
            "2026-11-21T10:00:00Z",
            "k1",
            Some("persistent://public/default/orders"),
            Some("Timeout talking to billing"),
        );
        assert!(Selection::default().matches(&e));
        let t = |s: &str| Some(s.parse::<Timestamp>().unwrap());
        assert!(Selection {
            since: t("2026-11-21T10:00:00Z"),
            ..Default::default()
        }
        .matches(&e));
        assert!(!Selection {
            since: t("2026-11-21T10:00:01Z"),
            ..Default::default()
        }
        .matches(&e));
        assert!(
            !Selection {
                until: t("2026-11-21T10:00:00Z"),
                ..Default::default()
            }
            .matches(&e),
            "until is exclusive"
        );
        assert!(Selection {
            partitions: vec![0, 1],
            ..Default::default()
        }
        .matches(&e));
        assert!(!Selection {
            partitions: vec![2],
            ..Default::default()
        }
        .matches(&e));
        assert!(Selection {
            grep: Some(Regex::new("(?i)timeout").unwrap()),
            ..Default::default()
        }
        .matches(&e));
        assert!(!Selection {
            grep: Some(Regex::new("NullPointer").unwrap()),
            ..Default::default()
        }
        .matches(&e));
        assert!(Selection {
            origin: Some("orders".into()),
            ..Default::default()
        }
        .matches(&e));
        assert!(!Selection {
            origin: Some("order".into()),
            ..Default::default()
        }
        .matches(&e));
        assert!(Selection {
            key: Some("k1".into()),
            ..Default::default()
        }
        .matches(&e));
        assert!(!Selection {
            key: Some("k2".into()),
            ..Default::default()
        }
        .matches(&e));
    }

    #[test]
    fn ids_select_exactly() {
        let e = entry(1, "2026-11-21T10:00:00Z", "k", None, None);
        let sel = |ids: Vec<EntryId>| Selection {
            ids,
            ..Default::default()
        };
        assert!(sel(vec![EntryId::Kafka {
            partition: 1,
            offset: 0
        }])
        .matches(&e));
        assert!(!sel(vec![EntryId::Kafka {
            partition: 1,
            offset: 1
        }])
        .matches(&e));
        assert!(Selection::default().selects_everything());
        assert!(!sel(vec![EntryId::Kafka {
            partition: 1,
            offset: 1
        }])
        .selects_everything());
    }

    #[test]
    fn unknown_context_never_matches_a_filter_on_it() {
        let e = entry(0, "2026-11-21T10:00:00Z", "k", None, None);
        assert!(!Selection {
            origin: Some("orders".into()),
            ..Default::default()
        }
        .matches(&e));
        assert!(!Selection {
            grep: Some(Regex::new(".*").unwrap()),
            ..Default::default()
        }
        .matches(&e));
    }

    #[test]
    fn topic_names() {
        assert!(same_topic("persistent://public/default/orders", "orders"));
        assert!(same_topic("orders", "orders"));
        assert!(!same_topic(
            "persistent://a/b/orders",
            "persistent://c/d/orders"
        ));
    }
}
