//! The domain: entries, conventions, selection, redaction, time. It imports neither rdkafka nor
//! pulsar; broker adapters translate their messages into [`entry::Record`]s.

pub mod conventions;
pub mod decode;
pub mod entry;
pub mod positions;
pub mod prefix;
pub mod redact;
pub mod replay;
pub mod rewind;
pub mod selection;
pub mod stats;
pub mod time;
pub mod topics;
pub mod view;
