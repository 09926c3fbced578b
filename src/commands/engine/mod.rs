//! The engine the subcommands share: the read (`scan`), sending with its in-flight window
//! (`sending`), the replay journal (`journal`), payload decoding sources (`decoding`).

pub(crate) mod decoding;
pub(crate) mod journal;
pub(crate) mod scan;
pub(crate) mod sending;

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
