//! The contexts file (`config.toml`): named contexts (broker, auth, operator group/subscription, header maps,
//! output), so operators switch between dev, staging and production as with kubectl.
//!
//! Where: `$DLQ_CONFIG`, else `$XDG_CONFIG_HOME/dlq/config.toml`, else `~/.config/dlq/config.toml`.
//! Which context: `--context NAME` > `DLQ_CONTEXT` > the file's `current-context`.
//! Precedence of every setting: flags > environment > context > defaults.
//!
//! ```toml
//! current-context = "staging"
//!
//! [contexts.staging]
//! broker = "kafka://kafka.staging:9093"
//! sasl-mechanism = "SCRAM-SHA-512"
//! sasl-username = "dlq-operator"
//! password-file = "/run/secrets/dlq-staging"
//! ca-file = "/etc/ssl/staging-ca.pem"
//! group = "dlq-ops"
//! # Pulsar: token-file = "…", or oauth2-issuer-url + oauth2-credentials-file (+ audience, scope)
//! header-map = ["origin_topic=x-source-topic"]
//! output = "table"
//! redact-fields = ["order_ref"]            # masked whole, on top of the built-in names
//! redact-patterns = ['CUST-\d{6}']         # masked wherever they appear
//! redaction-policy = "/etc/dlq/policy.toml" # a team's policy (see settings::redactor)
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::cli::{ConnectArgs, ConventionArgs, OutputFormat, SaslMechanism};
use crate::error::DlqError;

#[derive(Debug, Default, Clone, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub(crate) struct ConfigFile {
    pub current_context: Option<String>,
    #[serde(default)]
    pub contexts: BTreeMap<String, Context>,
}

#[derive(Debug, Default, Clone, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub(crate) struct Context {
    pub broker: Option<String>,
    pub timeout: Option<String>,
    pub group: Option<String>,
    pub subscription: Option<String>,
    pub sasl_mechanism: Option<String>,
    pub sasl_username: Option<String>,
    pub password_file: Option<PathBuf>,
    /// Allowed, but the file must then be readable by its owner only (dlq warns otherwise).
    pub sasl_password: Option<String>,
    pub tls: Option<bool>,
    pub ca_file: Option<PathBuf>,
    pub cert_file: Option<PathBuf>,
    pub key_file: Option<PathBuf>,
    pub token_file: Option<PathBuf>,
    pub oauth2_issuer_url: Option<String>,
    pub oauth2_credentials_file: Option<PathBuf>,
    pub oauth2_audience: Option<String>,
    pub oauth2_scope: Option<String>,
    /// librdkafka properties, as `-X`.
    #[serde(default)]
    pub librdkafka: BTreeMap<String, String>,
    #[serde(default)]
    pub header_map: Vec<String>,
    pub output: Option<String>,
    /// Field and header names masked whole, on top of the built-in rules.
    #[serde(default)]
    pub redact_fields: Vec<String>,
    /// Regexes whose matches are masked wherever they appear.
    #[serde(default)]
    pub redact_patterns: Vec<String>,
    /// A redaction policy file (`--redaction-policy`).
    pub redaction_policy: Option<PathBuf>,
    /// More topic-name globs `dlq topics` counts as DLQs.
    #[serde(default)]
    pub dlq_patterns: Vec<String>,
    /// The only topics replay may send to (globs); empty: any.
    #[serde(default)]
    pub replay_targets: Vec<String>,
    /// Schema registry for the wire format, and its basic-auth user and password file.
    pub schema_registry: Option<String>,
    pub schema_registry_user: Option<String>,
    pub schema_registry_password_file: Option<PathBuf>,
}

/// The config file's path.
pub(crate) fn path() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("DLQ_CONFIG").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(p));
    }
    Some(crate::paths::xdg_dir("XDG_CONFIG_HOME", ".config")?.join("dlq/config.toml"))
}

/// The file and its text; an absent file is an empty config.
pub(crate) fn load(path: &Path) -> Result<(ConfigFile, String), DlqError> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Ok((ConfigFile::default(), String::new()))
        }
        Err(e) => {
            return Err(DlqError::Usage(format!(
                "cannot read {}: {e}",
                path.display()
            )))
        }
    };
    let file: ConfigFile = toml_edit::de::from_str(&text).map_err(|e| {
        DlqError::Usage(format!("{} is not a valid dlq config: {e}", path.display()))
    })?;
    warn_if_exposed(path, &file);
    Ok((file, text))
}

/// A config that holds a password must not be readable by others.
fn warn_if_exposed(path: &Path, file: &ConfigFile) {
    let holds_secret = file.contexts.values().any(|c| {
        c.sasl_password.is_some()
            || c.librdkafka
                .keys()
                .any(|k| crate::secret::is_secret_property(k))
    });
    #[cfg(unix)]
    if holds_secret {
        use std::os::unix::fs::PermissionsExt;
        if let Ok(meta) = std::fs::metadata(path) {
            if meta.permissions().mode() & 0o077 != 0 {
                crate::output::warn(&format!(
                    "{} holds secrets and is readable by other users; run: chmod 600 {}",
                    path.display(),
                    path.display()
                ));
            }
        }
    }
}

/// The context in force: `--context`/`DLQ_CONTEXT` (already merged by clap), else the file's
/// current one. Naming a context that does not exist is an error.
pub(crate) fn active<'a>(
    file: &'a ConfigFile,
    chosen: Option<&str>,
    path: &Path,
) -> Result<Option<(&'a str, &'a Context)>, DlqError> {
    let Some(name) = chosen.or(file.current_context.as_deref()) else {
        return Ok(None);
    };
    file.contexts
        .get_key_value(name)
        .map(|(k, c)| Some((k.as_str(), c)))
        .ok_or_else(|| {
            let known: Vec<&str> = file.contexts.keys().map(String::as_str).collect();
            DlqError::Usage(format!(
                "no context '{name}' in {} (contexts: {})",
                path.display(),
                if known.is_empty() {
                    "none".into()
                } else {
                    known.join(", ")
                }
            ))
        })
}

/// Fills what flags and environment left unset.
pub(crate) fn apply(
    ctx: &Context,
    connect: &mut ConnectArgs,
    conventions: Option<&mut ConventionArgs>,
) -> Result<(), DlqError> {
    fn fill<T: Clone>(slot: &mut Option<T>, from: &Option<T>) {
        if slot.is_none() {
            *slot = from.clone();
        }
    }
    fill(&mut connect.broker, &ctx.broker);
    fill(&mut connect.timeout, &ctx.timeout);
    fill(&mut connect.group, &ctx.group);
    fill(&mut connect.subscription, &ctx.subscription);
    fill(&mut connect.sasl_username, &ctx.sasl_username);
    fill(&mut connect.ca_file, &ctx.ca_file);
    fill(&mut connect.cert_file, &ctx.cert_file);
    fill(&mut connect.key_file, &ctx.key_file);
    fill(&mut connect.token_file, &ctx.token_file);
    fill(&mut connect.oauth2_issuer_url, &ctx.oauth2_issuer_url);
    fill(
        &mut connect.oauth2_credentials_file,
        &ctx.oauth2_credentials_file,
    );
    fill(&mut connect.oauth2_audience, &ctx.oauth2_audience);
    fill(&mut connect.oauth2_scope, &ctx.oauth2_scope);
    if connect.sasl_mechanism.is_none() {
        if let Some(m) = &ctx.sasl_mechanism {
            connect.sasl_mechanism = Some(SaslMechanism::from_name(m).ok_or_else(|| {
                DlqError::Usage(format!("context: unknown sasl-mechanism '{m}'"))
            })?);
        }
    }
    // A password from the command line's file or the environment wins over the context's.
    if connect.password_file.is_none() && std::env::var_os("DLQ_SASL_PASSWORD").is_none() {
        if ctx.password_file.is_some() {
            connect.password_file = ctx.password_file.clone();
        } else if let Some(p) = &ctx.sasl_password {
            connect.context_password = Some(crate::secret::Secret::new(p.clone()));
        }
    }
    connect.tls |= ctx.tls.unwrap_or(false);
    // Context properties first: `-X` on the command line comes later and wins.
    let mut props: Vec<String> = ctx
        .librdkafka
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    props.append(&mut connect.librdkafka);
    connect.librdkafka = props;
    if let Some(conv) = conventions {
        if conv.header_map.is_empty() {
            conv.header_map = ctx.header_map.clone();
        }
    }
    Ok(())
}

/// Adds the context's redaction rules to those given on the command line.
pub(crate) fn apply_redaction(ctx: &Context, redact: &mut crate::cli::RedactArgs) {
    redact
        .redact_fields
        .extend(ctx.redact_fields.iter().cloned());
    redact
        .redact_patterns
        .extend(ctx.redact_patterns.iter().cloned());
    if redact.redaction_policy.is_none() {
        redact.redaction_policy = ctx.redaction_policy.clone();
    }
}

/// Fills the schema registry settings that flags and environment left unset.
pub(crate) fn apply_decoding(ctx: &Context, decode: &mut crate::cli::DecodeArgs) {
    if decode.schema_registry.is_none() {
        decode.schema_registry = ctx.schema_registry.clone();
    }
    if decode.schema_registry_user.is_none() {
        decode.schema_registry_user = ctx.schema_registry_user.clone();
    }
    if decode.schema_registry_password_file.is_none()
        && std::env::var_os("DLQ_SCHEMA_REGISTRY_PASSWORD").is_none()
    {
        decode.schema_registry_password_file = ctx.schema_registry_password_file.clone();
    }
}

/// The context's default output format, if it names one.
pub(crate) fn output(ctx: &Context) -> Result<Option<OutputFormat>, DlqError> {
    ctx.output
        .as_deref()
        .map(|o| {
            OutputFormat::from_name(o).ok_or_else(|| {
                DlqError::Usage(format!(
                    "context: unknown output '{o}' (table, json, jsonl)"
                ))
            })
        })
        .transpose()
}

/// Sets `current-context`, keeping the rest of the file (comments included) as it was.
pub(crate) fn set_current(path: &Path, text: &str, name: &str) -> Result<(), DlqError> {
    let mut doc: toml_edit::DocumentMut = text
        .parse()
        .map_err(|e| DlqError::Usage(format!("{} is not valid TOML: {e}", path.display())))?;
    doc["current-context"] = toml_edit::value(name);
    std::fs::write(path, doc.to_string())
        .map_err(|e| DlqError::Usage(format!("cannot write {}: {e}", path.display())))
}
