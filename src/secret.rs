//! Secrets: passwords and tokens come from environment variables or files, never from
//! arguments that `ps` shows, and are held in a type that cannot print them.

use std::fmt;
use std::path::Path;

/// A secret value. `Debug` and `Display` print `(redacted)`, so no log line, error chain or
/// debug dump can show it; `expose` is the one way to read it.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Secret(String);

impl Secret {
    pub(crate) fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    pub(crate) fn expose(&self) -> &str {
        &self.0
    }

    /// Reads a secret from a file, without its trailing newline.
    pub(crate) fn from_file(path: &Path) -> Result<Secret, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let value = text.trim_end_matches(['\n', '\r']);
        if value.is_empty() {
            return Err(format!("{} is empty", path.display()));
        }
        Ok(Secret::new(value))
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("(redacted)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("(redacted)")
    }
}

/// Does this librdkafka property hold a secret?
pub(crate) fn is_secret_property(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    ["password", "secret", "token", "jaas", "private", "key.pem"]
        .iter()
        .any(|w| k.contains(w))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_printed() {
        let s = Secret::new("hunter2");
        assert_eq!(format!("{s:?} {s}"), "(redacted) (redacted)");
        assert_eq!(format!("{:?}", Some(vec![s.clone()])), "Some([(redacted)])");
        assert_eq!(s.expose(), "hunter2");
    }

    #[test]
    fn read_from_files_without_the_newline() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("pw");
        std::fs::write(&p, "s3cret\n").unwrap();
        assert_eq!(Secret::from_file(&p).unwrap().expose(), "s3cret");
        std::fs::write(&p, "\n").unwrap();
        assert!(Secret::from_file(&p).is_err());
    }

    #[test]
    fn secret_properties() {
        for k in [
            "sasl.password",
            "ssl.key.password",
            "sasl.oauthbearer.client.secret",
            "sasl.jaas.config",
            "ssl.key.pem",
        ] {
            assert!(is_secret_property(k), "{k}");
        }
        for k in [
            "security.protocol",
            "sasl.mechanism",
            "ssl.ca.location",
            "sasl.username",
        ] {
            assert!(!is_secret_property(k), "{k}");
        }
    }
}
