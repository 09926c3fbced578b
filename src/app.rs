//! The glue of each subcommand: its settings (each command turns its own arguments into them),
//! the command, the output layer that renders the result, and the exit code the result names.
//! `lib.rs::run` only dispatches here; nothing here prints (the output layer does).

use std::io::{self, BufWriter, Write};

use crate::cli::{self, Cli, Command, OutputFormat};
use crate::commands::{
    export::ExportSettings, inspect::InspectSettings, list::ListSettings, purge::PurgeSettings,
    replay::ReplaySettings, restore::RestoreSettings, rewind::RewindSettings, stats::StatsSettings,
    topics::TopicsSettings,
};
use crate::{archive, commands, contexts, error, output, secret, settings};

/// Summaries are text on a terminal and one JSON document for scripts, unless chosen.
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
            a.context_targets = ctx.replay_targets.clone();
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
            a.output = a.output.or(out.map(cli::StatsFormat::Output));
        }
        Command::Check(a) => {
            contexts::apply(ctx, &mut a.connect, None)?;
            a.output = a.output.or(out);
        }
        Command::Edit(a) => {
            contexts::apply(ctx, &mut a.connect, Some(&mut a.conventions))?;
            contexts::apply_redaction(ctx, &mut a.redact);
            a.context_targets = ctx.replay_targets.clone();
            a.output = a.output.or(out);
        }
        Command::Watch(a) => {
            contexts::apply(ctx, &mut a.connect, Some(&mut a.conventions))?;
            a.output = a.output.or(out);
        }
        Command::Groups(a) => {
            contexts::apply(ctx, &mut a.connect, Some(&mut a.conventions))?;
            contexts::apply_redaction(ctx, &mut a.output.redact);
            contexts::apply_decoding(ctx, &mut a.decode);
            a.output.output = a.output.output.or(out);
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
    warn_all_deprecated("list", a.all_deprecated);
    let format = settings::output_format(&a.output);
    let s = ListSettings::from_args(a)?;
    output::warn_reveal(s.showing.reveal);
    let out: Box<dyn Write + Send> = Box::new(BufWriter::new(io::stdout()));
    let mut sink = output::list_sink(format, out);
    let summary = commands::list::run(&s, sink.as_mut()).await;
    // Whatever was listed before an error still reaches the reader.
    let finished = sink.finish();
    let summary = summary?;
    finished?;
    output::list_done(format, &summary, &s.topic);
    Ok(())
}

pub(crate) async fn inspect(a: cli::InspectArgs) -> anyhow::Result<()> {
    let format = settings::output_format(&a.output);
    let s = InspectSettings::from_args(a)?;
    output::warn_reveal(s.showing.reveal);
    let v = commands::inspect::run(&s).await?;
    output::inspect(format, &v, &mut BufWriter::new(io::stdout()))?;
    Ok(())
}

/// `--all` on a read: the old spelling of `--include-handled`, kept for one release.
fn warn_all_deprecated(command: &str, given: bool) {
    if given {
        output::warn(&format!(
            "--all on `dlq {command}` is deprecated and will be removed in the next release: use \
             --include-handled (on replay and purge, --all means \"I accept an unfiltered selection\")"
        ));
    }
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
    let only_a_time = !sel.filters_besides_time()
        && a.ids.is_empty()
        && !a.all
        && a.to.is_none()
        && a.from_file.is_none();
    if a.restore_positions.is_some() {
        let selects = sel.filters_besides_time() || !a.ids.is_empty();
        if !names_a_consumer || a.topic.is_none() || selects || sel.since.is_some() {
            return Err(error::DlqError::Usage(
                "--restore-positions FILE puts a consumer back: give the TOPIC and --group (Kafka) or \
                 --subscription (Pulsar) it was saved for, and no selection or --since"
                    .into(),
            ));
        }
        refuse_unused(a, ReplayMode::RestorePositions)?;
        return Ok(ReplayMode::RestorePositions);
    }
    let mode = if sel.since.is_some() && names_a_consumer && only_a_time {
        ReplayMode::Rewind
    } else if a.from_file.is_some() {
        ReplayMode::Restore
    } else {
        ReplayMode::Send
    };
    refuse_unused(a, mode)?;
    if a.join {
        refuse_join(a)?;
    }
    Ok(mode)
}

/// `--join` without what a member needs: a yes given in advance, and no plan of its own.
fn refuse_join(a: &cli::ReplayArgs) -> Result<(), error::DlqError> {
    let plan = output::hint::plan_of_join(&output::hint::this_command());
    let why = if a.confirm.dry_run {
        "--join cannot --dry-run: a plan needs the whole topic, and a member sees only the \
         partitions the group gives it"
    } else if !a.confirm.yes {
        "--join needs -y: members run in many terminals or pods at once, with no prompt to answer"
    } else if a.select.limit.is_some() {
        "--join cannot take --limit: a limit counts entries across the whole DLQ, and a member \
         sees only the partitions the group gives it"
    } else if a.canary.is_some() {
        "--join cannot take --canary: the canaries are a check one process makes before the rest \
         is sent; run a plain replay with --canary N first, then --join"
    } else {
        return Ok(());
    };
    Err(error::DlqError::Usage(format!(
        "{why}. The plan of the whole DLQ, from one process:\n  {plan}"
    )))
}

/// What each mode is, for the refusal of a flag it does not use.
fn mode_words(mode: ReplayMode) -> &'static str {
    match mode {
        ReplayMode::Rewind => {
            "a rewind (--since with --group/--subscription and no other selection moves that \
             consumer back; nothing is sent). To send the window instead, leave out \
             --group/--subscription and give --to TOPIC"
        }
        ReplayMode::RestorePositions => {
            "--restore-positions (it moves a consumer back to saved positions; nothing is sent)"
        }
        ReplayMode::Restore => "--from-file (it publishes the file's records as they were)",
        ReplayMode::Send => {
            "a replay that sends entries (only a rewind, --since with --group/--subscription \
             and nothing else, or --restore-positions uses it)"
        }
    }
}

/// The flags a mode does not use. A flag the user gave and dlq would ignore is refused (exit 2)
/// naming the flag and the mode: in an incident, a dropped flag is a lie.
fn unused_flags(mode: ReplayMode) -> Vec<&'static str> {
    const NOT_SENDING: &[&str] = &[
        "--to",
        "--keep-partition",
        "--keep-dlq-headers",
        "--max-replays",
        "--rate",
        "--allow-target",
        "--patch",
        "--patch-file",
        "--canary",
        "--canary-wait",
        "--value-schema",
        "--no-schema-check",
        "--join",
        "--quiet",
        "--redact-field",
        "--redact-pattern",
        "--redaction-policy",
        "--redact-all-except",
        "--header-map",
    ];
    match mode {
        ReplayMode::Rewind => NOT_SENDING.to_vec(),
        // (In a rewind, --all makes the command line a replay that sends.)
        ReplayMode::RestorePositions => [NOT_SENDING, &["--all"]].concat(),
        ReplayMode::Restore => vec![
            "--join",
            "--canary",
            "--canary-wait",
            "--no-schema-check",
            "--keep-dlq-headers",
            "--max-replays",
            "--all",
            "--header-map",
            "--assume-inactive",
            "--save-positions",
        ],
        ReplayMode::Send => vec!["--assume-inactive", "--save-positions"],
    }
}

/// The mode-dependent flags of `replay` the user gave.
fn given_flags(a: &cli::ReplayArgs) -> Vec<&'static str> {
    let r = &a.redact;
    [
        ("--to", a.to.is_some()),
        ("--keep-partition", a.keep_partition),
        ("--keep-dlq-headers", a.keep_dlq_headers),
        ("--max-replays", a.max_replays.is_some()),
        ("--rate", a.rate.is_some()),
        ("--allow-target", !a.allow_targets.is_empty()),
        ("--patch", a.patch.is_some()),
        ("--patch-file", a.patch_file.is_some()),
        ("--canary", a.canary.is_some()),
        ("--canary-wait", a.canary_wait.is_some()),
        ("--value-schema", a.value_schema.is_some()),
        ("--no-schema-check", a.no_schema_check),
        ("--join", a.join),
        ("--quiet", a.quiet),
        ("--redact-field", !r.redact_fields.is_empty()),
        ("--redact-pattern", !r.redact_patterns.is_empty()),
        ("--redaction-policy", r.redaction_policy.is_some()),
        ("--redact-all-except", !r.redact_all_except.is_empty()),
        ("--header-map", !a.conventions.header_map.is_empty()),
        ("--all", a.all),
        ("--assume-inactive", a.assume_inactive),
        ("--save-positions", a.save_positions.is_some()),
    ]
    .into_iter()
    .filter_map(|(flag, given)| given.then_some(flag))
    .collect()
}

fn refuse_unused(a: &cli::ReplayArgs, mode: ReplayMode) -> Result<(), error::DlqError> {
    let unused = unused_flags(mode);
    match given_flags(a).into_iter().find(|f| unused.contains(f)) {
        Some(flag) => Err(error::DlqError::Usage(format!(
            "{flag} does not apply to {}",
            mode_words(mode)
        ))),
        None => Ok(()),
    }
}

pub(crate) async fn replay(a: cli::ReplayArgs) -> anyhow::Result<()> {
    let format = summary_format(a.output);
    let mode = replay_mode(&a)?;
    if matches!(mode, ReplayMode::Rewind | ReplayMode::RestorePositions) {
        let s = RewindSettings::from_args(a)?;
        let mut ui = output::rewind::TerminalRewindUi { format };
        let since = match &s.destination {
            crate::results::rewind::Destination::Since { at, .. } => Some(*at),
            crate::results::rewind::Destination::Restore(_) => None,
        };
        let outcome = commands::rewind::run(&s, &mut ui)
            .await
            .map_err(|e| output::rewind::share_group_refusal(e, &s.connect.url, &s.topic, since))?;
        return Ok(output::rewind::outcome(format, &outcome)?);
    }
    let mut ui =
        output::replay::TerminalReplayUi::new(format, a.quiet, settings::redactor(&a.redact)?);
    let summary = if mode == ReplayMode::Restore {
        commands::restore::run(&RestoreSettings::from_args(a)?, &mut ui).await?
    } else {
        commands::replay::run(&ReplaySettings::from_args(a)?, &mut ui).await?
    };
    output::replay::summary(format, &summary, &mut ui)?;
    Ok(summary.outcome()?)
}

pub(crate) async fn purge(a: cli::PurgeArgs) -> anyhow::Result<()> {
    let format = summary_format(a.output);
    let s = PurgeSettings::from_args(a)?;
    let summary = commands::purge::run(&s, &mut output::purge::TerminalPurgeUi).await?;
    output::purge::summary(format, &summary)?;
    Ok(summary.outcome()?)
}

pub(crate) async fn export(a: cli::ExportArgs) -> anyhow::Result<()> {
    warn_all_deprecated("export", a.all_deprecated);
    let s = ExportSettings::from_args(&a)?;
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
    output::export_done(n, &s.topic, &notes.warnings, a.out.as_deref());
    Ok(())
}

pub(crate) async fn stats(a: cli::StatsArgs) -> anyhow::Result<()> {
    warn_all_deprecated("stats", a.all_deprecated);
    let chosen = a.output;
    let s = StatsSettings::from_args(a)?;
    let mut progress = output::stats::progress();
    let r = commands::stats::run(&s, &mut progress).await?;
    output::warn_all(&r.warnings);
    let mut out = BufWriter::new(io::stdout());
    match chosen {
        Some(cli::StatsFormat::OpenMetrics) => {
            output::metrics::stats(&s.topic, &r, true, &mut out)?
        }
        Some(cli::StatsFormat::Prometheus) => {
            output::metrics::stats(&s.topic, &r, false, &mut out)?
        }
        Some(cli::StatsFormat::Output(f)) => {
            output::stats::stats(f, &s.topic, &r, jiff::Timestamp::now(), &mut out)?
        }
        None => output::stats::stats(
            summary_format(None),
            &s.topic,
            &r,
            jiff::Timestamp::now(),
            &mut out,
        )?,
    }
    Ok(out.flush()?)
}

pub(crate) async fn groups(a: cli::GroupsArgs) -> anyhow::Result<()> {
    let format = summary_format(a.output.output);
    let s = commands::groups::GroupsSettings::from_args(a)?;
    output::warn_reveal(s.showing.reveal);
    let mut progress = output::stats::progress();
    let r = commands::groups::run(&s, &mut progress).await?;
    output::warn_all(&r.warnings);
    let mut out = BufWriter::new(io::stdout());
    output::groups::groups(format, &s.topic, &r, &s.showing, &mut out)?;
    Ok(out.flush()?)
}

pub(crate) async fn check(a: cli::CheckArgs) -> anyhow::Result<()> {
    let format = summary_format(a.output);
    let s = commands::check::CheckSettings::from_args(a)?;
    let verdicts = commands::check::run(&s).await?;
    let mut out = BufWriter::new(io::stdout());
    output::check::verdicts(format, &verdicts, jiff::Timestamp::now(), &mut out)?;
    out.flush()?;
    let failed: Vec<&str> = verdicts
        .iter()
        .filter(|v| !v.exceeded.is_empty())
        .map(|v| v.topic.as_str())
        .collect();
    if failed.is_empty() {
        Ok(())
    } else {
        Err(
            error::DlqError::Threshold(format!("threshold exceeded on {}", failed.join(", ")))
                .into(),
        )
    }
}

/// `dlq edit TOPIC ID`: the editor on the payload, then a replay of what was saved.
pub(crate) async fn edit(a: cli::EditArgs) -> anyhow::Result<()> {
    let format = summary_format(a.output);
    let s = commands::edit::EditSettings::from_args(&a)?;
    let redactor = settings::redactor(&a.redact)?;
    let before = commands::edit::payload(&s).await?;
    let after = match output::edit::edit(&before, &s.id)? {
        output::edit::Saved::Value(v) => v,
        output::edit::Saved::Nothing(why) => {
            return Err(error::DlqError::Declined(format!("{why}: nothing was sent")).into())
        }
    };
    output::edit::show_diff(&before, &after, &redactor);
    let mut ui = output::replay::TerminalReplayUi::new(format, false, redactor);
    let summary =
        commands::replay::run(&commands::edit::replay_of_edit(&s, after), &mut ui).await?;
    output::replay::summary(format, &summary, &mut ui)?;
    Ok(summary.outcome()?)
}

/// `dlq watch`: refreshes until q, Ctrl-C or SIGTERM; quitting is its normal end (exit 0).
pub(crate) async fn watch(a: cli::WatchArgs) -> anyhow::Result<()> {
    let live = match a.output {
        None => std::io::IsTerminal::is_terminal(&io::stdout()),
        Some(OutputFormat::Table) if !std::io::IsTerminal::is_terminal(&io::stdout()) => {
            return Err(error::DlqError::Usage(
                "-o table is dlq watch's live view, which needs a terminal; -o json prints a JSON line per refresh"
                    .into(),
            )
            .into())
        }
        Some(f) => f == OutputFormat::Table,
    };
    let s = commands::watch::WatchSettings::from_args(&a)?;
    // Bound before the first read, so that a port in use fails at once.
    let server = match s.serve {
        Some(addr) => Some(output::serve::Server::bind(addr, s.interval).await?),
        None => None,
    };
    if let Some(sv) = &server {
        output::watch::serving(sv.address());
    }
    let (mut watch, first) = commands::watch::Watch::start(&s).await?;
    let result = watch_loop(live, &s, &mut watch, first, server.as_ref()).await;
    watch.close().await;
    result
}

/// Refreshes every interval until asked to quit, showing each snapshot (live, or as JSON lines)
/// and handing it to the metrics server.
async fn watch_loop(
    live: bool,
    s: &commands::watch::WatchSettings,
    watch: &mut commands::watch::Watch,
    first: commands::watch::Snapshot,
    server: Option<&output::serve::Server>,
) -> anyhow::Result<()> {
    use output::watch::{json_line, keys, screen, terminated, Key, Live};
    let serving = server.map(|sv| sv.address().to_string());
    let mut snapshot = first;
    let mut tick = tokio::time::interval(s.interval);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    tick.tick().await; // the first tick is now: the first read was it
    if live {
        let mut screen_on = Live::enter()?;
        let mut keys = keys();
        let width = || match crossterm::terminal::size() {
            Ok((w, _)) if w > 0 => w as usize,
            _ => 80,
        };
        let bold = console::colors_enabled();
        loop {
            if let Some(sv) = server {
                sv.publish(&snapshot);
            }
            let lines = screen(&snapshot, s.interval, serving.as_deref(), width(), bold);
            screen_on.draw(&lines)?;
            tokio::select! {
                _ = tick.tick() => snapshot = watch.refresh().await,
                key = keys.recv() => match key {
                    Some(Key::Redraw) => continue,
                    Some(Key::Quit) | None => break,
                },
                _ = terminated() => break,
            }
        }
    } else {
        let mut out = io::stdout();
        loop {
            if let Some(sv) = server {
                sv.publish(&snapshot);
            }
            json_line(&snapshot, &mut out)?;
            tokio::select! {
                _ = tick.tick() => snapshot = watch.refresh().await,
                _ = tokio::signal::ctrl_c() => break,
                _ = terminated() => break,
            }
        }
    }
    Ok(())
}

pub(crate) async fn topics(a: cli::TopicsArgs) -> anyhow::Result<()> {
    let format = summary_format(a.output);
    let s = TopicsSettings::from_args(a)?;
    let found = commands::topics::run(&s).await?;
    let mut out = BufWriter::new(io::stdout());
    output::stats::topics(format, &found, &mut out)?;
    out.flush()?;
    output::stats::no_topics_hint(format, &found, &s.patterns);
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

#[cfg(test)]
mod tests {
    use clap::Parser as _;

    use super::*;

    /// `dlq replay ARGS…` as the command line parses it.
    fn replay_args(args: &[&str]) -> cli::ReplayArgs {
        let line = ["dlq", "replay"].iter().chain(args).copied();
        match cli::Cli::try_parse_from(line).unwrap().command {
            cli::Command::Replay(a) => a,
            other => panic!("not a replay: {other:?}"),
        }
    }

    /// Each mode's own command line (flags it uses come on top).
    fn base(mode: ReplayMode) -> Vec<&'static str> {
        match mode {
            ReplayMode::Rewind => vec!["orders", "--since", "1h", "--group", "billing"],
            ReplayMode::RestorePositions => vec![
                "orders",
                "--group",
                "billing",
                "--restore-positions",
                "saved.json",
            ],
            ReplayMode::Restore => vec!["--from-file", "backup.jsonl"],
            ReplayMode::Send => vec!["orders.DLT", "--grep", "x"],
        }
    }

    /// Each mode-dependent flag, with a value where it takes one.
    const FLAGS: &[&[&str]] = &[
        &["--to", "elsewhere"],
        &["--keep-partition"],
        &["--keep-dlq-headers"],
        &["--max-replays", "5"],
        &["--rate", "10"],
        &["--allow-target", "orders*"],
        &["--quiet"],
        &["--redact-field", "ssn"],
        &["--redact-pattern", "x+"],
        &["--redaction-policy", "policy.toml"],
        &["--redact-all-except", "id"],
        &["--header-map", "origin_topic=src"],
        &["--all"],
        &["--assume-inactive"],
        &["--save-positions", "here.json"],
        &["--patch", ".a = 1"],
        &["--patch-file", "fix.jq"],
        &["--canary", "2"],
        &["--canary-wait", "10s"],
        &["--value-schema", "order.avsc"],
        &["--no-schema-check"],
        &["--join", "-y"],
    ];

    const MODES: [ReplayMode; 4] = [
        ReplayMode::Rewind,
        ReplayMode::RestorePositions,
        ReplayMode::Restore,
        ReplayMode::Send,
    ];

    #[test]
    fn each_mode_s_own_command_line_resolves_to_it() {
        for mode in MODES {
            assert_eq!(replay_mode(&replay_args(&base(mode))).unwrap(), mode);
        }
    }

    /// Every (mode, flag) pair: a flag the mode does not use is refused naming the flag and
    /// the mode; a flag it uses is taken, and the mode stays what it was.
    #[test]
    fn every_flag_acts_or_is_refused_in_every_mode() {
        let mut refused = 0;
        for mode in MODES {
            for flag in FLAGS {
                let mut line = base(mode);
                line.extend_from_slice(flag);
                let a = replay_args(&line);
                let decided = replay_mode(&a);
                // --to and --all make a rewind's command line a replay that sends (a window copy,
                // a DLQ replay): they decide the mode rather than being dropped by it.
                let sends = mode == ReplayMode::Rewind && ["--to", "--all"].contains(&flag[0]);
                if unused_flags(mode).contains(&flag[0]) && !sends {
                    let err = decided.expect_err(&format!("{mode:?} {flag:?} refused"));
                    let text = err.to_string();
                    assert!(matches!(err, error::DlqError::Usage(_)), "exit 2: {text}");
                    assert!(
                        text.starts_with(&format!("{} does not apply to", flag[0])),
                        "{text}"
                    );
                    refused += 1;
                } else if sends {
                    assert_eq!(decided.unwrap(), ReplayMode::Send, "{flag:?}");
                } else {
                    assert_eq!(decided.unwrap(), mode, "{mode:?} takes {flag:?}");
                }
            }
        }
        assert!(refused >= 20, "the pairs refused: {refused}");
    }

    #[test]
    fn the_issue_s_rewind_with_keep_dlq_headers_is_refused() {
        let a = replay_args(&[
            "orders",
            "--since",
            "1h",
            "--group",
            "billing",
            "--keep-dlq-headers",
        ]);
        let err = replay_mode(&a).unwrap_err().to_string();
        assert!(
            err.starts_with("--keep-dlq-headers does not apply to a rewind"),
            "{err}"
        );
    }
}
