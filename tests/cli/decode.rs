//! Decoding what is inside: Avro written by fastavro and by confluent-kafka's AvroSerializer
//! (schema-registry wire format) against a registry of the tests' own, Avro dead letters from the
//! official Pulsar client, corrupt data shown raw with its error, decoded data redacted.

use predicates::prelude::*;
use serde_json::Value;

use crate::common::{
    dlq, json_of, jsonl_of, kafka_url, pulsar_url, seed_kafka_encoded, seed_pulsar_with, unique,
    PyServer,
};

fn schema_file() -> String {
    concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/seed/order.avsc").to_string()
}

fn inspect(topic: &str, id: &str, broker: &str, extra: &[&str]) -> Value {
    json_of(
        dlq()
            .args(["inspect", topic, id, "-b", broker, "-o", "json"])
            .args(extra),
    )
}

/// What every decoded order event must show: its fields, sensitive ones masked.
fn assert_order(payload: &Value) {
    assert!(payload["order_id"].as_i64().is_some(), "{payload}");
    assert_eq!(payload["amount"]["currency"], "EUR");
    assert_eq!(payload["customer"]["email"], "[REDACTED]");
    assert_eq!(payload["payment"]["card_number"], "[REDACTED]");
    assert_eq!(payload["placed_at"].as_str().map(|t| &t[..4]), Some("2023"));
}

#[test]
fn avro_written_by_fastavro_decodes_in_each_encoding_and_is_redacted() {
    let schema = schema_file();
    for (encoding, shown_as) in [
        ("avro", "avro"),
        ("avro-single-object", "avro-single-object"),
        ("avro-container", "avro-container"),
    ] {
        let origin = unique(&format!("dec-{encoding}"));
        let topic = format!("{origin}.DLT");
        let seeded = seed_kafka_encoded(&origin, &topic, 1, encoding, &[]);
        let id = seeded["entries"][0]["id"].as_str().unwrap();
        let v = inspect(&topic, id, &kafka_url(), &["--value-schema", &schema]);
        assert_eq!(v["payload_encoding"], shown_as, "{encoding}");
        assert_eq!(v["decode_errors"], Value::Array(vec![]), "{encoding}");
        let named = v["payload_schema"].as_str().unwrap();
        assert!(named.ends_with("com.example.orders.OrderPlaced"), "{named}");
        let payload = &v["payload"]["json"];
        // A container file holds a list of records.
        let event = if encoding == "avro-container" {
            &payload[0]
        } else {
            payload
        };
        assert_order(event);
        assert_eq!(event["customer"]["name"], "Customer 0");
        let redacted = v["redacted_fields"].to_string();
        assert!(
            redacted.contains("payload") && redacted.contains("email"),
            "{redacted}"
        );

        // Revealed, the decoded values are the producer's.
        let v = inspect(
            &topic,
            id,
            &kafka_url(),
            &["--value-schema", &schema, "--reveal"],
        );
        let payload = &v["payload"]["json"];
        let event = if encoding == "avro-container" {
            &payload[0]
        } else {
            payload
        };
        assert_eq!(event["payment"]["card_number"], "4111111111111111");
    }
}

#[test]
fn a_container_file_needs_no_schema_and_auto_falls_back_without_one() {
    let origin = unique("dec-ocf");
    let topic = format!("{origin}.DLT");
    let seeded = seed_kafka_encoded(&origin, &topic, 1, "avro-container", &[]);
    let id = seeded["entries"][0]["id"].as_str().unwrap();
    let v = inspect(&topic, id, &kafka_url(), &[]);
    assert_eq!(v["payload_encoding"], "avro-container");
    assert_order(&v["payload"]["json"][0]);

    // A raw datum without a schema: binary, summarised, no guess and no error in auto mode.
    let origin = unique("dec-raw");
    let topic = format!("{origin}.DLT");
    let seeded = seed_kafka_encoded(&origin, &topic, 1, "avro", &[]);
    let id = seeded["entries"][0]["id"].as_str().unwrap();
    let v = inspect(&topic, id, &kafka_url(), &[]);
    assert!(
        ["binary", "text"].contains(&v["payload_encoding"].as_str().unwrap()),
        "{}",
        v["payload_encoding"]
    );
    // Asked for Avro without a schema: the error says what is missing.
    let v = inspect(&topic, id, &kafka_url(), &["--decode", "avro"]);
    assert!(v["decode_errors"][0]
        .as_str()
        .unwrap()
        .contains("--value-schema"));
}

#[test]
fn corrupt_avro_is_shown_raw_with_its_error_and_nothing_crashes() {
    let origin = unique("dec-corrupt");
    let topic = format!("{origin}.DLT");
    let seeded = seed_kafka_encoded(&origin, &topic, 2, "avro-corrupt", &[]);
    let id = seeded["entries"][0]["id"].as_str().unwrap();
    let v = inspect(
        &topic,
        id,
        &kafka_url(),
        &["--value-schema", &schema_file()],
    );
    assert_eq!(v["payload_encoding"], "avro");
    let error = v["decode_errors"][0].as_str().unwrap();
    assert!(
        error.starts_with("payload: order.avsc: com.example.orders.OrderPlaced: "),
        "{error}"
    );
    assert!(
        v["payload"]["binary"]["size"].as_u64().is_some(),
        "raw, summarised"
    );
    // The table names the error too; list goes on through every entry.
    dlq()
        .args(["inspect", &topic, id, "-b", &kafka_url(), "-o", "table"])
        .args(["--value-schema", &schema_file()])
        .assert()
        .success()
        .stdout(predicate::str::contains("Decode error"));
    assert_eq!(
        jsonl_of(
            dlq()
                .args(["list", &topic, "-b", &kafka_url()])
                .args(["--value-schema", &schema_file()])
        )
        .len(),
        2
    );
    // A schema file that is not Avro is a usage error before anything is read.
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.avsc");
    std::fs::write(&bad, "{\"type\": \"recrd\"}").unwrap();
    dlq()
        .args(["inspect", &topic, id, "-b", &kafka_url()])
        .args(["--value-schema", bad.to_str().unwrap()])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "--value-schema: bad.avsc: not an Avro schema",
        ));
}

#[test]
fn the_registry_wire_format_is_read_with_the_registry_and_its_credentials() {
    let dir = tempfile::tempdir().unwrap();
    let secret = dir.path().join("registry-password");
    std::fs::write(&secret, "registry-secret-77\n").unwrap();
    let secret_arg = secret.to_str().unwrap();
    let mut registry = PyServer::start(
        "schema_registry.py",
        &["--user", "ops", "--password-file", secret_arg],
    );
    let origin = unique("dec-registry");
    let topic = format!("{origin}.DLT");
    // confluent-kafka's AvroSerializer registers the schema and writes the wire format.
    let seeded = seed_kafka_encoded(
        &origin,
        &topic,
        3,
        "avro-registry",
        &[
            "--registry",
            &registry.url,
            "--registry-user",
            "ops",
            "--registry-password-file",
            secret_arg,
        ],
    );
    while registry.next_line()["method"] != "POST" {}
    let id = seeded["entries"][0]["id"].as_str().unwrap();

    let with_registry = |cmd: &mut assert_cmd::Command| {
        cmd.args([
            "--schema-registry",
            &registry.url,
            "--schema-registry-user",
            "ops",
        ])
        .args(["--schema-registry-password-file", secret_arg]);
    };
    let mut cmd = dlq();
    cmd.args(["inspect", &topic, id, "-b", &kafka_url(), "-o", "json"]);
    with_registry(&mut cmd);
    let v = json_of(&mut cmd);
    assert_eq!(v["payload_encoding"], "avro-registry");
    assert_eq!(
        v["payload_schema"],
        "registry id 1: com.example.orders.OrderPlaced"
    );
    assert_order(&v["payload"]["json"]);

    // Export adds decoded copies (unredacted, like the archive) and asks the registry once.
    let mut cmd = dlq();
    cmd.args(["export", &topic, "-b", &kafka_url()])
        .env("DLQ_SCHEMA_REGISTRY_PASSWORD", "registry-secret-77");
    cmd.args([
        "--schema-registry",
        &registry.url,
        "--schema-registry-user",
        "ops",
    ]);
    let lines = jsonl_of(&mut cmd);
    assert_eq!(lines.len(), 3);
    for l in &lines {
        assert_eq!(l["decoded"]["payload_encoding"], "avro-registry");
        assert_eq!(
            l["decoded"]["payload"]["payment"]["card_number"],
            "4111111111111111"
        );
        assert!(
            l["payload"]["bytes"].is_string(),
            "the raw bytes stay for a restore"
        );
    }
    // --where reads the registry-encoded payload (the schema fetched once for the run).
    let mut cmd = dlq();
    cmd.args(["list", &topic, "-b", &kafka_url(), "-o", "jsonl"])
        .args([
            "--where",
            r#"payload.amount.currency == "EUR" && payload.order_id >= 0"#,
        ])
        .env("DLQ_SCHEMA_REGISTRY_PASSWORD", "registry-secret-77");
    cmd.args([
        "--schema-registry",
        &registry.url,
        "--schema-registry-user",
        "ops",
    ]);
    assert_eq!(jsonl_of(&mut cmd).len(), 3, "every order is in EUR");
    let requests = registry.finish();
    let fetched: Vec<_> = requests
        .iter()
        .filter(|r| r["path"] == "/schemas/ids/1")
        .collect();
    assert_eq!(
        fetched.len(),
        3,
        "one fetch per run (inspect, export, list --where): {requests:?}"
    );

    // A wrong password: entries are shown raw with the registry's refusal, not a crash.
    let registry = PyServer::start(
        "schema_registry.py",
        &["--user", "ops", "--password-file", secret_arg],
    );
    let v = json_of(
        dlq()
            .args(["inspect", &topic, id, "-b", &kafka_url(), "-o", "json"])
            .args([
                "--schema-registry",
                &registry.url,
                "--schema-registry-user",
                "ops",
            ])
            .env("DLQ_SCHEMA_REGISTRY_PASSWORD", "wrong"),
    );
    let error = v["decode_errors"][0].as_str().unwrap();
    assert!(
        error.contains("HTTP 401") && error.contains("--schema-registry-user"),
        "{error}"
    );
    assert!(v["payload"]["binary"].is_object());
    drop(registry);
    // An unreachable registry is named the same way.
    let v = json_of(
        dlq()
            .args(["inspect", &topic, id, "-b", &kafka_url(), "-o", "json"])
            .args(["--schema-registry", "http://127.0.0.1:1"]),
    );
    assert!(v["decode_errors"][0]
        .as_str()
        .unwrap()
        .contains("cannot reach the schema registry at http://127.0.0.1:1"));
}

#[test]
fn avro_dead_letters_from_the_official_pulsar_client_decode() {
    let topic = unique("dec-avro-orders");
    let seeded = seed_pulsar_with(
        &topic,
        "billing",
        2,
        &[],
        &["--avro-schema", &schema_file()],
    );
    let dlq_topic = seeded["dlq_topic"].as_str().unwrap();
    let listed = jsonl_of(dlq().args(["list", dlq_topic, "-b", &pulsar_url()]));
    assert_eq!(listed.len(), 2);
    let id = listed[0]["id"].as_str().unwrap();
    let v = inspect(
        dlq_topic,
        id,
        &pulsar_url(),
        &["--value-schema", &schema_file()],
    );
    assert_eq!(v["payload_encoding"], "avro");
    assert_eq!(v["convention"], "pulsar-client");
    assert_order(&v["payload"]["json"]);
}
