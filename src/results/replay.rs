//! What `replay` reports: its plan, its summary and how it talks to the person (or script)
//! running it. The command fills them; the output layer shows them.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use crate::domain::entry::{EntryId, Partition};
use crate::domain::replay::Outgoing;
use crate::error::{DlqError, Unreachable};
use crate::results::Interruption;

/// One entry the plan shows.
#[derive(Debug, Clone)]
pub(crate) struct Planned {
    pub id: String,
    pub target: String,
    pub partition: Option<i32>,
    pub key: Option<Vec<u8>>,
    pub size_bytes: u64,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct Plan {
    pub topic: String,
    pub broker: String,
    /// Entries the selection matched.
    pub selected: u64,
    /// Per target topic, entries to send.
    pub targets: BTreeMap<String, u64>,
    pub skipped: u64,
    /// The first skips, with reasons.
    pub skips: Vec<Skip>,
    /// The first entries to send.
    pub first: Vec<Planned>,
    /// Per partition, the last entry read: pass 2 stops there.
    pub(crate) ends: BTreeMap<Partition, EntryId>,
    /// Targets the broker says do not exist.
    pub missing_targets: BTreeSet<String>,
    /// Entries an earlier run sent and had confirmed before the broker went away (the replay
    /// journal): marked handled, not sent again.
    pub resumed: u64,
    /// `--patch`: what the patch made of the entries planned.
    pub patch: Option<PatchCounts>,
}

/// `--canary N`: the first N copies were sent, confirmed and given time; these came back to the
/// DLQ (new dead letters carrying a canary's `dlq-replay-of`), and the rest was not sent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct CanaryOutcome {
    pub sent: u64,
    pub waited_seconds: u64,
    /// `NEW-ID (copy of DLQ@ID)` for each dead letter that came back.
    pub returned: Vec<String>,
}

/// How many patched entries a dry run shows before and after.
pub(crate) const PATCH_PREVIEWS: u64 = 3;

/// What a patch made of the entries: changed (sent repaired, marked `dlq-patched`), unchanged
/// (sent as they were), failed (skipped, with the reason).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct PatchCounts {
    /// The patch's `dlq-patched` value.
    pub id: String,
    pub changed: u64,
    pub unchanged: u64,
    pub failed: u64,
}

impl Plan {
    pub(crate) fn to_send(&self) -> u64 {
        self.targets.values().sum()
    }
}

#[derive(Debug, Clone, Default)]
pub(crate) struct TargetCount {
    pub planned: u64,
    pub sent: u64,
    pub failed: u64,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct Summary {
    pub topic: String,
    pub dry_run: bool,
    pub selected: u64,
    pub sent: u64,
    pub skipped: u64,
    pub failed: u64,
    pub targets: BTreeMap<String, TargetCount>,
    pub skips: Vec<Skip>,
    pub failures: Vec<Failure>,
    pub warnings: Vec<String>,
    pub interrupted: bool,
    /// Sent, but the broker went away before confirming them: they may have been written, and
    /// a rerun sends them again.
    pub unconfirmed: u64,
    /// Planned but not sent because the broker went away.
    pub not_sent: u64,
    /// Confirmed by an earlier run that the broker cut short (the replay journal): marked
    /// handled now, not sent again.
    pub resumed: u64,
    /// The broker went away: what dlq was doing, and the broker's words (exit 4).
    pub lost: Option<Unreachable>,
    /// The replay journal holding this run's confirmed entries, when it is kept for a rerun.
    pub journal: Option<PathBuf>,
    /// `--patch`: what the patch made of the entries planned.
    pub patch: Option<PatchCounts>,
    /// `--canary N`: what became of the canaries.
    pub canary: Option<CanaryOutcome>,
    /// `--join`: this member's part.
    pub join: Option<crate::broker::JoinReport>,
}

/// An entry not sent, and why (no origin, `--max-replays` reached, an earlier failure, …).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub(crate) struct Skip {
    pub id: String,
    pub reason: String,
}

/// An entry the broker refused.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub(crate) struct Failure {
    pub id: String,
    pub target: String,
    pub reason: String,
}

impl Summary {
    /// Exit 4 when the broker went away, 5 when interrupted, 3 when entries were skipped or
    /// failed, each with the words the error line shows.
    pub(crate) fn outcome(&self) -> Result<(), DlqError> {
        if let Some(lost) = &self.lost {
            return Err(DlqError::from(lost.clone().settled(format!(
                "{} sent and confirmed, {} sent without confirmation (they may arrive twice on a rerun), \
                 {} not sent. Run the same command again once the broker is back to continue{}",
                thousands(self.sent),
                thousands(self.unconfirmed),
                thousands(self.not_sent),
                self.journal.as_ref().map_or(String::new(), |j| format!(
                    " (the confirmed entries are kept in {} until then)",
                    j.display()
                ))
            ))));
        }
        if self.interrupted {
            // A replay marks what was confirmed in the DLQ; a restore keeps it in its journal.
            return Err(DlqError::Interrupted(format!(
                "interrupted after {} entries were sent and confirmed; run the same command again to continue{}",
                self.sent,
                self.journal.as_ref().map_or(String::new(), |j| format!(
                    " (the confirmed lines are kept in {} until then)",
                    j.display()
                ))
            )));
        }
        if let Some(c) = self.canary.as_ref().filter(|c| !c.returned.is_empty()) {
            return Err(DlqError::Partial(format!(
                "the canary came back: {} of the {} entries sent first failed again and are back in \
                 the DLQ ({}); the other {} were not sent. Fix what fails them, then replay again",
                c.returned.len(),
                c.sent,
                c.returned.join(", "),
                thousands(self.not_sent)
            )));
        }
        let missed = self.skipped + self.failed;
        if missed > 0 {
            return Err(DlqError::Partial(format!(
                "{missed} of {} selected entries were not replayed ({} skipped, {} failed)",
                self.selected, self.skipped, self.failed
            )));
        }
        Ok(())
    }
}

/// 41872 → "41,872".
pub(crate) fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// How the command talks to the person (or script) running it. The output layer implements it.
pub(crate) trait ReplayUi: Send {
    /// The plan, before anything is sent.
    fn plan(&mut self, plan: &Plan) -> std::io::Result<()>;
    /// `--dry-run`: one message that would be sent.
    fn would_send(&mut self, id: &str, out: &Outgoing) -> std::io::Result<()>;
    /// `--canary N`: the canaries are sent and confirmed; waiting `seconds` for them to fail.
    fn canary_waiting(&mut self, _sent: u64, _seconds: u64) {}
    /// `--canary N`: none came back; asks to send the other `rest` (`None`: no terminal).
    fn confirm_rest(&mut self, _rest: u64) -> std::io::Result<Option<bool>> {
        Ok(None)
    }
    /// `--dry-run --patch`: an entry's payload before and after the patch (the first few).
    fn patch_preview(
        &mut self,
        _id: &str,
        _before: &serde_json::Value,
        _after: &serde_json::Value,
    ) -> std::io::Result<()> {
        Ok(())
    }
    /// Asks to go ahead; `None` when there is no terminal to ask on.
    fn confirm(&mut self, plan: &Plan) -> std::io::Result<Option<bool>>;
    fn progress_start(&mut self, total: u64);
    fn progress(&mut self, done: u64);
    fn progress_finish(&mut self);
    /// Ctrl-C, asked for as sending begins: the run settles what is in flight and keeps what
    /// was confirmed.
    fn interruption(&mut self) -> Interruption;
}
