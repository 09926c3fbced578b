//! dlq: operate dead-letter queues on Apache Kafka and Apache Pulsar.
//!
//! Layout: `cli` (clap) → `settings` (validated) → `commands` (compute) → `output` (render).
//! `domain` holds the entry model, conventions, selection and redaction and knows no broker;
//! `broker` holds one adapter per broker behind the [`broker::Broker`] trait.

pub mod broker;
pub mod cli;
pub mod commands;
pub mod domain;
pub mod error;
pub mod output;
pub mod settings;

use std::io::{self, BufWriter, Write};

use jiff::Timestamp;

use cli::{Cli, Command, OutputFormat};

fn warn_reveal(reveal: bool) {
    if reveal {
        eprintln!("dlq: warning: --reveal prints keys, headers and payloads unredacted; they may hold personal data or secrets");
    }
}

/// Runs one command line. Errors carry their exit code (see [`error::exit_code`]).
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::List(a) => {
            let s = commands::list::ListSettings {
                connect: settings::connect(&a.connect)?,
                selection: settings::selection(&a.select, Timestamp::now())?,
                header_map: settings::header_map(&a.conventions)?,
                reveal: a.output.reveal,
                start: if a.all {
                    broker::StartAt::Retained
                } else {
                    broker::StartAt::Unhandled
                },
                topic: a.topic,
            };
            let format = settings::output_format(&a.output);
            warn_reveal(s.reveal);
            let out: Box<dyn Write + Send> = Box::new(BufWriter::new(io::stdout()));
            let mut sink = output::list_sink(format, out);
            let summary = commands::list::run(&s, sink.as_mut()).await;
            // Whatever was listed before an error still reaches the reader.
            let finished = sink.finish();
            let summary = summary?;
            finished?;
            for w in &summary.warnings {
                eprintln!("dlq: warning: {w}");
            }
            if format == OutputFormat::Table {
                if summary.shown == 0 {
                    eprintln!(
                        "no entries matched ({} read from {})",
                        summary.read, s.topic
                    );
                } else {
                    eprintln!(
                        "{} entries shown ({} read from {})",
                        summary.shown, summary.read, s.topic
                    );
                }
            }
            Ok(())
        }
        Command::Inspect(a) => {
            let s = commands::inspect::InspectSettings {
                connect: settings::connect(&a.connect)?,
                header_map: settings::header_map(&a.conventions)?,
                reveal: a.output.reveal,
                topic: a.topic,
                id: a.id,
            };
            let format = settings::output_format(&a.output);
            warn_reveal(s.reveal);
            let v = commands::inspect::run(&s).await?;
            let mut out = BufWriter::new(io::stdout());
            output::inspect(format, &v, &mut out)?;
            Ok(())
        }
        Command::Replay(a) => {
            if a.rate == Some(0) {
                return Err(error::DlqError::Usage("--rate must be at least 1".into()).into());
            }
            let s = commands::replay::ReplaySettings {
                connect: settings::connect(&a.connect)?,
                selection: settings::selection(&a.select, Timestamp::now())?,
                ids: a.ids,
                all: a.all,
                header_map: settings::header_map(&a.conventions)?,
                options: domain::replay::ReplayOptions {
                    to: a.to,
                    keep_partition: a.keep_partition,
                    keep_dlq_headers: a.keep_dlq_headers,
                    max_replays: a.max_replays,
                },
                rate: a.rate,
                dry_run: a.confirm.dry_run,
                yes: a.confirm.yes,
                topic: a.topic,
            };
            let format = a
                .output
                .unwrap_or(if std::io::IsTerminal::is_terminal(&io::stdout()) {
                    OutputFormat::Table
                } else {
                    OutputFormat::Json
                });
            let mut ui = output::replay::TerminalReplayUi::new(format, a.quiet);
            let summary = commands::replay::run(&s, &mut ui).await?;
            output::replay::summary(format, &summary, &mut ui)?;
            if summary.interrupted {
                return Err(error::DlqError::Declined(format!(
                    "interrupted after {} entries were sent and marked handled; run the same command again to continue",
                    summary.sent
                ))
                .into());
            }
            let missed = summary.skipped + summary.failed;
            if missed > 0 {
                return Err(error::DlqError::Partial(format!(
                    "{missed} of {} selected entries were not replayed ({} skipped, {} failed)",
                    summary.selected, summary.skipped, summary.failed
                ))
                .into());
            }
            Ok(())
        }
        Command::Completions { shell } => {
            let mut out = BufWriter::new(io::stdout());
            commands::completions::generate(shell, &mut out);
            out.flush()?;
            Ok(())
        }
    }
}
