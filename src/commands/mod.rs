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
pub mod rewind;
pub mod scan;
pub mod stats;
pub mod topics;
