//! `dlq completions SHELL`: completion scripts generated from the clap definition. The copies
//! under completions/ are checked against this output by a test.

use std::io::Write;

use clap::CommandFactory;
use clap_complete::Shell;

use crate::cli::Cli;

pub(crate) fn generate(shell: Shell, out: &mut dyn Write) {
    clap_complete::generate(shell, &mut Cli::command(), "dlq", out);
}

/// The man page, generated from the same definition; committed as doc/dlq.1.
/// It carries the package version only: with the git revision it would change at every commit.
pub(crate) fn man_page(out: &mut dyn Write) -> std::io::Result<()> {
    clap_mangen::Man::new(Cli::command().version(env!("CARGO_PKG_VERSION"))).render(out)
}
