//! Users for the tests of the commands that ask (replay, restore, purge): one who says yes,
//! and one who says yes and then presses Ctrl-C.

use std::sync::Arc;

use tokio::sync::Notify;

use crate::domain::replay::Outgoing;
use crate::results::purge::{PurgePlan, PurgeUi};
use crate::results::replay::{Plan, ReplayUi};
use crate::results::Interruption;

/// Says yes; runs `.0` while "the prompt is open".
pub(crate) struct Yes<F: FnMut() + Send>(pub(crate) F);

impl<F: FnMut() + Send> ReplayUi for Yes<F> {
    fn plan(&mut self, _plan: &Plan) -> std::io::Result<()> {
        Ok(())
    }
    fn would_send(&mut self, _id: &str, _out: &Outgoing) -> std::io::Result<()> {
        Ok(())
    }
    fn confirm(&mut self, _plan: &Plan) -> std::io::Result<Option<bool>> {
        (self.0)();
        Ok(Some(true))
    }
    fn progress_start(&mut self, _total: u64) {}
    fn progress(&mut self, _done: u64) {}
    fn progress_finish(&mut self) {}
    fn interruption(&mut self) -> Interruption {
        Box::pin(std::future::pending())
    }
}

/// Says yes, then presses Ctrl-C as soon as `after` deliveries are confirmed (0: as the run
/// begins): a deterministic interruption (the run sees it before it takes its next entry).
pub(crate) struct StopAfter {
    after: u64,
    pressed: Arc<Notify>,
}

impl StopAfter {
    pub(crate) fn new(after: u64) -> Self {
        let pressed = Arc::new(Notify::new());
        if after == 0 {
            pressed.notify_one();
        }
        StopAfter { after, pressed }
    }

    fn pressed(&self) -> Interruption {
        let pressed = self.pressed.clone();
        Box::pin(async move { pressed.notified().await })
    }
}

impl PurgeUi for StopAfter {
    fn plan(&mut self, _plan: &PurgePlan) -> std::io::Result<()> {
        Ok(())
    }
    fn confirm(&mut self, _plan: &PurgePlan) -> std::io::Result<Option<bool>> {
        Ok(Some(true))
    }
    fn interruption(&mut self) -> Interruption {
        self.pressed()
    }
}

impl ReplayUi for StopAfter {
    fn plan(&mut self, _plan: &Plan) -> std::io::Result<()> {
        Ok(())
    }
    fn would_send(&mut self, _id: &str, _out: &Outgoing) -> std::io::Result<()> {
        Ok(())
    }
    fn confirm(&mut self, _plan: &Plan) -> std::io::Result<Option<bool>> {
        Ok(Some(true))
    }
    fn progress_start(&mut self, _total: u64) {}
    fn progress(&mut self, done: u64) {
        if done == self.after && done > 0 {
            self.pressed.notify_one();
        }
    }
    fn progress_finish(&mut self) {}
    fn interruption(&mut self) -> Interruption {
        self.pressed()
    }
}

impl<F: FnMut() + Send> PurgeUi for Yes<F> {
    fn plan(&mut self, _plan: &PurgePlan) -> std::io::Result<()> {
        Ok(())
    }
    fn confirm(&mut self, _plan: &PurgePlan) -> std::io::Result<Option<bool>> {
        (self.0)();
        Ok(Some(true))
    }
    fn interruption(&mut self) -> Interruption {
        Box::pin(std::future::pending())
    }
}
