//! dlq: operate dead-letter queues on Apache Kafka and Apache Pulsar.
//!
//! Layout: `cli` (clap) → `app` (per command: `settings` validated, `commands` compute, `output`
//! renders; see docs/ARCHITECTURE.md).
//! `domain` holds the entry model, conventions, selection and redaction and knows no broker;
//! `broker` holds one adapter per broker behind the [`broker::Broker`] trait.

#![warn(unreachable_pub)]

mod app;
mod archive;
mod broker;
mod cli;
mod commands;
mod contexts;
mod domain;
mod error;
mod output;
mod paths;
#[cfg(test)]
mod redaction_corpus;
mod registry;
mod results;
mod secret;
mod settings;
mod terminal;

use std::process::ExitCode;
use std::time::Duration;

use clap::Parser as _;
use cli::{Cli, Command};

/// The `dlq` program: parses the command line (clap answers --help, --version and usage
/// errors itself), runs it, prints the last-resort error line and returns the exit code the
/// outcome names (see [`error::exit_code`]). The binary is this function and nothing else.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    // FAILPOINTS (builds with the `failpoints` feature only: the fault tests).
    let _fail_points = fail::FailScenario::setup();
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("dlq: error: cannot start the async runtime: {e}");
            return ExitCode::from(error::exit::FAILURE);
        }
    };
    let result = rt.block_on(run(cli));
    // Client libraries keep background tasks; do not wait for them to notice we are done.
    rt.shutdown_timeout(Duration::from_millis(200));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let code = error::exit_code(&e);
            if code != error::exit::SUCCESS {
                eprintln!("{}", terminal::error_line(&format!("{e:#}")));
                if let Some(does) = error::rerun_does(&e) {
                    let again = output::hint::rerun(&output::hint::this_command());
                    eprintln!("dlq: {does}:\n  {again}");
                }
            }
            ExitCode::from(code)
        }
    }
}

/// Runs one command line. Errors carry their exit code (see [`error::exit_code`]).
async fn run(mut cli: Cli) -> anyhow::Result<()> {
    terminal::init(cli.color, cli.verbose);
    if let Command::Config { action } = cli.command {
        return app::config_command(action, cli.context.as_deref());
    }
    app::apply_context(&mut cli)?;
    match cli.command {
        Command::Config { .. } => Ok(()), // handled above
        Command::List(a) => app::list(a).await,
        Command::Inspect(a) => app::inspect(a).await,
        Command::Replay(a) => app::replay(a).await,
        Command::Purge(a) => app::purge(a).await,
        Command::Export(a) => app::export(a).await,
        Command::Stats(a) => app::stats(a).await,
        Command::Groups(a) => app::groups(a).await,
        Command::Check(a) => app::check(a).await,
        Command::Watch(a) => app::watch(a).await,
        Command::Edit(a) => app::edit(a).await,
        Command::Topics(a) => app::topics(a).await,
        Command::Man => app::man(),
        Command::Completions { shell } => app::completions(shell),
    }
}
