//! A user who says yes, for the tests of the commands that ask (replay, restore, purge).

use crate::domain::replay::Outgoing;
use crate::results::purge::{PurgePlan, PurgeUi};
use crate::results::replay::{Plan, ReplayUi};

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
}

impl<F: FnMut() + Send> PurgeUi for Yes<F> {
    fn plan(&mut self, _plan: &PurgePlan) -> std::io::Result<()> {
        Ok(())
    }
    fn confirm(&mut self, _plan: &PurgePlan) -> std::io::Result<Option<bool>> {
        (self.0)();
        Ok(Some(true))
    }
}
