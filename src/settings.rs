//! Validated settings: the second stage after clap. Times are resolved, regexes compiled,
//! the broker URL parsed, and the output format decided, once.

use std::io::IsTerminal;
use std::time::Duration;

use jiff::{Span, SpanRelativeTo, Timestamp};
use regex::Regex;

use crate::broker::{BrokerUrl, ConnectConfig};
use crate::cli::{ConnectArgs, ConventionArgs, OutputArgs, OutputFormat, SelectArgs};
use crate::domain::conventions::HeaderMap;
use crate::domain::selection::Selection;
use crate::domain::time::parse_time_in;
use crate::error::DlqError;
use jiff::tz::TimeZone;

/// The operator group (Kafka) and subscription (Pulsar) dlq uses unless told otherwise.
pub const DEFAULT_OPERATOR: &str = "dlq-cli";

fn usage(msg: impl Into<String>) -> DlqError {
    DlqError::Usage(msg.into())
}

pub fn connect(args: &ConnectArgs) -> Result<ConnectConfig, DlqError> {
    let raw = args
        .broker
        .as_deref()
        .ok_or_else(|| usage("no broker given: pass -b/--broker URL (kafka://HOST:PORT or pulsar://HOST:PORT) or set DLQ_BROKER"))?;
    let timeout = parse_duration(&args.timeout).map_err(|e| usage(format!("--timeout: {e}")))?;
    Ok(ConnectConfig {
        url: BrokerUrl::parse(raw)?,
        timeout,
        group: args
            .group
            .clone()
            .unwrap_or_else(|| DEFAULT_OPERATOR.into()),
        subscription: args
            .subscription
            .clone()
            .unwrap_or_else(|| DEFAULT_OPERATOR.into()),
    })
}

fn parse_duration(s: &str) -> Result<Duration, String> {
    let span: Span = s
        .trim()
        .parse()
        .map_err(|_| format!("'{s}' is not a duration (for example 10s, 1m)"))?;
    let d = span
        .to_duration(SpanRelativeTo::days_are_24_hours())
        .map_err(|e| e.to_string())?;
    let d = Duration::try_from(d).map_err(|_| format!("'{s}' is negative"))?;
    if d.is_zero() {
        return Err(format!("'{s}' is zero"));
    }
    Ok(d)
}

/// The zone local times are read in (`--tz`, UTC by default).
pub fn zone(args: &SelectArgs) -> Result<TimeZone, DlqError> {
    match args.tz.as_deref() {
        None => Ok(TimeZone::UTC),
        Some(name) => {
            TimeZone::get(name).map_err(|e| usage(format!("--tz: unknown zone '{name}' ({e})")))
        }
    }
}

/// Parses one time flag in the selection's zone.
pub fn time_flag(
    flag: &str,
    value: &str,
    args: &SelectArgs,
    now: Timestamp,
) -> Result<Timestamp, DlqError> {
    parse_time_in(value, now, &zone(args)?).map_err(|e| usage(format!("{flag}: {e}")))
}

pub fn selection(args: &SelectArgs, now: Timestamp) -> Result<Selection, DlqError> {
    let time = |flag: &str, v: &Option<String>| -> Result<Option<Timestamp>, DlqError> {
        v.as_deref()
            .map(|s| time_flag(flag, s, args, now))
            .transpose()
    };
    let since = time("--since", &args.since)?;
    let until = time("--until", &args.until)?;
    if let (Some(s), Some(u)) = (since, until) {
        if s >= u {
            return Err(usage(format!("--since ({s}) must be before --until ({u})")));
        }
    }
    let grep = args
        .grep
        .as_deref()
        .map(|g| Regex::new(g).map_err(|e| usage(format!("--grep: {e}"))))
        .transpose()?;
    if args.partition.iter().any(|p| *p < 0) {
        return Err(usage("--partition takes partition numbers from 0"));
    }
    if args.limit == Some(0) {
        return Err(usage("--limit must be at least 1"));
    }
    Ok(Selection {
        since,
        until,
        partitions: args.partition.clone(),
        grep,
        origin: args.origin.clone(),
        key: args.key.clone(),
        limit: args.limit,
        ids: Vec::new(),
    })
}

pub fn header_map(args: &ConventionArgs) -> Result<HeaderMap, DlqError> {
    let mut map = HeaderMap::default();
    for spec in &args.header_map {
        map.push_spec(spec).map_err(usage)?;
    }
    Ok(map)
}

/// Table on a terminal, JSON Lines for pipes and files, unless the user chose.
pub fn output_format(args: &OutputArgs) -> OutputFormat {
    args.output.unwrap_or(if std::io::stdout().is_terminal() {
        OutputFormat::Table
    } else {
        OutputFormat::Jsonl
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("10s").unwrap(), Duration::from_secs(10));
        assert_eq!(parse_duration("1m").unwrap(), Duration::from_secs(60));
        assert_eq!(parse_duration("500ms").unwrap(), Duration::from_millis(500));
        assert!(parse_duration("0s").is_err());
        assert!(parse_duration("soon").is_err());
    }

    #[test]
    fn since_must_precede_until() {
        let args = SelectArgs {
            since: Some("2026-11-22".into()),
            until: Some("2026-11-21".into()),
            partition: vec![],
            grep: None,
            origin: None,
            key: None,
            limit: None,
            tz: None,
        };
        let err = selection(&args, Timestamp::now()).unwrap_err();
        assert!(err.to_string().contains("must be before"));
    }
}
