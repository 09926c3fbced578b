//! dlq: operate dead-letter queues on Apache Kafka and Apache Pulsar.
//!
//! Layout: `cli` (clap) → `app` (per command: `settings` validated, `commands` compute, `output`
//! renders; see docs/ARCHITECTURE.md).
//! `domain` holds the entry model, conventions, selection and redaction and knows no broker;
//! `broker` holds one adapter per broker behind the [`broker::Broker`] trait.

mod app;
pub mod archive;
pub mod broker;
pub mod cli;
pub mod commands;
pub mod contexts;
pub mod domain;
pub mod error;
pub mod output;
pub mod paths;
pub mod registry;
pub mod results;
pub mod secret;
pub mod settings;
pub mod terminal;

use cli::{Cli, Command};

/// Runs one command line. Errors carry their exit code (see [`error::exit_code`]).
pub async fn run(mut cli: Cli) -> anyhow::Result<()> {
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
        Command::Topics(a) => app::topics(a).await,
        Command::Man => app::man(),
        Command::Completions { shell } => app::completions(shell),
    }
}
