//! The subcommands, one module each: they compute results and hand them to the output layer;
//! they do not print.
//!
//! - `engine/`: what several subcommands share (the read every command does, sending with its
//!   in-flight window, the replay journal, payload decoding, the words for a lost broker);
//! - `testing/`: test support only (the in-memory broker's fixtures, the scripted UIs, the port's
//!   contract suite).

pub(crate) mod check;
pub(crate) mod completions;
pub(crate) mod edit;
pub(crate) mod engine;
pub(crate) mod export;
pub(crate) mod groups;
pub(crate) mod inspect;
pub(crate) mod list;
pub(crate) mod purge;
pub(crate) mod replay;
pub(crate) mod restore;
pub(crate) mod rewind;
pub(crate) mod stats;
#[cfg(test)]
mod testing;
pub(crate) mod topics;
pub(crate) mod watch;
