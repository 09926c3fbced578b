//! One module per subcommand. Commands compute and hand results to the output layer; they do
//! not print.

pub mod completions;
pub mod inspect;
pub mod list;
pub mod replay;
