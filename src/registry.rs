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

    /// The schema with this id, or why it could not be had (shown with the entries that use it).
    pub(crate) async fn schema(&self, id: u32) -> Result<Served, String> {
        let url = format!("{}/schemas/ids/{id}", self.config.url.trim_end_matches('/'));
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
        parse_registry_answer(&body)
    }
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
