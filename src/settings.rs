//! Validated settings: the second stage after clap. Times are resolved, regexes compiled,
//! the broker URL parsed, and the output format decided, once.

use std::io::IsTerminal;
use std::time::Duration;

use jiff::{Span, SpanRelativeTo, Timestamp};
use regex::Regex;

use crate::broker::{BrokerUrl, ConnectConfig, KafkaSecurity, PulsarSecurity, Sasl, Security};
use crate::cli::{ConnectArgs, ConventionArgs, OutputArgs, OutputFormat, SelectArgs};
use crate::domain::conventions::HeaderMap;
use crate::domain::selection::Selection;
use crate::domain::time::parse_time_in;
use crate::error::DlqError;
use crate::secret::{is_secret_property, Secret};
use jiff::tz::TimeZone;

/// The operator group (Kafka) and subscription (Pulsar) dlq uses unless told otherwise.
pub(crate) const DEFAULT_OPERATOR: &str = "dlq-cli";
pub(crate) const DEFAULT_TIMEOUT: &str = "10s";

fn usage(msg: impl Into<String>) -> DlqError {
    DlqError::Usage(msg.into())
}

pub(crate) fn connect(args: &ConnectArgs) -> Result<ConnectConfig, DlqError> {
    let raw = args
        .broker
        .as_deref()
        .ok_or_else(|| usage("no broker given: pass -b/--broker URL (kafka://HOST:PORT or pulsar://HOST:PORT) or set DLQ_BROKER"))?;
    let timeout = parse_duration(args.timeout.as_deref().unwrap_or(DEFAULT_TIMEOUT))
        .map_err(|e| usage(format!("--timeout: {e}")))?;
    let url = BrokerUrl::parse(raw)?;
    let security = security(args, &url)?;
    let url_kind = match url {
        BrokerUrl::Kafka { .. } => UrlKind::Kafka,
        BrokerUrl::Pulsar { .. } => UrlKind::Pulsar,
    };
    Ok(ConnectConfig {
        url,
        security,
        timeout,
        consumer: match url_kind {
            UrlKind::Kafka => args.group.clone(),
            UrlKind::Pulsar => args.subscription.clone(),
        }
        .unwrap_or_else(|| DEFAULT_OPERATOR.into()),
    })
}

enum UrlKind {
    Kafka,
    Pulsar,
}

/// Pulsar OAuth2 client credentials: an issuer and a key file, both or neither.
fn oauth2(args: &ConnectArgs) -> Result<Option<crate::broker::OAuth2>, DlqError> {
    let (issuer_url, credentials_file) = match (
        &args.oauth2_issuer_url,
        &args.oauth2_credentials_file,
    ) {
        (None, None) => {
            if args.oauth2_audience.is_some() || args.oauth2_scope.is_some() {
                return Err(usage("--oauth2-audience and --oauth2-scope need --oauth2-issuer-url and --oauth2-credentials-file"));
            }
            return Ok(None);
        }
        (Some(i), Some(f)) => (i.clone(), f.clone()),
        _ => {
            return Err(usage(
                "OAuth2 needs both --oauth2-issuer-url and --oauth2-credentials-file",
            ))
        }
    };
    if args.token_file.is_some() || std::env::var_os("DLQ_PULSAR_TOKEN").is_some() {
        return Err(usage(
            "choose one Pulsar authentication: a token (--token-file, DLQ_PULSAR_TOKEN) or OAuth2",
        ));
    }
    // The key file is read here so that a wrong path is named before any connection.
    let text = std::fs::read_to_string(&credentials_file).map_err(|e| {
        usage(format!(
            "--oauth2-credentials-file {}: {e}",
            credentials_file.display()
        ))
    })?;
    let key: serde_json::Value = serde_json::from_str(&text).map_err(|_| {
        usage(format!(
            "--oauth2-credentials-file {} is not JSON {{\"client_id\": …, \"client_secret\": …}}",
            credentials_file.display()
        ))
    })?;
    if !(key["client_id"].is_string() && key["client_secret"].is_string()) {
        return Err(usage(format!(
            "--oauth2-credentials-file {} lacks client_id or client_secret",
            credentials_file.display()
        )));
    }
    let credentials_file = std::path::absolute(&credentials_file).map_err(|e| {
        usage(format!(
            "--oauth2-credentials-file {}: {e}",
            credentials_file.display()
        ))
    })?;
    Ok(Some(crate::broker::OAuth2 {
        issuer_url,
        credentials_file,
        audience: args.oauth2_audience.clone(),
        scope: args.oauth2_scope.clone(),
    }))
}

/// Resolves TLS, SASL, `-X` and tokens. Secrets come from environment variables or files.
fn security(args: &ConnectArgs, url: &BrokerUrl) -> Result<Security, DlqError> {
    let kafka_flags = args.sasl_mechanism.is_some()
        || args.sasl_username.is_some()
        || args.password_file.is_some()
        || args.cert_file.is_some()
        || args.key_file.is_some()
        || !args.librdkafka.is_empty();
    match url {
        BrokerUrl::Pulsar { url } => {
            if kafka_flags {
                return Err(usage("-X, --sasl-*, --password-file, --cert-file and --key-file are for Kafka brokers"));
            }
            if args.tls && !url.starts_with("pulsar+ssl://") {
                return Err(usage(
                    "Pulsar TLS is chosen by the URL: use pulsar+ssl://HOST:PORT",
                ));
            }
            Ok(Security::Pulsar(PulsarSecurity {
                ca_file: args.ca_file.clone(),
                admin_url: args.admin_url.clone(),
                oauth2: oauth2(args)?,
                token: match &args.token_file {
                    Some(path) => Some(
                        Secret::from_file(path).map_err(|e| usage(format!("--token-file: {e}")))?,
                    ),
                    None => std::env::var("DLQ_PULSAR_TOKEN")
                        .ok()
                        .filter(|t| !t.is_empty())
                        .map(Secret::new),
                },
            }))
        }
        BrokerUrl::Kafka { .. } => {
            // --admin-url is not refused: DLQ_PULSAR_ADMIN_URL may be set for a Pulsar context.
            if args.token_file.is_some() || args.oauth2_issuer_url.is_some() {
                return Err(usage("--token-file and --oauth2-* are for Pulsar brokers"));
            }
            let mut sec = KafkaSecurity {
                tls: args.tls
                    || args.ca_file.is_some()
                    || args.cert_file.is_some()
                    || args.key_file.is_some(),
                ca_file: args.ca_file.clone(),
                cert_file: args.cert_file.clone(),
                key_file: args.key_file.clone(),
                ..KafkaSecurity::default()
            };
            if let Some(mechanism) = args.sasl_mechanism {
                let username = args.sasl_username.clone().ok_or_else(|| {
                    usage(
                        "--sasl-mechanism needs a user: --sasl-username USER or DLQ_SASL_USERNAME",
                    )
                })?;
                let given_with_x = args
                    .librdkafka
                    .iter()
                    .any(|x| x.trim_start().starts_with("sasl.password="));
                let password = match &args.password_file {
                    Some(path) => Some(
                        Secret::from_file(path)
                            .map_err(|e| usage(format!("--password-file: {e}")))?,
                    ),
                    None => std::env::var("DLQ_SASL_PASSWORD")
                        .ok()
                        .filter(|p| !p.is_empty())
                        .map(Secret::new)
                        .or_else(|| args.context_password.clone()),
                };
                if password.is_none() && !given_with_x {
                    return Err(usage(
                        "SASL needs a password: set DLQ_SASL_PASSWORD or pass --password-file FILE",
                    ));
                }
                sec.sasl = Some(Sasl {
                    mechanism,
                    username,
                    password,
                });
            }
            for spec in &args.librdkafka {
                let (k, v) = spec
                    .split_once('=')
                    .ok_or_else(|| usage(format!("-X takes KEY=VALUE, got '{spec}'")))?;
                let (k, v) = (k.trim(), v.to_string());
                if is_secret_property(k) {
                    crate::output::warn(&format!(
                        "-X {k} puts a secret on the command line, where `ps` shows it to other users; \
                         prefer DLQ_SASL_PASSWORD or --password-file"
                    ));
                    sec.secrets.push((k.to_string(), Secret::new(v)));
                } else {
                    sec.properties.push((k.to_string(), v));
                }
            }
            Ok(Security::Kafka(sec))
        }
    }
}

/// A duration flag (`--max-age 1h`), a usage error naming the flag when it is not one.
pub(crate) fn duration_flag(flag: &str, s: &str) -> Result<Duration, DlqError> {
    parse_duration(s).map_err(|e| usage(format!("{flag}: {e}")))
}

/// `stats --bucket DURATION`: the chart's bucket size in whole seconds.
pub(crate) fn bucket(s: Option<&str>) -> Result<Option<i64>, DlqError> {
    s.map(|s| {
        parse_duration(s)
            .map(|d| d.as_secs().max(1) as i64)
            .map_err(|e| usage(format!("--bucket: {e}")))
    })
    .transpose()
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
pub(crate) fn zone(args: &SelectArgs) -> Result<TimeZone, DlqError> {
    match args.tz.as_deref() {
        None => Ok(TimeZone::UTC),
        Some(name) => {
            TimeZone::get(name).map_err(|e| usage(format!("--tz: unknown zone '{name}' ({e})")))
        }
    }
}

/// Parses one time flag in the selection's zone.
pub(crate) fn time_flag(
    flag: &str,
    value: &str,
    args: &SelectArgs,
    now: Timestamp,
) -> Result<Timestamp, DlqError> {
    parse_time_in(value, now, &zone(args)?).map_err(|e| usage(format!("{flag}: {e}")))
}

pub(crate) fn selection(args: &SelectArgs, now: Timestamp) -> Result<Selection, DlqError> {
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
    for f in &args.fingerprint {
        if f.len() != 8 || !f.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(usage(format!(
                "--fingerprint takes the 8 hex digits `dlq groups` shows, not '{f}'"
            )));
        }
    }
    let where_ = args
        .where_
        .as_deref()
        .map(|e| crate::domain::expression::Where::compile(e, Default::default()).map_err(usage))
        .transpose()?;
    Ok(Selection {
        since,
        until,
        partitions: args.partition.clone(),
        grep,
        origin: args.origin.clone(),
        key: args.key.clone(),
        limit: args.limit,
        ids: Vec::new(),
        fingerprints: args.fingerprint.clone(),
        where_,
    })
}

pub(crate) fn header_map(args: &ConventionArgs) -> Result<HeaderMap, DlqError> {
    let mut map = HeaderMap::default();
    for spec in &args.header_map {
        map.push_spec(spec).map_err(usage)?;
    }
    Ok(map)
}

/// Table on a terminal, JSON Lines for pipes and files, unless the user chose.
pub(crate) fn output_format(args: &OutputArgs) -> OutputFormat {
    args.output.unwrap_or(if std::io::stdout().is_terminal() {
        OutputFormat::Table
    } else {
        OutputFormat::Jsonl
    })
}

/// How entries are shown: `--reveal`, the redaction rules of flags and context, and decoding.
pub(crate) fn showing(
    args: &crate::cli::OutputArgs,
    decode: &crate::cli::DecodeArgs,
) -> Result<crate::domain::view::Showing, DlqError> {
    Ok(crate::domain::view::Showing {
        reveal: args.reveal,
        redactor: redactor(&args.redact)?,
        decoder: decoder(decode)?,
        recall: Default::default(),
    })
}

/// The built-in redaction rules plus the user's.
/// A redaction policy file, shared by a team:
///
/// ```toml
/// redaction = "allow-list"          # or "default": the built-in rules plus these
/// allow = ["order_id", "status"]    # allow-list mode: the only names shown
/// fields = ["order_ref"]            # masked whole, in any spelling
/// patterns = ['CUST-\d{6}']         # masked wherever they appear
/// ```
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RedactionPolicy {
    #[serde(default)]
    redaction: PolicyMode,
    #[serde(default)]
    allow: Vec<String>,
    #[serde(default)]
    fields: Vec<String>,
    #[serde(default)]
    patterns: Vec<String>,
}

#[derive(Debug, Default, PartialEq, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
enum PolicyMode {
    #[default]
    Default,
    AllowList,
}

/// The redaction in force: the built-in rules, the policy file's, the context's and the flags'
/// (fields and patterns add up; allow-list mode from the policy or `--redact-all-except`).
pub(crate) fn redactor(
    args: &crate::cli::RedactArgs,
) -> Result<crate::domain::redact::Redactor, DlqError> {
    let policy = match &args.redaction_policy {
        None => RedactionPolicy::default(),
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| {
                usage(format!(
                    "--redaction-policy: cannot read {}: {e}",
                    path.display()
                ))
            })?;
            toml_edit::de::from_str(&text).map_err(|e| {
                usage(format!(
                    "--redaction-policy: {} is not a redaction policy: {e}",
                    path.display()
                ))
            })?
        }
    };
    let fields: Vec<String> = policy
        .fields
        .iter()
        .chain(&args.redact_fields)
        .cloned()
        .collect();
    let patterns: Vec<String> = policy
        .patterns
        .iter()
        .chain(&args.redact_patterns)
        .cloned()
        .collect();
    let mut r = crate::domain::redact::Redactor::with_rules(&fields, &patterns).map_err(usage)?;
    if policy.redaction == PolicyMode::AllowList {
        r = r.allow_only(&policy.allow);
    } else if !policy.allow.is_empty() {
        return Err(usage(
            "--redaction-policy: `allow` needs redaction = \"allow-list\"",
        ));
    }
    if !args.redact_all_except.is_empty() {
        r = r.allow_only(&args.redact_all_except);
    }
    Ok(r)
}

/// `--decode`, the schema files and whether a registry is configured.
pub(crate) fn decoder(
    args: &crate::cli::DecodeArgs,
) -> Result<crate::domain::decode::Decoder, DlqError> {
    use crate::cli::DecodeMode as M;
    use crate::domain::decode::{read_schema_file, Decoder, Mode};
    let schema = |flag: &str, path: &Option<std::path::PathBuf>| {
        path.as_deref()
            .map(read_schema_file)
            .transpose()
            .map_err(|e| usage(format!("{flag}: {e}")))
    };
    let mut d = Decoder::default();
    d.mode = match args.decode.unwrap_or(M::Auto) {
        M::Auto => Mode::Auto,
        M::Json => Mode::Json,
        M::Avro => Mode::Avro,
        M::Text => Mode::Text,
        M::Binary => Mode::Binary,
    };
    d.key_schema = schema("--key-schema", &args.key_schema)?;
    d.value_schema = schema("--value-schema", &args.value_schema)?;
    d.registry = args.schema_registry.is_some();
    Ok(d)
}

/// The schema registry, if one is configured; its password from a file or the environment.
pub(crate) fn registry(
    args: &crate::cli::DecodeArgs,
    timeout: Duration,
) -> Result<Option<crate::registry::RegistryConfig>, DlqError> {
    let Some(url) = &args.schema_registry else {
        if args.schema_registry_user.is_some() || args.schema_registry_password_file.is_some() {
            return Err(usage("--schema-registry-user and --schema-registry-password-file need --schema-registry URL"));
        }
        return Ok(None);
    };
    if !(url.starts_with("http://") || url.starts_with("https://")) {
        return Err(usage(format!(
            "--schema-registry '{url}' is not an http:// or https:// URL"
        )));
    }
    let password = match &args.schema_registry_password_file {
        Some(p) => Some(
            Secret::from_file(p)
                .map_err(|e| usage(format!("--schema-registry-password-file: {e}")))?,
        ),
        None => std::env::var("DLQ_SCHEMA_REGISTRY_PASSWORD")
            .ok()
            .filter(|p| !p.is_empty())
            .map(Secret::new),
    };
    if password.is_some() && args.schema_registry_user.is_none() {
        return Err(usage(
            "a schema registry password needs a user: --schema-registry-user USER or DLQ_SCHEMA_REGISTRY_USER",
        ));
    }
    Ok(Some(crate::registry::RegistryConfig {
        url: url.clone(),
        user: args.schema_registry_user.clone(),
        password,
        timeout,
    }))
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
            fingerprint: vec![],
            where_: None,
        };
        let err = selection(&args, Timestamp::now()).unwrap_err();
        assert!(err.to_string().contains("must be before"));
        let bad = |f: SelectArgs| selection(&f, Timestamp::now()).unwrap_err().to_string();
        let with = |fingerprint: Vec<String>, where_: Option<String>| SelectArgs {
            since: None,
            until: None,
            fingerprint,
            where_,
            ..args_none()
        };
        assert!(bad(with(vec!["3fa9".into()], None)).contains("8 hex digits"));
        assert!(
            bad(with(vec![], Some("retry_count >".into()))).contains("--where: at line:column 1:")
        );
        let ok = selection(
            &with(vec!["3FA9c2e1".into()], Some("retry_count > 1".into())),
            Timestamp::now(),
        )
        .unwrap();
        assert!(!ok.selects_everything());
    }

    fn args_none() -> SelectArgs {
        SelectArgs {
            since: None,
            until: None,
            partition: vec![],
            grep: None,
            origin: None,
            key: None,
            limit: None,
            tz: None,
            fingerprint: vec![],
            where_: None,
        }
    }
}
