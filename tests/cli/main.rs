//! dlq's integration tests: one binary, driving the real `dlq` executable.
//! Broker tests run against the local brokers that `scripts/brokers.sh up` starts; without them
//! they fail and say so (they never skip).

mod common;
mod completions;
mod config;
mod decode;
mod faults;
mod groups;
mod join;
mod json_contract;
mod kafka;
mod offline;
mod producers;
mod pulsar;
mod purge;
mod redaction;
mod repair;
mod replay;
mod security;
mod share_groups;
mod since;
mod stats;
mod streams;
mod watch;
