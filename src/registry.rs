//! A schema registry (Confluent's API, also served by Karapace, Redpanda and Apicurio's
//! compatibility layer): `GET /schemas/ids/{id}`, with basic authentication from the
//! environment or a file. Schemas are cached for the run by the decoder.

use std::time::Duration;

use crate::domain::decode::{parse_registry_answer, Served};
use crate::secret::Secret;

#[derive(Debug, Clone)]
pub(crate) struct RegistryConfig {
    pub url: String,
    pub user: Option<String>,
    pub password: Option<Secret>,
    pub timeout: Duration,
}

pub(crate) struct Registry {
    config: RegistryConfig,
    client: reqwest::Client,
}

impl Registry {
    pub(crate) fn new(config: RegistryConfig) -> anyhow::Result<Registry> {
        let client = reqwest::Client::builder()
            .timeout(config.timeout)
            .connect_timeout(config.timeout)
            .build()?;
        Ok(Registry { config, client })
    }

    /// `GET path`: the body, `None` on 404, or why there is no answer.
    async fn get(&self, path: &str) -> Result<Option<Vec<u8>>, String> {
        let url = format!("{}{path}", self.config.url.trim_end_matches('/'));
        let mut req = self.client.get(&url).header(
            "Accept",
            "application/vnd.schemaregistry.v1+json, application/json",
        );
        if let Some(user) = &self.config.user {
            req = req.basic_auth(user, self.config.password.as_ref().map(Secret::expose));
        }
        let resp = req.send().await.map_err(|e| {
            format!(
                "cannot reach the schema registry at {}: {}",
                self.config.url,
                without_url(&e)
            )
        })?;
        let status = resp.status();
        let body = resp
            .bytes()
            .await
            .map_err(|e| format!("reading the schema registry's answer: {}", without_url(&e)))?;
        if status.as_u16() == 404 {
            return Ok(None);
        }
        if !status.is_success() {
            let detail = serde_json::from_slice::<serde_json::Value>(&body)
                .ok()
                .and_then(|v| v["message"].as_str().map(str::to_string))
                .unwrap_or_default();
            let hint = match status.as_u16() {
                401 | 403 => "; check --schema-registry-user and DLQ_SCHEMA_REGISTRY_PASSWORD or --schema-registry-password-file",
                _ => "",
            };
            return Err(format!(
                "the schema registry answered HTTP {}{}{hint}",
                status.as_u16(),
                if detail.is_empty() {
                    String::new()
                } else {
                    format!(" ({detail})")
                }
            ));
        }
        Ok(Some(body.to_vec()))
    }

    /// The schema with this id, or why it could not be had (shown with the entries that use it).
    pub(crate) async fn schema(&self, id: u32) -> Result<Served, String> {
        match self.get(&format!("/schemas/ids/{id}")).await? {
            Some(body) => parse_registry_answer(&body),
            None => Err(format!(
                "the schema registry has no schema with id {id} (HTTP 404)"
            )),
        }
    }

    /// The latest schema of `subject` and its id; `None` when the registry has no such subject.
    pub(crate) async fn latest(&self, subject: &str) -> Result<Option<(u32, Served)>, String> {
        let path = format!("/subjects/{}/versions/latest", urlencode(subject));
        let Some(body) = self.get(&path).await? else {
            return Ok(None);
        };
        let id = serde_json::from_slice::<serde_json::Value>(&body)
            .ok()
            .and_then(|v| v["id"].as_u64())
            .and_then(|id| u32::try_from(id).ok())
            .ok_or_else(|| {
                format!("the schema registry's answer for {subject} has no schema id")
            })?;
        Ok(Some((id, parse_registry_answer(&body)?)))
    }
}

/// A subject name as one URL path segment.
fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// reqwest's error text without the URL it repeats.
fn without_url(e: &reqwest::Error) -> String {
    let mut s = e.to_string();
    if let Some(url) = e.url() {
        s = s.replace(&format!(" for url ({url})"), "");
    }
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        s.push_str(": ");
        s.push_str(&cause.to_string());
        source = cause.source();
    }
    s
}
