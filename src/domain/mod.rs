//! The domain: entries, conventions, selection, redaction, time. It imports neither rdkafka nor
//! pulsar; broker adapters translate their messages into [`entry::Record`]s.

pub(crate) mod conventions;
pub(crate) mod decode;
pub(crate) mod entry;
pub(crate) mod expression;
pub(crate) mod fingerprint;
pub(crate) mod groups;
pub(crate) mod join;
pub(crate) mod patch;
pub(crate) mod positions;
pub(crate) mod prefix;
pub(crate) mod redact;
pub(crate) mod reencode;
pub(crate) mod replay;
pub(crate) mod rewind;
pub(crate) mod selection;
pub(crate) mod stats;
pub(crate) mod time;
pub(crate) mod topics;
pub(crate) mod view;
pub(crate) mod watch;
