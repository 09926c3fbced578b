//! Errors whose kind decides the exit code, and the one place that decides it.

use std::io;

/// Exit codes, as documented in the README ("Exit codes").
pub(crate) mod exit {
    pub(crate) const SUCCESS: u8 = 0;
    pub(crate) const FAILURE: u8 = 1;
    pub(crate) const USAGE: u8 = 2;
    pub(crate) const PARTIAL: u8 = 3;
    pub(crate) const UNREACHABLE: u8 = 4;
    pub(crate) const DECLINED: u8 = 5;
}

#[derive(Debug, thiserror::Error)]
pub(crate) enum DlqError {
    /// The command line asks for something that cannot be done as asked.
    #[error("{0}")]
    Usage(String),
    /// The broker could not be reached, or stopped answering, within the timeout.
    #[error("{0}")]
    Unreachable(String),
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
        let e = anyhow::Error::new(DlqError::Unreachable("x".into())).context("listing orders.DLT");
        assert_eq!(exit_code(&e), exit::UNREACHABLE);
        let e = anyhow::Error::new(io::Error::from(io::ErrorKind::BrokenPipe)).context("writing");
        assert_eq!(exit_code(&e), exit::SUCCESS);
        assert_eq!(exit_code(&anyhow::anyhow!("other")), exit::FAILURE);
        assert_eq!(exit_code(&DlqError::Usage("u".into()).into()), exit::USAGE);
    }
}
