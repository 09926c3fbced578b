//! What `replay` and `replay --from-file` (restore) share once they know what to send: the
//! plan shown and confirmed, the window of deliveries in flight, each confirmation counted,
//! journaled and (for a DLQ) marked, and a broker lost turned into a summary that says what is
//! where.

use std::collections::VecDeque;
use std::path::PathBuf;
use std::time::Duration;

use tokio::time::Instant;

use super::journal::Journal;
use crate::broker::{self, BrokerUrl, ConnectConfig, Delivery, DlqReader, Publisher};
use crate::domain::decode::Decoder;
use crate::domain::entry::{EntryId, Header};
use crate::domain::patch::{patch_payload, Patch, Patched, PATCHED};
use crate::domain::replay::{Outgoing, ReplayOptions};
use crate::error::{DlqError, Unreachable};
use crate::registry::RegistryConfig;
use crate::results::replay::{
    Failure, PatchCounts, Plan, Planned, ReplayUi, Skip, Summary, TargetCount, PATCH_PREVIEWS,
};
use crate::{cli, settings};

/// Deliveries awaiting confirmation at once: bounds memory, keeps the pipe full. 256 capped the
/// sending pass on tansu (the stand-in used before) at ~33,000 entries/s, 1,024 lets it run about three times faster
/// (docs/BENCHMARKS.md); 1,024 copies of a dead letter are a few MB.
pub(in crate::commands) const WINDOW: usize = 1024;
/// How often marks are made durable during a run.
pub(in crate::commands) const CHECKPOINT_EVERY: Duration = Duration::from_secs(1);
/// How many planned entries the plan shows, and how many skips and failures a summary lists.
pub(crate) const SHOWN: usize = 5;
pub(in crate::commands) const LISTED: usize = 100;

/// How to send, whatever is sent: where, with which options, how fast, asked or not.
pub(crate) struct Sending {
    pub connect: ConnectConfig,
    pub options: ReplayOptions,
    /// Messages per second at most.
    pub rate: Option<u32>,
    pub dry_run: bool,
    pub yes: bool,
    /// Where the replay journal is kept (`journal::Journal::default_dir`); `None`: nowhere.
    pub journal_dir: Option<PathBuf>,
    /// The only targets allowed (globs: `--allow-target`, a context's `replay-targets`); empty:
    /// any.
    pub allowed_targets: Vec<String>,
    /// `--patch`/`--patch-file` (or `dlq edit`'s saved value): applied to every payload sent.
    pub patch: Option<std::sync::Arc<Patch>>,
    /// How a patch reads payloads (`--value-schema`, and whether a registry is there); the
    /// registry's schemas are fetched into a copy of it as entries need them.
    pub decoder: Decoder,
    pub registry: Option<RegistryConfig>,
    /// With a registry: each copy must be readable with its target's latest `TOPIC-value`
    /// schema (`--no-schema-check`: off).
    pub schema_check: bool,
}

impl Sending {
    /// The pause between two sends under `--rate`.
    pub(in crate::commands) fn interval(&self) -> Option<Duration> {
        self.rate
            .map(|r| Duration::from_secs_f64(1.0 / f64::from(r.max(1))))
    }
}

impl Sending {
    /// How `replay` (and `replay --from-file`) sends, from its arguments.
    pub(crate) fn from_args(a: &cli::ReplayArgs) -> anyhow::Result<Self> {
        if a.rate == Some(0) {
            return Err(DlqError::Usage("--rate must be at least 1".into()).into());
        }
        let decode = decode_args(a)?;
        Ok(Sending {
            connect: settings::connect(&a.connect)?,
            options: ReplayOptions {
                to: a.to.clone(),
                keep_partition: a.keep_partition,
                keep_dlq_headers: a.keep_dlq_headers,
                max_replays: a.max_replays.unwrap_or(crate::domain::replay::MAX_REPLAYS),
            },
            rate: a.rate,
            dry_run: a.confirm.dry_run,
            yes: a.confirm.yes,
            journal_dir: Journal::default_dir(),
            allowed_targets: [a.allow_targets.as_slice(), a.context_targets.as_slice()].concat(),
            patch: patch_of(a)?.map(std::sync::Arc::new),
            decoder: settings::decoder(&decode)?,
            registry: settings::registry(&decode, settings::connect(&a.connect)?.timeout)?,
            schema_check: !a.no_schema_check,
        })
    }
}

/// The payload-reading flags of `replay` as the decoding flags of every command.
fn decode_args(a: &cli::ReplayArgs) -> Result<cli::DecodeArgs, DlqError> {
    let kafka = matches!(
        settings::connect(&a.connect).map(|c| c.url),
        Ok(BrokerUrl::Kafka { .. })
    );
    if a.no_schema_check && a.schema_registry.is_none() && kafka {
        return Err(DlqError::Usage(
            "--no-schema-check turns off the check against the schema registry; no \
             --schema-registry (or DLQ_SCHEMA_REGISTRY) is given, so there is none to turn off"
                .into(),
        ));
    }
    if a.patch.is_none() && a.patch_file.is_none() && a.value_schema.is_some() {
        return Err(DlqError::Usage(
            "--value-schema tells --patch how payloads are written; without --patch replay sends \
             payloads as they are"
                .into(),
        ));
    }
    Ok(cli::DecodeArgs {
        decode: None,
        value_schema: a.value_schema.clone(),
        key_schema: None,
        schema_registry: a.schema_registry.clone(),
        schema_registry_user: a.schema_registry_user.clone(),
        schema_registry_password_file: a.schema_registry_password_file.clone(),
    })
}

/// `--patch EXPR` or `--patch-file FILE`, compiled (a usage error, exit 2, when it does not).
fn patch_of(a: &cli::ReplayArgs) -> anyhow::Result<Option<Patch>> {
    let patch = match (&a.patch, &a.patch_file) {
        (Some(code), _) => Patch::jq(code),
        (None, Some(file)) => {
            let text = std::fs::read_to_string(file)
                .map_err(|e| DlqError::Usage(format!("--patch-file {}: {e}", file.display())))?;
            Patch::from_file_text(&text)
        }
        (None, None) => return Ok(None),
    };
    Ok(Some(patch.map_err(DlqError::Usage)?))
}

/// `--patch` on a message about to be sent: its payload repaired and marked `dlq-patched`, or
/// the reason it cannot be sent (never half-made). The patch's outcome comes along for the plan.
/// `schema_version`: the Pulsar topic schema the payload was written with, if any (its schema
/// fetched into `decoder`).
pub(in crate::commands) fn patch_outgoing(
    s: &Sending,
    decoder: &Decoder,
    mut out: Outgoing,
    schema_version: Option<&[u8]>,
) -> Result<(Outgoing, Option<Patched>), String> {
    let Some(patch) = &s.patch else {
        return Ok((out, None));
    };
    match patch_payload(patch, out.payload.as_deref(), decoder, schema_version) {
        Patched::Failed(why) => Err(format!("--patch: {why}")),
        Patched::Unchanged => Ok((out, Some(Patched::Unchanged))),
        changed @ Patched::Changed { .. } => {
            if let Patched::Changed { payload, .. } = &changed {
                out.payload = Some(payload.clone());
            }
            out.headers.retain(|h| h.name != PATCHED);
            out.headers.push(Header::new(PATCHED, patch.id.clone()));
            Ok((out, Some(changed)))
        }
    }
}

/// One line of the plan: what `id` becomes.
pub(in crate::commands) fn planned(id: String, out: &Outgoing) -> Planned {
    Planned {
        id,
        target: out.topic.clone(),
        partition: out.partition,
        key: out.key.clone(),
        size_bytes: out.payload.as_ref().map_or(0, |p| p.len() as u64),
    }
}

/// Why an entry's copy is not sent.
pub(in crate::commands) enum Refusal {
    /// `--patch` failed on it.
    Patch(String),
    /// The target's schema cannot read it.
    Schema(String),
}

/// What becomes of an entry's copy on its way out: patched (`--patch`), then checked against
/// the target topic's latest registry schema (unless `--no-schema-check`). Registry schemas are
/// fetched once a run.
pub(in crate::commands) struct Preparing {
    sources: super::decoding::Sources,
    decoder: Decoder,
    /// `TOPIC-value`'s latest schema and its id, per target; `None`: the subject does not exist.
    latest: std::collections::HashMap<String, Option<(u32, crate::domain::decode::Served)>>,
    registry: Option<crate::registry::Registry>,
    /// The broker's own schema of each target (Pulsar), unless `--no-schema-check`.
    topic_schemas:
        Option<std::collections::HashMap<String, Option<crate::domain::decode::TopicSchema>>>,
}

impl Preparing {
    pub(in crate::commands) fn new(s: &Sending) -> anyhow::Result<Preparing> {
        Ok(Preparing {
            sources: super::decoding::Sources::new(s.registry.as_ref())?,
            decoder: s.decoder.clone(),
            latest: Default::default(),
            registry: match (&s.registry, s.schema_check) {
                (Some(r), true) => Some(crate::registry::Registry::new(r.clone())?),
                _ => None,
            },
            topic_schemas: s.schema_check.then(Default::default),
        })
    }

    /// Teaches the decoder the registry schema `payload` names, if it names one.
    async fn learn(&mut self, payload: Option<&[u8]>) {
        let record = crate::domain::entry::Record::of_payload(payload);
        self.sources
            .prepare(&mut self.decoder, &record, async |_, _| Err(String::new()))
            .await;
    }

    /// `out` (the copy of `source`, which `reader` read; none for a file) patched and checked,
    /// or why it is not sent. A registry that cannot be reached is an error of the run, not a
    /// pass.
    pub(in crate::commands) async fn prepare(
        &mut self,
        s: &Sending,
        broker: &mut dyn broker::Broker,
        mut reader: Option<&mut dyn DlqReader>,
        source: &crate::domain::entry::Record,
        out: Outgoing,
    ) -> anyhow::Result<Result<(Outgoing, Option<Patched>), Refusal>> {
        // The patch reads the payload as it was written: with the registry schema it names, or
        // the Pulsar topic schema version its message carries.
        let version = source.schema_version.as_deref().filter(|v| !v.is_empty());
        if s.patch.is_some() {
            let record = crate::domain::entry::Record {
                schema_version: version.map(<[u8]>::to_vec),
                ..crate::domain::entry::Record::of_payload(out.payload.as_deref())
            };
            let topic = source.topic.clone();
            self.sources
                .prepare(&mut self.decoder, &record, async |_, v| match &mut reader {
                    Some(reader) => reader.topic_schema(&topic, v).await,
                    None => Err("no topic to ask for its schema".into()),
                })
                .await;
        }
        let (out, patched) = match patch_outgoing(s, &self.decoder, out, version) {
            Ok(ok) => ok,
            Err(why) => return Ok(Err(Refusal::Patch(why))),
        };
        if let Some(known) = &mut self.topic_schemas {
            if !known.contains_key(&out.topic) {
                let schema = broker.target_schema(&out.topic).await.map_err(|e| {
                    e.context(format!(
                        "reading the schema of target topic '{}' to check what is sent \
                         (--no-schema-check skips it on purpose)",
                        out.topic
                    ))
                })?;
                known.insert(out.topic.clone(), schema);
            }
            if let Some(Some(schema)) = known.get(&out.topic) {
                let payload = out.payload.as_deref().unwrap_or_default();
                if let Err(why) = schema.reads(payload) {
                    return Ok(Err(Refusal::Schema(format!(
                        "not readable with the schema of topic '{}' (--no-schema-check to send anyway): {why}",
                        out.topic
                    ))));
                }
            }
        }
        let Some(registry) = &self.registry else {
            return Ok(Ok((out, patched)));
        };
        let subject = format!("{}-value", out.topic);
        if !self.latest.contains_key(&out.topic) {
            let latest = registry.latest(&subject).await.map_err(|e| {
                anyhow::anyhow!(
                    "checking payloads against {subject} (--no-schema-check skips it on purpose): {e}"
                )
            })?;
            self.latest.insert(out.topic.clone(), latest);
        }
        let Some(Some((id, latest))) = self.latest.get(&out.topic).cloned() else {
            return Ok(Ok((out, patched)));
        };
        self.learn(out.payload.as_deref()).await;
        let payload = out.payload.as_deref().unwrap_or_default();
        Ok(match self.decoder.readable_with(payload, id, &latest) {
            Ok(()) => Ok((out, patched)),
            Err(why) => Err(Refusal::Schema(format!(
                "not readable with {subject}'s latest schema (id {id}): {why}"
            ))),
        })
    }
}

/// Counts `out` in the plan (shown if among the first, listed if a dry run), patched first
/// with `--patch` (an entry the patch fails on is a skip).
pub(in crate::commands) fn add_to_plan(
    plan: &mut Plan,
    s: &Sending,
    ui: &mut dyn ReplayUi,
    id: String,
    prepared: Result<(Outgoing, Option<Patched>), Refusal>,
) -> anyhow::Result<()> {
    if let Some(patch) = &s.patch {
        let counts = plan.patch.get_or_insert_with(|| PatchCounts {
            id: patch.id.clone(),
            ..PatchCounts::default()
        });
        match &prepared {
            Err(Refusal::Patch(_)) => counts.failed += 1,
            Ok((_, Some(Patched::Changed { before, after, .. }))) => {
                counts.changed += 1;
                if s.dry_run && counts.changed <= PATCH_PREVIEWS {
                    ui.patch_preview(&id, before, after)?;
                }
            }
            Ok(_) => counts.unchanged += 1,
            // Counted in the skips: what the patch made of it does not matter then.
            Err(Refusal::Schema(_)) => {}
        }
    }
    let out = match prepared {
        Ok((out, _)) => out,
        Err(Refusal::Patch(why) | Refusal::Schema(why)) => {
            skip_in_plan(plan, id, why);
            return Ok(());
        }
    };
    if s.dry_run {
        ui.would_send(&id, &out)?;
    }
    if plan.first.len() < SHOWN {
        plan.first.push(planned(id, &out));
    }
    *plan.targets.entry(out.topic).or_default() += 1;
    Ok(())
}

/// A skip in the plan.
pub(in crate::commands) fn skip_in_plan(plan: &mut Plan, id: String, why: String) {
    plan.skipped += 1;
    if plan.skips.len() < LISTED {
        plan.skips.push(Skip { id, reason: why });
    }
}

pub(in crate::commands) enum Go {
    /// A dry run, or nothing to send: the summary of the plan.
    Stop(Summary),
    /// Confirmed: the summary to fill while sending.
    Execute(Summary),
}

/// Marks targets that do not exist, shows the plan and asks (unless `--yes`).
pub(in crate::commands) async fn present(
    broker: &mut dyn broker::Broker,
    s: &Sending,
    plan: &mut Plan,
    ui: &mut dyn ReplayUi,
) -> anyhow::Result<Go> {
    refuse_unallowed(s, plan)?;
    if let Some(patch) = &s.patch {
        plan.patch.get_or_insert_with(|| PatchCounts {
            id: patch.id.clone(),
            ..PatchCounts::default()
        });
    }
    for target in plan.targets.keys() {
        if broker.topic_exists(target).await? == Some(false) {
            plan.missing_targets.insert(target.clone());
        }
    }
    ui.plan(plan)?;
    let mut summary = summary_of(plan, s.dry_run);
    // Entries an earlier run sent and had confirmed, but could not mark (the journal), are marked
    // by the send pass even when nothing is left to send: stopping here would leave them
    // unhandled for good.
    if s.dry_run || (plan.to_send() == 0 && plan.resumed == 0) {
        return Ok(Go::Stop(summary));
    }
    if plan.to_send() > 0 {
        confirm(s, plan, ui)?;
    }
    // The plan's skips (and resumed entries) are counted again while sending.
    summary.skipped = 0;
    summary.skips.clear();
    Ok(Go::Execute(summary))
}

/// A target outside the allowed ones is refused before anything is sent (exit 2).
fn refuse_unallowed(s: &Sending, plan: &Plan) -> anyhow::Result<()> {
    if s.allowed_targets.is_empty() {
        return Ok(());
    }
    let refused: Vec<&str> = plan
        .targets
        .keys()
        .map(String::as_str)
        .filter(|t| {
            !s.allowed_targets
                .iter()
                .any(|p| crate::domain::topics::glob_match(p, t))
        })
        .collect();
    if refused.is_empty() {
        return Ok(());
    }
    Err(DlqError::Usage(format!(
        "replay may not send to {} (allowed: {}; --allow-target or the context's replay-targets); nothing was sent",
        refused
            .iter()
            .map(|t| format!("'{t}'"))
            .collect::<Vec<_>>()
            .join(", "),
        s.allowed_targets.join(", ")
    ))
    .into())
}

fn confirm(s: &Sending, plan: &Plan, ui: &mut dyn ReplayUi) -> anyhow::Result<()> {
    if s.yes {
        return Ok(());
    }
    match ui.confirm(plan)? {
        Some(true) => Ok(()),
        Some(false) => Err(DlqError::Declined("replay declined; nothing was sent".into()).into()),
        None => Err(DlqError::Declined(format!(
            "replaying {} entries needs confirmation and there is no terminal to ask on; pass -y/--yes",
            plan.to_send()
        ))
        .into()),
    }
}

fn summary_of(plan: &Plan, dry_run: bool) -> Summary {
    Summary {
        topic: plan.topic.clone(),
        dry_run,
        selected: plan.selected,
        skipped: plan.skipped,
        skips: plan.skips.clone(),
        resumed: if dry_run { plan.resumed } else { 0 },
        patch: plan.patch.clone(),
        targets: plan
            .targets
            .iter()
            .map(|(t, n)| {
                (
                    t.clone(),
                    TargetCount {
                        planned: *n,
                        ..Default::default()
                    },
                )
            })
            .collect(),
        ..Summary::default()
    }
}

/// A delivery under way: the entry to mark when confirmed (none for a restore), how the
/// summary and the journal name it, and its target.
pub(in crate::commands) struct Pending {
    pub(in crate::commands) id: Option<EntryId>,
    pub(in crate::commands) label: String,
    pub(in crate::commands) target: String,
    pub(in crate::commands) delivery: Delivery,
}

/// A run of deliveries: the window in flight, the summary it fills, the journal of what the
/// broker confirmed. `marks` is the DLQ an entry is marked handled in once its copy is
/// confirmed; a restore has none (a file is not a queue).
pub(in crate::commands) struct Run<'a> {
    pub(in crate::commands) window: VecDeque<Pending>,
    pub(in crate::commands) summary: &'a mut Summary,
    pub(in crate::commands) done: u64,
    /// How long the oldest delivery may go unconfirmed before the broker counts as gone.
    pub(in crate::commands) timeout: Duration,
    pub(in crate::commands) journal: &'a mut Journal,
}

impl<'a> Run<'a> {
    pub(in crate::commands) fn new(
        summary: &'a mut Summary,
        journal: &'a mut Journal,
        timeout: Duration,
    ) -> Self {
        Run {
            window: VecDeque::new(),
            summary,
            done: 0,
            timeout,
            journal,
        }
    }

    /// Sends `out` and puts its delivery in the window; a refusal is counted as a failure, a
    /// broker lost is returned.
    pub(in crate::commands) async fn send(
        &mut self,
        publisher: &mut dyn Publisher,
        mut marks: Option<&mut dyn DlqReader>,
        id: Option<EntryId>,
        label: String,
        out: Outgoing,
    ) -> anyhow::Result<()> {
        let target = out.topic.clone();
        if let (Some(r), Some(id)) = (reborrow(&mut marks), id) {
            r.track_pending(id);
        }
        match publisher.send(out).await {
            Ok(delivery) => self.window.push_back(Pending {
                id,
                label,
                target,
                delivery,
            }),
            Err(e) if is_lost(&e) => {
                if let (Some(r), Some(id)) = (marks, id) {
                    r.track_unhandled(id);
                }
                return Err(e);
            }
            Err(e) => self.failed(marks, id, label, target, format!("{e:#}")),
        }
        Ok(())
    }

    /// A skipped entry: counted, listed, and left unhandled.
    pub(in crate::commands) fn skipped(
        &mut self,
        marks: Option<&mut dyn DlqReader>,
        id: Option<EntryId>,
        label: String,
        why: String,
    ) {
        if let (Some(r), Some(id)) = (marks, id) {
            r.track_unhandled(id);
        }
        self.summary.skipped += 1;
        if self.summary.skips.len() < LISTED {
            self.summary.skips.push(Skip {
                id: label,
                reason: why,
            });
        }
    }
}

pub(in crate::commands) use crate::error::is_unreachable as is_lost;

/// `marks` again for one call, leaving it usable after.
fn reborrow<'b>(marks: &'b mut Option<&mut dyn DlqReader>) -> Option<&'b mut dyn DlqReader> {
    match marks {
        Some(r) => Some(&mut **r),
        None => None,
    }
}

impl Run<'_> {
    /// Settles up to `at_most` deliveries in send order, stopping early (with a deadline) at
    /// the first one not confirmed by then. A deadline in the past settles only what is
    /// already complete. Without a deadline the oldest delivery is waited for at most the
    /// timeout: then the broker counts as gone (`DlqError::Unreachable`).
    /// Every delivery under way settled and marked, then the marks made durable: the journal,
    /// then the broker's (`checkpoint`). `doing` names the step an error came from.
    pub(in crate::commands) async fn save_all(
        &mut self,
        reader: &mut dyn DlqReader,
        ui: &mut dyn ReplayUi,
        doing: &mut &'static str,
    ) -> anyhow::Result<()> {
        *doing = "waiting for delivery confirmations";
        self.settle_until(Some(&mut *reader), ui, None, usize::MAX)
            .await?;
        *doing = "saving what was handled";
        self.journal.flush()?;
        reader.checkpoint().await
    }

    pub(in crate::commands) async fn settle_until(
        &mut self,
        mut marks: Option<&mut dyn DlqReader>,
        ui: &mut dyn ReplayUi,
        deadline: Option<Instant>,
        at_most: usize,
    ) -> anyhow::Result<()> {
        for _ in 0..at_most {
            let Some(Pending { delivery, .. }) = self.window.front_mut() else {
                break;
            };
            let result = match deadline {
                // Already due: look once, without a timer. tokio rounds a timer up to its next
                // millisecond tick, so a timeout that is already due still waits ~1 ms, which
                // capped replay at ~700 entries/s (found with scripts/bench.sh).
                Some(d) if d <= Instant::now() => {
                    match futures::FutureExt::now_or_never(&mut *delivery) {
                        Some(r) => r,
                        None => return Ok(()),
                    }
                }
                // The delivery is polled before the deadline is checked.
                Some(d) => match tokio::time::timeout_at(d, delivery).await {
                    Ok(r) => r,
                    Err(_) => return Ok(()),
                },
                None => match tokio::time::timeout(self.timeout, delivery).await {
                    Ok(r) => r,
                    Err(_) => {
                        return Err(Unreachable::no_answer(self.timeout)
                            .why("no delivery confirmed")
                            .into())
                    }
                },
            };
            let p = self.window.pop_front().expect("front exists");
            self.settle(reborrow(&mut marks), ui, p, result).await?;
        }
        Ok(())
    }

    /// Counts one delivery's outcome; a confirmed entry is journaled and marked handled.
    async fn settle(
        &mut self,
        marks: Option<&mut dyn DlqReader>,
        ui: &mut dyn ReplayUi,
        p: Pending,
        result: anyhow::Result<()>,
    ) -> anyhow::Result<()> {
        self.done += 1;
        ui.progress(self.done);
        match result {
            Ok(()) => {
                tracing::debug!(id = %p.label, target = %p.target, status = "sent", "entry");
                self.summary.sent += 1;
                self.summary.targets.entry(p.target).or_default().sent += 1;
                self.journal.confirmed(p.label);
                if let (Some(r), Some(id)) = (marks, p.id) {
                    r.mark_handled(id).await?;
                }
            }
            Err(e) if is_lost(&e) => {
                if let (Some(r), Some(id)) = (marks, p.id) {
                    r.track_unhandled(id);
                }
                self.summary.unconfirmed += 1;
                return Err(e);
            }
            Err(e) => self.failed(marks, p.id, p.label, p.target, format!("{e:#}")),
        }
        Ok(())
    }

    /// The broker went away: what is confirmed already is counted (and journaled; marking it
    /// on the broker would wait for the broker), everything else in flight is unconfirmed.
    fn settle_after_loss(&mut self, mut marks: Option<&mut dyn DlqReader>) {
        while let Some(mut p) = self.window.pop_front() {
            match futures::FutureExt::now_or_never(&mut p.delivery) {
                Some(Ok(())) => {
                    self.summary.sent += 1;
                    self.summary.targets.entry(p.target).or_default().sent += 1;
                    self.journal.confirmed(p.label);
                }
                Some(Err(e)) if !is_lost(&e) => self.failed(
                    reborrow(&mut marks),
                    p.id,
                    p.label,
                    p.target,
                    format!("{e:#}"),
                ),
                _ => {
                    if let (Some(r), Some(id)) = (reborrow(&mut marks), p.id) {
                        r.track_unhandled(id);
                    }
                    self.summary.unconfirmed += 1;
                }
            }
        }
    }

    /// Ends a run the broker cut short: the summary says what was doing and what is where, the
    /// journal keeps what was confirmed, and nothing waits for the broker any more (the
    /// reader's and publisher's clients are let go unclosed: closing would wait for it).
    pub(in crate::commands) fn lost(
        &mut self,
        broker: &BrokerUrl,
        doing: &str,
        e: &anyhow::Error,
        planned: u64,
        reader: Option<Box<dyn DlqReader>>,
        publisher: Option<Box<dyn Publisher>>,
    ) {
        self.settle_after_loss(None);
        std::mem::forget(reader);
        std::mem::forget(publisher);
        let s = &mut *self.summary;
        s.not_sent = planned.saturating_sub(s.sent + s.failed + s.unconfirmed + s.skipped);
        s.lost = Some(Unreachable::of(e, broker.described(), doing));
        match self.journal.flush() {
            Ok(()) if self.journal.is_kept() => {
                s.journal = Some(self.journal.path().to_path_buf());
            }
            Ok(()) => {}
            Err(e) => s.warnings.push(format!(
                "the replay journal could not be written ({e:#}): a rerun sends again what this run sent"
            )),
        }
    }

    fn failed(
        &mut self,
        marks: Option<&mut dyn DlqReader>,
        id: Option<EntryId>,
        label: String,
        target: String,
        why: String,
    ) {
        if let (Some(r), Some(id)) = (marks, id) {
            r.track_unhandled(id);
        }
        self.summary.failed += 1;
        if self.summary.failures.len() < LISTED {
            self.summary.failures.push(Failure {
                id: label,
                target: target.clone(),
                reason: why,
            });
        }
        self.summary.targets.entry(target).or_default().failed += 1;
    }
}
