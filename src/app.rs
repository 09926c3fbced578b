//! The glue of each subcommand: its arguments (after the context filled them) become its
//! settings, the command runs, the output layer renders the result, and the result names
//! the exit code. `lib.rs::run` only dispatches here.

use std::io::{self, BufWriter, Write};

use jiff::Timestamp;

use crate::cli::{self, Cli, Command, OutputFormat};
use crate::{archive, broker, commands, contexts, domain, error, output, secret, settings};

fn warn_reveal(reveal: bool) {
    if reveal {
        eprintln!("dlq: warning: --reveal prints keys, headers and payloads unredacted; they may hold personal data or secrets");
    }
}

/// `replay TOPIC --since TIME --group G` / `--subscription S`: rewind a consumer.
async fn rewind(a: cli::ReplayArgs) -> anyhow::Result<()> {
    let usage = |m: &str| -> anyhow::Error { error::DlqError::Usage(m.into()).into() };
    if a.select.until.is_some() {
        return Err(usage(
            "--until makes no sense for a rewind: the group or subscription resumes at --since and reads on to the end. \
             To reprocess only a window, copy it: --since … --until … --to TOPIC",
        ));
    }
    let connect = settings::connect(&a.connect)?;
    let kind = connect.url.consumer_kind();
    let named = match kind {
        domain::positions::ConsumerKind::Group => &a.connect.group,
        domain::positions::ConsumerKind::Subscription => &a.connect.subscription,
    };
    let consumer = named.clone().ok_or_else(|| {
        usage(&format!(
            "on {}, name the {} to rewind with --{}",
            connect.url.product(),
            match kind {
                domain::positions::ConsumerKind::Group => "consumer group",
                domain::positions::ConsumerKind::Subscription => "subscription",
            },
            kind
        ))
    })?;
    let topic = a.topic.unwrap_or_default();
    let now = Timestamp::now();
    let destination = match a.restore_positions {
        Some(path) => commands::rewind::Destination::Restore(path),
        None => {
            let input = a.select.since.clone().unwrap_or_default();
            commands::rewind::Destination::Since {
                at: settings::time_flag("--since", &input, &a.select, now)?,
                input,
            }
        }
    };
    let save_positions = match a.save_positions {
        Some(p) => p,
        None => commands::rewind::default_positions_path(&consumer, &topic, now).ok_or_else(|| {
            usage("no place to save the current positions: set XDG_STATE_HOME or HOME, or pass --save-positions FILE")
        })?,
    };
    let s = commands::rewind::RewindSettings {
        destination,
        save_positions,
        topic,
        connect,
        consumer,
        kind,
        dry_run: a.confirm.dry_run,
        yes: a.confirm.yes,
        assume_inactive: a.assume_inactive,
    };
    let format = summary_format(a.output);
    let mut ui = output::rewind::TerminalRewindUi { format };
    let outcome = commands::rewind::run(&s, &mut ui).await;
    match outcome {
        Ok(o) => Ok(output::rewind::outcome(format, &o)?),
        Err(e) => Err(e),
    }
}

/// Summaries are text on a terminal and one JSON document for scripts, unless chosen.
/// `--all`: from what the broker retains; otherwise from what the operator has not handled.
fn start_at(all: bool) -> broker::StartAt {
    if all {
        broker::StartAt::Retained
    } else {
        broker::StartAt::Unhandled
    }
}

fn summary_format(chosen: Option<OutputFormat>) -> OutputFormat {
    chosen.unwrap_or(if std::io::IsTerminal::is_terminal(&io::stdout()) {
        OutputFormat::Table
    } else {
        OutputFormat::Json
    })
}

/// Loads the config file and lets the context in force fill what flags and environment left
/// unset (flags > environment > context > defaults).
pub(crate) fn apply_context(cli: &mut Cli) -> anyhow::Result<()> {
    let Some(path) = contexts::path() else {
        return Ok(());
    };
    let (file, _) = contexts::load(&path)?;
    let Some((_, ctx)) = contexts::active(&file, cli.context.as_deref(), &path)? else {
        return Ok(());
    };
    let out = contexts::output(ctx)?;
    match &mut cli.command {
        Command::List(a) => {
            contexts::apply(ctx, &mut a.connect, Some(&mut a.conventions))?;
            contexts::apply_redaction(ctx, &mut a.output.redact);
            contexts::apply_decoding(ctx, &mut a.decode);
            a.output.output = a.output.output.or(out);
        }
        Command::Inspect(a) => {
            contexts::apply(ctx, &mut a.connect, Some(&mut a.conventions))?;
            contexts::apply_redaction(ctx, &mut a.output.redact);
            contexts::apply_decoding(ctx, &mut a.decode);
            a.output.output = a.output.output.or(out);
        }
        Command::Replay(a) => {
            contexts::apply(ctx, &mut a.connect, Some(&mut a.conventions))?;
            contexts::apply_redaction(ctx, &mut a.redact);
            a.output = a.output.or(out);
        }
        Command::Purge(a) => {
            contexts::apply(ctx, &mut a.connect, Some(&mut a.conventions))?;
            a.output = a.output.or(out);
        }
        Command::Export(a) => {
            contexts::apply(ctx, &mut a.connect, Some(&mut a.conventions))?;
            contexts::apply_redaction(ctx, &mut a.redact_rules);
            contexts::apply_decoding(ctx, &mut a.decode);
        }
        Command::Stats(a) => {
            contexts::apply(ctx, &mut a.connect, Some(&mut a.conventions))?;
            a.output = a.output.or(out);
        }
        Command::Topics(a) => {
            contexts::apply(ctx, &mut a.connect, None)?;
            a.patterns.extend(ctx.dlq_patterns.iter().cloned());
            a.output = a.output.or(out);
        }
        Command::Config { .. } | Command::Man | Command::Completions { .. } => {}
    }
    Ok(())
}

/// `dlq config list|show|use`.
pub(crate) fn config_command(
    action: cli::ConfigAction,
    chosen: Option<&str>,
) -> anyhow::Result<()> {
    let path = contexts::path().ok_or_else(|| {
        error::DlqError::Usage("no config file location: set DLQ_CONFIG or HOME".into())
    })?;
    let (file, text) = contexts::load(&path)?;
    let mut out = io::stdout().lock();
    match action {
        cli::ConfigAction::List => {
            let current = chosen.or(file.current_context.as_deref());
            writeln!(out, "# {}", path.display())?;
            for name in file.contexts.keys() {
                let mark = if Some(name.as_str()) == current {
                    "*"
                } else {
                    " "
                };
                writeln!(out, "{mark} {name}")?;
            }
        }
        cli::ConfigAction::Show { name } => {
            let (name, ctx) = match contexts::active(&file, name.as_deref().or(chosen), &path)? {
                Some(found) => found,
                None => {
                    return Err(error::DlqError::Usage(format!(
                        "no context chosen and no current-context in {}",
                        path.display()
                    ))
                    .into())
                }
            };
            let mut shown = ctx.clone();
            if shown.sasl_password.is_some() {
                shown.sasl_password = Some("(redacted)".into());
            }
            for (k, v) in shown.librdkafka.iter_mut() {
                if secret::is_secret_property(k) {
                    *v = "(redacted)".into();
                }
            }
            writeln!(out, "# context {name} in {}", path.display())?;
            write!(
                out,
                "{}",
                toml_edit::ser::to_string_pretty(&shown).map_err(anyhow::Error::msg)?
            )?;
        }
        cli::ConfigAction::Use { name } => {
            contexts::active(&file, Some(&name), &path)?;
            contexts::set_current(&path, &text, &name)?;
            writeln!(out, "current context: {name}")?;
        }
    }
    Ok(out.flush()?)
}

pub(crate) async fn list(a: cli::ListArgs) -> anyhow::Result<()> {
    let connect = settings::connect(&a.connect)?;
    let s = commands::list::ListSettings {
        registry: settings::registry(&a.decode, connect.timeout)?,
        connect,
        selection: settings::selection(&a.select, Timestamp::now())?,
        header_map: settings::header_map(&a.conventions)?,
        showing: settings::showing(&a.output, &a.decode)?,
        start: start_at(a.all),
        topic: a.topic,
    };
    let format = settings::output_format(&a.output);
    warn_reveal(s.showing.reveal);
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

pub(crate) async fn inspect(a: cli::InspectArgs) -> anyhow::Result<()> {
    let connect = settings::connect(&a.connect)?;
    let s = commands::inspect::InspectSettings {
        registry: settings::registry(&a.decode, connect.timeout)?,
        connect,
        header_map: settings::header_map(&a.conventions)?,
        showing: settings::showing(&a.output, &a.decode)?,
        topic: a.topic,
        id: a.id,
    };
    let format = settings::output_format(&a.output);
    warn_reveal(s.showing.reveal);
    let v = commands::inspect::run(&s).await?;
    let mut out = BufWriter::new(io::stdout());
    output::inspect(format, &v, &mut out)?;
    Ok(())
}

/// What a `replay` command line asks for, decided once from its flags.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ReplayMode {
    /// `--since TIME` alone with `--group`/`--subscription`: rewind that consumer.
    Rewind,
    /// `--restore-positions FILE`: put a consumer back where a rewind found it.
    RestorePositions,
    /// `--from-file FILE`: publish an export or a purge backup as it was.
    Restore,
    /// A selection of a topic sent on: dead letters to their origin, or a window of a main
    /// topic copied with `--to`.
    Send,
}

fn replay_mode(a: &cli::ReplayArgs) -> Result<ReplayMode, error::DlqError> {
    let sel = &a.select;
    let names_a_consumer = a.connect.group.is_some() || a.connect.subscription.is_some();
    let only_a_time = sel.grep.is_none()
        && sel.origin.is_none()
        && sel.key.is_none()
        && sel.limit.is_none()
        && sel.partition.is_empty()
        && a.ids.is_empty()
        && !a.all
        && a.to.is_none()
        && a.from_file.is_none();
    if a.restore_positions.is_some() {
        if !names_a_consumer || a.topic.is_none() || !only_a_time || sel.since.is_some() {
            return Err(error::DlqError::Usage(
                "--restore-positions FILE puts a consumer back: give the TOPIC and --group (Kafka) or \
                 --subscription (Pulsar) it was saved for, and no selection or --since"
                    .into(),
            ));
        }
        return Ok(ReplayMode::RestorePositions);
    }
    if sel.since.is_some() && names_a_consumer && only_a_time {
        return Ok(ReplayMode::Rewind);
    }
    if a.from_file.is_some() {
        return Ok(ReplayMode::Restore);
    }
    Ok(ReplayMode::Send)
}

pub(crate) async fn replay(a: cli::ReplayArgs) -> anyhow::Result<()> {
    let mode = replay_mode(&a)?;
    if matches!(mode, ReplayMode::Rewind | ReplayMode::RestorePositions) {
        return rewind(a).await;
    }
    if a.rate == Some(0) {
        return Err(error::DlqError::Usage("--rate must be at least 1".into()).into());
    }
    let sending = commands::replay::Sending {
        connect: settings::connect(&a.connect)?,
        options: domain::replay::ReplayOptions {
            to: a.to,
            keep_partition: a.keep_partition,
            keep_dlq_headers: a.keep_dlq_headers,
            max_replays: a.max_replays,
        },
        rate: a.rate,
        dry_run: a.confirm.dry_run,
        yes: a.confirm.yes,
        journal_dir: commands::journal::Journal::default_dir(),
    };
    let format = summary_format(a.output);
    let mut ui =
        output::replay::TerminalReplayUi::new(format, a.quiet, settings::redactor(&a.redact)?);
    let summary = match (mode, a.from_file) {
        (ReplayMode::Restore, Some(path)) => {
            let selection = settings::selection(&a.select, Timestamp::now())?;
            if !selection.selects_everything() || !a.ids.is_empty() {
                return Err(error::DlqError::Usage(
                    "--from-file replays the whole file; it takes no filters or --id".into(),
                )
                .into());
            }
            let s = commands::restore::RestoreSettings { path, sending };
            commands::restore::run(&s, &mut ui).await?
        }
        _ => {
            let s = commands::replay::ReplaySettings {
                selection: settings::selection(&a.select, Timestamp::now())?,
                ids: a.ids,
                all: a.all,
                header_map: settings::header_map(&a.conventions)?,
                topic: a.topic.unwrap_or_default(),
                sending,
            };
            commands::replay::run(&s, &mut ui).await?
        }
    };
    output::replay::summary(format, &summary, &mut ui)?;
    Ok(summary.outcome()?)
}

pub(crate) async fn purge(a: cli::PurgeArgs) -> anyhow::Result<()> {
    let now = Timestamp::now();
    let before = a
        .before
        .as_deref()
        .map(|b| settings::time_flag("--before", b, &a.select, now))
        .transpose()?;
    let backup = if a.no_backup {
        None
    } else {
        Some(match a.backup {
            Some(p) => p,
            None => commands::purge::default_backup_path(&a.topic, now).ok_or_else(|| {
                error::DlqError::Usage(
                    "no place for the backup: set XDG_STATE_HOME or HOME, or pass --backup FILE (or --no-backup)"
                        .into(),
                )
            })?,
        })
    };
    let s = commands::purge::PurgeSettings {
        connect: settings::connect(&a.connect)?,
        selection: settings::selection(&a.select, now)?,
        ids: a.ids,
        all: a.all,
        before,
        header_map: settings::header_map(&a.conventions)?,
        mark_handled: a.mark_handled,
        backup,
        dry_run: a.confirm.dry_run,
        yes: a.confirm.yes,
        topic: a.topic,
    };
    let format = summary_format(a.output);
    let mut ui = output::purge::TerminalPurgeUi;
    let summary = commands::purge::run(&s, &mut ui).await?;
    output::purge::summary(format, &summary)?;
    summary.outcome()?;
    Ok(())
}

pub(crate) async fn export(a: cli::ExportArgs) -> anyhow::Result<()> {
    let connect = settings::connect(&a.connect)?;
    let d = &a.decode;
    let asked = d.decode.is_some()
        || d.value_schema.is_some()
        || d.key_schema.is_some()
        || d.schema_registry.is_some();
    let redact = if a.redact {
        Some(domain::view::Showing {
            reveal: false,
            redactor: settings::redactor(&a.redact_rules)?,
            decoder: settings::decoder(d)?,
        })
    } else {
        None
    };
    let s = commands::export::ExportSettings {
        redact,
        decoder: asked.then(|| settings::decoder(d)).transpose()?,
        registry: settings::registry(d, connect.timeout)?,
        connect,
        selection: settings::selection(&a.select, Timestamp::now())?,
        ids: a.ids,
        header_map: settings::header_map(&a.conventions)?,
        start: start_at(a.all),
        topic: a.topic,
    };
    let mut out = match &a.out {
        Some(path) => archive::ArchiveWriter::create(path)
            .map_err(|e| anyhow::anyhow!("cannot create {}: {e}", path.display()))?,
        None if !a.redact && std::io::IsTerminal::is_terminal(&io::stdout()) => {
            return Err(error::DlqError::Usage(
                "export writes unredacted payloads; pass --out FILE, or redirect stdout to a file or pipe".into(),
            )
            .into())
        }
        None => archive::ArchiveWriter::stdout(),
    };
    let (n, notes) = commands::export::run(&s, &mut out).await?;
    for w in &notes.warnings {
        eprintln!("dlq: warning: {w}");
    }
    match &a.out {
        Some(p) => eprintln!("exported {n} entries from {} to {}", s.topic, p.display()),
        None => eprintln!("exported {n} entries from {}", s.topic),
    }
    Ok(())
}

pub(crate) async fn stats(a: cli::StatsArgs) -> anyhow::Result<()> {
    let s = commands::stats::StatsSettings {
        connect: settings::connect(&a.connect)?,
        selection: settings::selection(&a.select, Timestamp::now())?,
        header_map: settings::header_map(&a.conventions)?,
        start: start_at(a.all),
        topic: a.topic,
    };
    let format = summary_format(a.output);
    let mut progress = output::stats::progress();
    let r = commands::stats::run(&s, &mut progress).await?;
    for w in &r.warnings {
        eprintln!("dlq: warning: {w}");
    }
    let mut out = BufWriter::new(io::stdout());
    output::stats::stats(format, &s.topic, &r, Timestamp::now(), &mut out)?;
    Ok(out.flush()?)
}

pub(crate) async fn topics(a: cli::TopicsArgs) -> anyhow::Result<()> {
    let s = commands::topics::TopicsSettings {
        connect: settings::connect(&a.connect)?,
        patterns: a.patterns,
        namespace: a.namespace,
    };
    let found = commands::topics::run(&s).await?;
    let format = summary_format(a.output);
    let mut out = BufWriter::new(io::stdout());
    output::stats::topics(format, &found, &mut out)?;
    out.flush()?;
    if found.is_empty() && format == OutputFormat::Table {
        eprintln!(
            "no topic looks like a DLQ (patterns: {}; add one with --pattern GLOB)",
            domain::topics::DLQ_PATTERNS
                .iter()
                .copied()
                .chain(s.patterns.iter().map(String::as_str))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    Ok(())
}

pub(crate) fn man() -> anyhow::Result<()> {
    let mut out = BufWriter::new(io::stdout());
    commands::completions::man_page(&mut out)?;
    out.flush()?;
    Ok(())
}

pub(crate) fn completions(shell: clap_complete::Shell) -> anyhow::Result<()> {
    let mut out = BufWriter::new(io::stdout());
    commands::completions::generate(shell, &mut out);
    out.flush()?;
    Ok(())
}
