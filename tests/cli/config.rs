//! Contexts in the config file and the precedence flags > environment > context > defaults.

use predicates::prelude::*;

use crate::common::{dlq, jsonl_of, kafka_url, seed_kafka, unique};

const FILE: &str = r#"# team contexts
current-context = "dev"

[contexts.dev]
broker = "amqp://from-dev-context"

[contexts.staging]
broker = "amqp://from-staging-context"
timeout = "3s"
"#;

fn config(text: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    std::fs::write(&path, text).unwrap();
    (dir, path)
}

/// Which broker URL a command ends up with: an unsupported scheme is a usage error naming it.
fn broker_used(path: &std::path::Path, env: &[(&str, &str)], args: &[&str]) -> String {
    let mut cmd = dlq();
    cmd.env("DLQ_CONFIG", path).args(["list", "t"]).args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // "… in broker 'amqp://NAME' …"
    let err = String::from_utf8(out.stderr).unwrap();
    err.split("in broker 'amqp://")
        .nth(1)
        .and_then(|r| r.split('\'').next())
        .unwrap_or_default()
        .to_string()
}

#[test]
fn precedence_is_flags_then_environment_then_context_then_defaults() {
    let (_dir, path) = config(FILE);
    assert_eq!(
        broker_used(&path, &[], &[]),
        "from-dev-context",
        "the current context"
    );
    assert_eq!(
        broker_used(&path, &[("DLQ_CONTEXT", "staging")], &[]),
        "from-staging-context",
        "DLQ_CONTEXT"
    );
    assert_eq!(
        broker_used(&path, &[("DLQ_CONTEXT", "staging")], &["--context", "dev"]),
        "from-dev-context",
        "--context beats DLQ_CONTEXT"
    );
    assert_eq!(
        broker_used(&path, &[("DLQ_BROKER", "amqp://from-env")], &[]),
        "from-env",
        "env beats context"
    );
    assert_eq!(
        broker_used(
            &path,
            &[("DLQ_BROKER", "amqp://from-env")],
            &["-b", "amqp://from-flag"]
        ),
        "from-flag",
        "flag beats env"
    );
    // Defaults: with no file at all, nothing is chosen for you.
    dlq()
        .env("DLQ_CONFIG", path.with_file_name("absent.toml"))
        .args(["list", "t"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no broker given"));
    dlq()
        .env("DLQ_CONFIG", &path)
        .args(["--context", "nope", "list", "t"])
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("no context 'nope'")
                .and(predicate::str::contains("dev, staging")),
        );
}

#[test]
fn switching_context_keeps_the_file_and_lists_the_current_one() {
    let (_dir, path) = config(FILE);
    dlq()
        .env("DLQ_CONFIG", &path)
        .args(["config", "list"])
        .assert()
        .success()
        .stdout(predicate::str::contains("* dev").and(predicate::str::contains("  staging")));
    dlq()
        .env("DLQ_CONFIG", &path)
        .args(["config", "use", "staging"])
        .assert()
        .success();
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        text.contains("current-context = \"staging\"") && text.starts_with("# team contexts"),
        "{text}"
    );
    dlq()
        .env("DLQ_CONFIG", &path)
        .args(["config", "list"])
        .assert()
        .success()
        .stdout(predicate::str::contains("* staging"));
    assert_eq!(broker_used(&path, &[], &[]), "from-staging-context");
    dlq()
        .env("DLQ_CONFIG", &path)
        .args(["config", "use", "prod"])
        .assert()
        .code(2);
    dlq()
        .env("DLQ_CONFIG", &path)
        .args(["config", "show"])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("broker = \"amqp://from-staging-context\"")
                .and(predicate::str::contains("timeout = \"3s\"")),
        );
}

#[test]
fn a_context_supplies_broker_group_and_output() {
    let origin = unique("ctx-orders");
    let topic = format!("{origin}.DLT");
    seed_kafka(&origin, &topic, &["spring"], 2);
    let (_dir, path) = config(&format!(
        "current-context = \"local\"\n[contexts.local]\nbroker = \"{}\"\noutput = \"json\"\n",
        kafka_url()
    ));
    let out = dlq()
        .env("DLQ_CONFIG", &path)
        .args(["list", &topic])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let listed: serde_json::Value =
        serde_json::from_slice(&out.stdout).expect("the context's output: one JSON array");
    assert_eq!(listed.as_array().unwrap().len(), 2);
    // A flag still wins over the context's output.
    assert_eq!(
        jsonl_of(
            dlq()
                .env("DLQ_CONFIG", &path)
                .args(["list", &topic, "-o", "jsonl"])
        )
        .len(),
        2
    );
}

#[test]
fn a_config_holding_secrets_readable_by_others_gets_a_warning() {
    let (_dir, path) = config("current-context = \"p\"\n[contexts.p]\nbroker = \"amqp://x\"\nsasl-password = \"hunter2\"\n");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        dlq()
            .env("DLQ_CONFIG", &path)
            .args(["list", "t"])
            .assert()
            .stderr(
                predicate::str::contains("readable by other users")
                    .and(predicate::str::contains("chmod 600")),
            );
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        dlq()
            .env("DLQ_CONFIG", &path)
            .args(["list", "t"])
            .assert()
            .stderr(predicate::str::contains("readable by other users").not());
    }
    dlq()
        .env("DLQ_CONFIG", &path)
        .args(["config", "show"])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("hunter2")
                .not()
                .and(predicate::str::contains("(redacted)")),
        );
}

#[test]
fn a_context_adds_redaction_rules_and_flags_add_more() {
    let origin = unique("ctx-redact");
    let topic = format!("{origin}.DLT");
    seed_kafka(&origin, &topic, &["spring"], 1);
    let (_dir, path) = config(&format!(
        "current-context = \"local\"\n[contexts.local]\nbroker = \"{}\"\n\
         redact-fields = [\"expiry\"]\nredact-patterns = ['Customer \\d+']\n",
        kafka_url()
    ));
    let id = jsonl_of(dlq().env("DLQ_CONFIG", &path).args(["list", &topic]))[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let inspect = |extra: &[&str]| {
        let out = dlq()
            .env("DLQ_CONFIG", &path)
            .args(["inspect", &topic, &id, "-o", "json"])
            .args(extra)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()
    };
    let shown = inspect(&[]);
    let payload = &shown["payload"]["json"];
    assert_eq!(
        payload["payment"]["expiry"], "[REDACTED]",
        "the context's field"
    );
    assert_eq!(
        payload["customer"]["name"], "[REDACTED:custom]",
        "the context's pattern"
    );
    assert_eq!(
        payload["customer"]["email"], "[REDACTED]",
        "built-in rules stay"
    );
    assert!(payload["order_id"].is_number());
    let fields = shown["redacted_fields"].to_string();
    assert!(fields.contains("payload.payment.expiry") && fields.contains("payload.customer.name"));

    let shown = inspect(&["--redact-field", "orderId"]);
    assert_eq!(
        shown["payload"]["json"]["order_id"], "[REDACTED]",
        "a flag adds to the context"
    );
    assert_eq!(shown["payload"]["json"]["payment"]["expiry"], "[REDACTED]");

    dlq()
        .env("DLQ_CONFIG", &path)
        .args(["inspect", &topic, &id, "--redact-pattern", "(unclosed"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("redaction pattern '(unclosed'"));
}
