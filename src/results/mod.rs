//! What commands report, and the traits through which they talk to the person (or script)
//! running them: the one place `commands/` and `output/` both depend on, so that neither
//! imports the other.

pub mod purge;
pub mod replay;
pub mod rewind;
pub mod stats;

use std::io;

use crate::domain::view::EntryView;

/// Receives the entries a command selected, one at a time.
pub trait EntrySink: Send {
    fn entry(&mut self, v: &EntryView) -> io::Result<()>;
    fn finish(&mut self) -> io::Result<()>;
}
