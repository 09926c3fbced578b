//! One module per subcommand. Commands compute and hand results to the output layer; they do
//! not print.

pub mod completions;
pub mod decoding;
pub mod export;
pub mod inspect;
pub mod journal;
pub mod list;
pub mod purge;
pub mod replay;
pub mod restore;
pub mod rewind;
pub mod scan;
mod sending;
pub mod stats;
pub mod topics;

/// A broker lost, in the words every command uses: "lost the connection to Kafka at
/// kafka://… while deleting records (why)". Where the adapter already said so, its words stand
/// alone rather than be wrapped twice.
pub(crate) fn lost_words(
    broker: &crate::broker::BrokerUrl,
    doing: &str,
    e: &anyhow::Error,
) -> String {
    let why = format!("{e:#}");
    if why.contains("lost the connection to ") {
        return why;
    }
    format!(
        "lost the connection to {} at {broker} while {doing} ({why})",
        broker.product()
    )
}
