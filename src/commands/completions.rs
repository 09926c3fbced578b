//! `dlq completions SHELL`: completion scripts generated from the clap definition. The copies
//! under completions/ are checked against this output by a test.

use std::io::Write;

use clap::CommandFactory;
use clap_complete::Shell;

use crate::cli::Cli;

pub fn generate(shell: Shell, out: &mut dyn Write) {
    clap_complete::generate(shell, &mut Cli::command(), "dlq", out);
}

/// The man page, generated from the same definition; committed as doc/dlq.1.
/// It carries the package version only: with the git revision it would change at every commit.
pub fn man_page(out: &mut dyn Write) -> std::io::Result<()> {
    clap_mangen::Man::new(Cli::command().version(env!("CARGO_PKG_VERSION"))).render(out)
}

/// The file name each shell's completion is committed under in completions/.
pub fn file_name(shell: Shell) -> &'static str {
    match shell {
        Shell::Bash => "dlq.bash",
        Shell::Zsh => "_dlq",
        Shell::Fish => "dlq.fish",
        Shell::PowerShell => "_dlq.ps1",
        Shell::Elvish => "dlq.elv",
        _ => "dlq.unknown",
    }
}
