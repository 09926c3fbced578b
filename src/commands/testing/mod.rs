//! Test support: the in-memory broker's fixtures, the scripted UIs, and the port's contract suite
//! (run against every backend).

mod contract;
pub(crate) mod fixtures;
pub(crate) mod ui;
