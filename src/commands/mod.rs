//! One module per subcommand. Commands compute and hand results to the output layer; they do
//! not print.

pub(crate) mod completions;
#[cfg(test)]
mod contract;
pub(crate) mod decoding;
pub(crate) mod export;
pub(crate) mod inspect;
pub(crate) mod journal;
pub(crate) mod list;
pub(crate) mod purge;
pub(crate) mod replay;
pub(crate) mod restore;
pub(crate) mod rewind;
pub(crate) mod scan;
mod sending;
pub(crate) mod stats;
#[cfg(test)]
mod test_ui;
pub(crate) mod topics;

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
