//! Errors whose kind decides the exit code, and the one place that decides it.

use std::fmt;
use std::io;
use std::time::Duration;

/// Exit codes, as documented in the README ("Exit codes").
pub(crate) mod exit {
    pub(crate) const SUCCESS: u8 = 0;
    pub(crate) const FAILURE: u8 = 1;
    pub(crate) const USAGE: u8 = 2;
    pub(crate) const PARTIAL: u8 = 3;
    pub(crate) const UNREACHABLE: u8 = 4;
    pub(crate) const DECLINED: u8 = 5;
    pub(crate) const THRESHOLD: u8 = 6;
}

#[derive(Debug, thiserror::Error)]
pub(crate) enum DlqError {
    /// The command line asks for something that cannot be done as asked.
    #[error("{0}")]
    Usage(String),
    /// `dlq check`: a DLQ crossed a threshold (exit 6).
    #[error("{0}")]
    Threshold(String),
    /// The broker could not be reached, or stopped answering, within the timeout.
    #[error("{0}")]
    Unreachable(Box<Unreachable>),
    #[error("topic '{topic}' does not exist on {broker}")]
    TopicNotFound { topic: String, broker: String },
    #[error("{0}")]
    NotFound(String),
    /// The user declined, or no terminal was there to ask and `--yes` was not given.
    #[error("{0}")]
    Declined(String),
    /// Stopped by the user (Ctrl-C) part way: what was done is settled; the same command
    /// continues.
    #[error("{0}")]
    Interrupted(String),
    /// Some entries failed; the rest were handled.
    #[error("{0}")]
    Partial(String),
    /// The broker lacks a capability the command needs.
    #[error("{broker} does not support {capability}; {alternative}")]
    Unsupported {
        broker: String,
        capability: String,
        alternative: String,
    },
}

/// How a broker was lost.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Loss {
    /// Never reached within the timeout (at connection time).
    CannotReach(Duration),
    /// Connected, then the connection broke or the client gave up on it.
    Lost,
    /// Connected, then no answer within the timeout.
    NoAnswer(Duration),
}

/// A broker that went away or stopped answering (exit 4), said once: the adapter gives which
/// broker and its (or its client's) words; the command adds what it was doing, and, in a
/// summary, what was settled before.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Unreachable {
    pub loss: Loss,
    /// "Kafka at 127.0.0.1:9092", "Pulsar at pulsar://…", "the Pulsar admin API at http://…".
    pub broker: Option<String>,
    /// What dlq was doing: "reading 'orders.DLT'".
    pub doing: Option<String>,
    /// The broker's or its client's words.
    pub why: Option<String>,
    /// What to do about it, where the adapter knows better than "run it again".
    pub advice: Option<String>,
    /// What was done before the loss, and how to go on (a replay's or purge's summary).
    pub settled: Option<String>,
}

impl Unreachable {
    fn new(loss: Loss) -> Self {
        Unreachable {
            loss,
            broker: None,
            doing: None,
            why: None,
            advice: None,
            settled: None,
        }
    }

    pub(crate) fn lost() -> Self {
        Self::new(Loss::Lost)
    }

    pub(crate) fn no_answer(within: Duration) -> Self {
        Self::new(Loss::NoAnswer(within))
    }

    pub(crate) fn cannot_reach(within: Duration) -> Self {
        Self::new(Loss::CannotReach(within))
    }

    /// Which broker: "Kafka at …".
    pub(crate) fn at(mut self, broker: impl fmt::Display) -> Self {
        self.broker = Some(broker.to_string());
        self
    }

    pub(crate) fn doing(mut self, doing: impl fmt::Display) -> Self {
        self.doing = Some(doing.to_string());
        self
    }

    pub(crate) fn why(mut self, why: impl fmt::Display) -> Self {
        self.why = Some(why.to_string());
        self
    }

    pub(crate) fn advice(mut self, advice: impl fmt::Display) -> Self {
        self.advice = Some(advice.to_string());
        self
    }

    pub(crate) fn settled(mut self, settled: impl fmt::Display) -> Self {
        self.settled = Some(settled.to_string());
        self
    }

    /// The loss behind `err`, told by the command: the adapter's words where it gave them (what
    /// dlq was doing and which broker filled in where it could not know), else `err`'s own
    /// words as the reason. Never wrapped twice.
    pub(crate) fn of(err: &anyhow::Error, broker: impl fmt::Display, doing: &str) -> Self {
        let found = err
            .chain()
            .find_map(|c| match c.downcast_ref::<DlqError>() {
                Some(DlqError::Unreachable(u)) => Some((**u).clone()),
                _ => None,
            });
        let mut u = found.unwrap_or_else(|| Unreachable::lost().why(format!("{err:#}")));
        u.broker.get_or_insert_with(|| broker.to_string());
        u.doing.get_or_insert_with(|| doing.to_string());
        u
    }
}

impl fmt::Display for Unreachable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // "cannot reach" before a connection, "lost the connection" after it: the words
        // operators search logs for.
        let broker = self.broker.as_deref().unwrap_or("the broker");
        match self.loss {
            Loss::CannotReach(t) => write!(f, "cannot reach {broker} within {}s", t.as_secs_f32())?,
            Loss::Lost | Loss::NoAnswer(_) => write!(f, "lost the connection to {broker}")?,
        }
        if let Some(doing) = &self.doing {
            write!(f, " while {doing}")?;
        }
        if let Loss::NoAnswer(t) = self.loss {
            write!(f, ": no answer within {}s", t.as_secs_f32())?;
        }
        if let Some(why) = &self.why {
            write!(f, " ({why})")?;
        }
        if let Some(advice) = &self.advice {
            write!(f, "; {advice}")?;
        }
        if let Some(settled) = &self.settled {
            write!(f, "; {settled}")?;
        }
        Ok(())
    }
}

impl From<Unreachable> for DlqError {
    fn from(u: Unreachable) -> Self {
        DlqError::Unreachable(Box::new(u))
    }
}

impl From<Unreachable> for anyhow::Error {
    fn from(u: Unreachable) -> Self {
        DlqError::from(u).into()
    }
}

/// Whether an error means the broker went away or stopped answering (exit 4), anywhere in its
/// chain: an unknown outcome, not a refusal.
pub(crate) fn is_unreachable(err: &anyhow::Error) -> bool {
    err.chain()
        .any(|c| matches!(c.downcast_ref::<DlqError>(), Some(DlqError::Unreachable(_))))
}

/// The exit code for an error, found anywhere in its chain.
pub(crate) fn exit_code(err: &anyhow::Error) -> u8 {
    if is_broken_pipe(err) {
        return exit::SUCCESS;
    }
    for cause in err.chain() {
        if let Some(e) = cause.downcast_ref::<DlqError>() {
            return match e {
                DlqError::Usage(_) => exit::USAGE,
                DlqError::Unreachable(_) => exit::UNREACHABLE,
                DlqError::Declined(_) | DlqError::Interrupted(_) => exit::DECLINED,
                DlqError::Partial(_) => exit::PARTIAL,
                DlqError::Threshold(_) => exit::THRESHOLD,
                DlqError::TopicNotFound { .. }
                | DlqError::NotFound(_)
                | DlqError::Unsupported { .. } => exit::FAILURE,
            };
        }
    }
    exit::FAILURE
}

/// What the same command run again does after `err`, for the hint that follows the error:
/// `None` where running it again is not the way on.
pub(crate) fn rerun_does(err: &anyhow::Error) -> Option<&'static str> {
    err.chain()
        .find_map(|c| match c.downcast_ref::<DlqError>()? {
            DlqError::Unreachable(_) => Some("once the broker answers, run the same command again"),
            DlqError::Interrupted(_) => Some("to continue, run the same command again"),
            DlqError::Partial(_) => Some("to retry what failed, run the same command again"),
            _ => None,
        })
}

/// `dlq list | head` closes our stdout early: that is the reader's choice, not a failure.
pub(crate) fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|c| {
        c.downcast_ref::<io::Error>()
            .is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_found_through_context() {
        let e = anyhow::Error::from(Unreachable::lost()).context("listing orders.DLT");
        assert_eq!(exit_code(&e), exit::UNREACHABLE);
        let e = anyhow::Error::new(io::Error::from(io::ErrorKind::BrokenPipe)).context("writing");
        assert_eq!(exit_code(&e), exit::SUCCESS);
        assert_eq!(exit_code(&anyhow::anyhow!("other")), exit::FAILURE);
        assert_eq!(exit_code(&DlqError::Usage("u".into()).into()), exit::USAGE);
    }

    #[test]
    fn a_loss_is_said_once_with_what_dlq_was_doing() {
        let adapter: anyhow::Error = Unreachable::lost()
            .at("Pulsar at pulsar://h:6650")
            .why("Connection error: closed")
            .into();
        let told = Unreachable::of(
            &adapter.context("acknowledging"),
            "pulsar://h:6650",
            "purging 'a'",
        );
        assert_eq!(
            told.to_string(),
            "lost the connection to Pulsar at pulsar://h:6650 while purging 'a' (Connection error: closed)"
        );
        let knew: anyhow::Error = Unreachable::no_answer(Duration::from_secs(3))
            .at("Kafka at k:9092")
            .doing("deleting records")
            .into();
        let told = Unreachable::of(&knew, "kafka://k:9092", "purging 'a'").settled("2 of 3 purged");
        assert_eq!(
            told.to_string(),
            "lost the connection to Kafka at k:9092 while deleting records: no answer within 3s; \
             2 of 3 purged"
        );
        let other = anyhow::anyhow!("Broker: Unknown");
        assert_eq!(
            Unreachable::of(&other, "Kafka at k:9092", "sending").to_string(),
            "lost the connection to Kafka at k:9092 while sending (Broker: Unknown)"
        );
        assert_eq!(
            exit_code(&other),
            exit::FAILURE,
            "only the kind decides exit 4"
        );
    }
}
