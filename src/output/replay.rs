//! How `replay` looks: the plan and the prompt on stderr, a progress bar on stderr when it is a
//! terminal, `--dry-run` lines and the summary on stdout (a JSON document with `-o json`).
//! Keys are redacted like everywhere else; payloads are never printed.

use std::io::{self, IsTerminal, Write};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde::Serialize;

use super::sanitize;
use super::OutputFormat;
use crate::domain::redact::{Masked, Redactor};
use crate::domain::replay::Outgoing;
use crate::domain::view::as_text;
use crate::results::replay::{Failure, Plan, ReplayUi, Skip, Summary, PATCH_PREVIEWS};
use crate::results::Interruption;

fn key_text(key: Option<&[u8]>, redactor: &Redactor) -> String {
    match key {
        None => "-".into(),
        Some(k) => match as_text(k) {
            Some(t) => sanitize(&redactor.redact_text(t, "key", &mut Masked::default())),
            None => format!("<{} bytes>", k.len()),
        },
    }
}

fn partition_text(p: Option<i32>) -> String {
    p.map_or_else(|| "by key".into(), |p| format!("partition {p}"))
}

pub(crate) struct TerminalReplayUi {
    format: OutputFormat,
    quiet: bool,
    redactor: Redactor,
    bar: Option<ProgressBar>,
    out: Box<dyn Write + Send>,
}

impl TerminalReplayUi {
    pub(crate) fn new(format: OutputFormat, quiet: bool, redactor: Redactor) -> Self {
        TerminalReplayUi {
            format,
            quiet,
            redactor,
            bar: None,
            out: Box::new(io::BufWriter::new(io::stdout())),
        }
    }
}

impl ReplayUi for TerminalReplayUi {
    fn plan(&mut self, plan: &Plan) -> io::Result<()> {
        if self.quiet {
            return Ok(());
        }
        let mut e = io::stderr().lock();
        writeln!(
            e,
            "Replay plan for {} ({}): {} entries selected, {} to send, {} to skip",
            sanitize(&plan.topic),
            plan.broker,
            plan.selected,
            plan.to_send(),
            plan.skipped
        )?;
        for (topic, n) in &plan.targets {
            let missing = if plan.missing_targets.contains(topic) {
                "  (topic does not exist: these will be skipped)"
            } else {
                ""
            };
            writeln!(e, "  send {n} to {}{missing}", sanitize(topic))?;
        }
        if let Some(p) = &plan.patch {
            writeln!(
                e,
                "  patch {}: {} changed, {} unchanged (sent as they are), {} failed (skipped)",
                p.id, p.changed, p.unchanged, p.failed
            )?;
        }
        for skip in &plan.skips {
            writeln!(e, "  skip {}: {}", skip.id, sanitize(&skip.reason))?;
        }
        if plan.skipped > plan.skips.len() as u64 {
            writeln!(
                e,
                "  … and {} more skipped",
                plan.skipped - plan.skips.len() as u64
            )?;
        }
        if plan.resumed > 0 {
            writeln!(
                e,
                "  {} entries were sent and confirmed by an earlier run that was cut short (the replay journal): \
                 they are not sent again (dead letters among them are marked handled now)",
                plan.resumed
            )?;
        }
        if !plan.first.is_empty() {
            writeln!(e, "  first entries:")?;
            for p in &plan.first {
                writeln!(
                    e,
                    "    {} → {} ({}), key {}, {} bytes",
                    p.id,
                    sanitize(&p.target),
                    partition_text(p.partition),
                    key_text(p.key.as_deref(), &self.redactor),
                    p.size_bytes
                )?;
            }
        }
        Ok(())
    }

    fn would_send(&mut self, id: &str, out: &Outgoing) -> io::Result<()> {
        // Scripts get the summary alone (JSON or JSON Lines): a dry run's lines are for people.
        if self.format != OutputFormat::Table {
            return Ok(());
        }
        let headers: Vec<String> = out.headers.iter().map(|h| sanitize(&h.name)).collect();
        writeln!(
            self.out,
            "would send {id} → {} ({}), key {}, {} bytes, headers: {}",
            sanitize(&out.topic),
            partition_text(out.partition),
            key_text(out.key.as_deref(), &self.redactor),
            out.payload.as_ref().map_or(0, Vec::len),
            headers.join(", ")
        )
    }

    fn patch_preview(
        &mut self,
        id: &str,
        before: &serde_json::Value,
        after: &serde_json::Value,
    ) -> io::Result<()> {
        if self.format != OutputFormat::Table {
            return Ok(());
        }
        writeln!(
            self.out,
            "patch of {id} (redacted; a dry run shows the first {PATCH_PREVIEWS}):"
        )?;
        for line in patch_diff(before, after, &self.redactor) {
            writeln!(self.out, "  {line}")?;
        }
        Ok(())
    }

    fn canary_waiting(&mut self, sent: u64, seconds: u64) {
        if !self.quiet {
            if let Some(b) = &self.bar {
                b.suspend(|| ());
            }
            super::status(&format!(
                "canary: {sent} sent and confirmed; waiting {seconds}s for any of them to come back to the DLQ"
            ));
        }
    }

    fn confirm_rest(&mut self, rest: u64) -> io::Result<Option<bool>> {
        let bar = self.bar.clone();
        let ask = || {
            super::confirm_on_terminal(&format!(
                "None of the canary entries came back. Replay the other {rest}?"
            ))
        };
        match bar {
            Some(b) => b.suspend(ask),
            None => ask(),
        }
    }

    fn confirm(&mut self, plan: &Plan) -> io::Result<Option<bool>> {
        let topics = plan.targets.len();
        super::confirm_on_terminal(&format!(
            "Replay {} entries to {topics} topic{}?",
            plan.to_send(),
            if topics == 1 { "" } else { "s" }
        ))
    }

    fn progress_start(&mut self, total: u64) {
        if self.quiet || !io::stderr().is_terminal() {
            return;
        }
        // No total: a `--join` member, which learns its share as the group gives it.
        let (len, template) = match total {
            0 => (None, "{spinner} {pos} sent by this member  {rate}"),
            n => (Some(n), "{bar:40} {pos}/{len} sent  {rate}  ETA {eta}"),
        };
        let bar = ProgressBar::with_draw_target(len, ProgressDrawTarget::stderr());
        bar.set_style(super::with_whole_rate(
            ProgressStyle::with_template(template).unwrap_or_else(|_| ProgressStyle::default_bar()),
        ));
        self.bar = Some(bar);
    }

    fn progress(&mut self, done: u64) {
        if let Some(b) = &self.bar {
            b.set_position(done);
        }
    }

    fn progress_finish(&mut self) {
        if let Some(b) = self.bar.take() {
            b.finish_and_clear();
        }
    }

    fn interruption(&mut self) -> Interruption {
        super::ctrl_c()
    }
}

/// A payload before and after a patch as a unified diff of its pretty JSON, both sides
/// redacted with the same rules (a secret never shows, changed or not).
pub(crate) fn patch_diff(
    before: &serde_json::Value,
    after: &serde_json::Value,
    redactor: &Redactor,
) -> Vec<String> {
    let shown = |v: &serde_json::Value| {
        let mut v = v.clone();
        redactor.redact_json(&mut v, "payload", &mut Masked::default());
        serde_json::to_string_pretty(&v).unwrap_or_default() + "\n"
    };
    let (a, b) = (shown(before), shown(after));
    let diff = similar::TextDiff::from_lines(&a, &b);
    let mut lines = Vec::new();
    for hunk in diff.unified_diff().context_radius(2).iter_hunks() {
        lines.push(hunk.header().to_string());
        for change in hunk.iter_changes() {
            let sign = match change.tag() {
                similar::ChangeTag::Delete => '-',
                similar::ChangeTag::Insert => '+',
                similar::ChangeTag::Equal => ' ',
            };
            lines.push(format!(
                "{sign}{}",
                sanitize(change.value().trim_end_matches('\n'))
            ));
        }
    }
    lines
}

#[derive(Serialize)]
struct CanaryJson<'a> {
    sent: u64,
    waited_seconds: u64,
    returned: &'a [String],
}

#[derive(Serialize)]
struct PatchJson<'a> {
    id: &'a str,
    changed: u64,
    unchanged: u64,
    failed: u64,
}

#[derive(Serialize)]
struct TargetJson {
    planned: u64,
    sent: u64,
    failed: u64,
}

#[derive(Serialize)]
struct SummaryJson<'a> {
    topic: &'a str,
    dry_run: bool,
    interrupted: bool,
    selected: u64,
    sent: u64,
    skipped: u64,
    failed: u64,
    /// Sent, but the broker went away before confirming them.
    unconfirmed: u64,
    /// Planned, but not sent because the broker went away.
    not_sent: u64,
    /// Confirmed by an earlier run that was cut short (the journal): not sent again.
    resumed: u64,
    /// What dlq was doing when the broker went away (exit 4); null otherwise.
    lost: Option<String>,
    /// The replay journal kept for a rerun; null otherwise.
    journal: Option<String>,
    targets: std::collections::BTreeMap<&'a str, TargetJson>,
    skips: &'a [Skip],
    failures: &'a [Failure],
    warnings: &'a [String],
    /// `--patch`: what it made of the entries planned; null without one.
    patch: Option<PatchJson<'a>>,
    /// `--canary`: the canaries sent, how long dlq waited, which came back; null without one
    /// (or before the canaries were all sent).
    canary: Option<CanaryJson<'a>>,
    /// `--join`: this member's id in the operator group; absent without --join.
    #[serde(skip_serializing_if = "Option::is_none")]
    member_id: Option<&'a str>,
    /// `--join`: the partitions this member held at some point; absent without --join.
    #[serde(skip_serializing_if = "Option::is_none")]
    partitions: Option<&'a [String]>,
    /// `--join`: entries sent from partitions another member had started.
    #[serde(skip_serializing_if = "Option::is_none")]
    taken_over: Option<u64>,
    /// `--join`: the run this member took part in, and the group protocol it joined with.
    #[serde(skip_serializing_if = "Option::is_none")]
    join_run: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    group_protocol: Option<&'a str>,
}

/// Prints the summary: human text, or one JSON document with `-o json`/`jsonl`.
pub(crate) fn summary(
    format: OutputFormat,
    s: &Summary,
    ui: &mut TerminalReplayUi,
) -> io::Result<()> {
    let out = &mut ui.out;
    if format != OutputFormat::Table {
        let doc = SummaryJson {
            topic: &s.topic,
            dry_run: s.dry_run,
            interrupted: s.interrupted,
            selected: s.selected,
            sent: s.sent,
            skipped: s.skipped,
            failed: s.failed,
            unconfirmed: s.unconfirmed,
            not_sent: s.not_sent,
            resumed: s.resumed,
            lost: s.lost.as_ref().map(ToString::to_string),
            journal: s.journal.as_ref().map(|p| p.display().to_string()),
            targets: s
                .targets
                .iter()
                .map(|(t, c)| {
                    (
                        t.as_str(),
                        TargetJson {
                            planned: c.planned,
                            sent: c.sent,
                            failed: c.failed,
                        },
                    )
                })
                .collect(),
            skips: &s.skips,
            failures: &s.failures,
            warnings: &s.warnings,
            canary: s.canary.as_ref().map(|c| CanaryJson {
                sent: c.sent,
                waited_seconds: c.waited_seconds,
                returned: &c.returned,
            }),
            patch: s.patch.as_ref().map(|p| PatchJson {
                id: &p.id,
                changed: p.changed,
                unchanged: p.unchanged,
                failed: p.failed,
            }),
            member_id: s.join.as_ref().map(|j| j.member_id.as_str()),
            partitions: s.join.as_ref().map(|j| j.partitions.as_slice()),
            taken_over: s.join.as_ref().map(|j| j.taken_over),
            join_run: s.join.as_ref().map(|j| j.run),
            group_protocol: s.join.as_ref().map(|j| j.protocol.as_str()),
        };
        return super::json::document(format, out, &doc);
    }
    if s.dry_run {
        let planned: u64 = s.targets.values().map(|c| c.planned).sum();
        writeln!(
            out,
            "Dry run: nothing was sent. {planned} entries would be sent, {} skipped.",
            s.skipped
        )?;
        if let Some(p) = &s.patch {
            writeln!(
                out,
                "  patch {}: {} changed, {} unchanged, {} failed",
                p.id, p.changed, p.unchanged, p.failed
            )?;
        }
        return out.flush();
    }
    writeln!(
        out,
        "{}{} entries selected in {}: {} sent, {} skipped, {} failed",
        if s.interrupted {
            "Interrupted. "
        } else if s.lost.is_some() {
            "Broker lost. "
        } else {
            ""
        },
        s.selected,
        sanitize(&s.topic),
        s.sent,
        s.skipped,
        s.failed
    )?;
    if s.lost.is_some() {
        writeln!(
            out,
            "  {} sent without confirmation (they may arrive twice on a rerun), {} not sent",
            s.unconfirmed, s.not_sent
        )?;
    }
    if s.resumed > 0 {
        writeln!(
            out,
            "  {} already sent and confirmed by an earlier run that was cut short: not sent again",
            s.resumed
        )?;
    }
    if let Some(j) = &s.join {
        // Pulsar's members are Failover consumers of the operator subscription.
        let of = if j.protocol == "failover" {
            format!(
                "the operator subscription (run {}, a Failover consumer)",
                j.run
            )
        } else {
            format!(
                "the operator group (run {}, {} protocol)",
                j.run, j.protocol
            )
        };
        writeln!(
            out,
            "  member {} of {of}: partitions {}; {} entries taken over from other members",
            sanitize(&j.member_id),
            if j.partitions.is_empty() {
                "none".to_string()
            } else {
                sanitize(&j.partitions.join(", "))
            },
            j.taken_over
        )?;
    }
    if let Some(c) = &s.canary {
        if c.returned.is_empty() {
            writeln!(
                out,
                "  canary: {} sent first, none back in the DLQ after {}s",
                c.sent, c.waited_seconds
            )?;
        } else {
            writeln!(
                out,
                "  canary: {} sent first, {} back in the DLQ within {}s: {}; the other {} not sent",
                c.sent,
                c.returned.len(),
                c.waited_seconds,
                sanitize(&c.returned.join(", ")),
                s.not_sent
            )?;
        }
    }
    for (t, c) in &s.targets {
        writeln!(
            out,
            "  {}: {} sent, {} failed (of {} planned)",
            sanitize(t),
            c.sent,
            c.failed,
            c.planned
        )?;
    }
    for skip in &s.skips {
        writeln!(out, "  skipped {}: {}", skip.id, sanitize(&skip.reason))?;
    }
    for f in &s.failures {
        writeln!(
            out,
            "  failed {} → {}: {}",
            f.id,
            sanitize(&f.target),
            sanitize(&f.reason)
        )?;
    }
    out.flush()?;
    super::warn_all(&s.warnings);
    Ok(())
}
