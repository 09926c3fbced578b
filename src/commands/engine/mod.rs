//! The engine the subcommands share: the read (`scan`), sending with its in-flight window
//! (`sending`), the replay journal (`journal`), payload decoding sources (`decoding`). A lost broker
//! is told with `crate::error::Unreachable::of`, once.

pub(crate) mod decoding;
pub(crate) mod journal;
pub(crate) mod scan;
pub(crate) mod sending;
