//! What dlq does before (or instead of) talking to a broker: usage errors, unreachable
//! brokers, help. No broker needed.

use std::net::TcpListener;
use std::time::{Duration, Instant};

use predicates::prelude::*;

use crate::common::dlq;

/// A local port with nothing listening on it.
fn closed_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    drop(l);
    port
}

#[test]
fn no_broker_is_a_usage_error_naming_the_flag_and_variable() {
    dlq().args(["list", "orders.DLT"]).assert().code(2).stderr(
        predicate::str::contains("-b/--broker").and(predicate::str::contains("DLQ_BROKER")),
    );
}

#[test]
fn unknown_url_scheme_is_a_usage_error() {
    dlq()
        .args(["list", "t", "-b", "amqp://localhost:5672"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "no backend for URL scheme 'amqp://'",
        ));
}

#[test]
fn broker_comes_from_the_environment() {
    dlq()
        .env("DLQ_BROKER", "amqp://x")
        .args(["list", "t"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("amqp://"));
}

#[test]
fn bad_times_regexes_and_header_maps_are_usage_errors() {
    for args in [
        vec!["--since", "yesterday"],
        vec!["--until", "10:42"],
        vec!["--since", "2026-11-22", "--until", "2026-11-21"],
        vec!["--grep", "("],
        vec!["--header-map", "colour=x-colour"],
        vec!["--header-map", "origin_topic"],
        vec!["--limit", "0"],
        vec!["--timeout", "soon"],
    ] {
        dlq()
            .args(["list", "t", "-b", "kafka://127.0.0.1:1"])
            .args(&args)
            .assert()
            .code(2)
            .stderr(predicate::str::starts_with("dlq: error:"));
    }
}

#[test]
fn malformed_entry_ids_are_usage_errors() {
    // The id is parsed before any network round trip on Kafka.
    dlq()
        .args([
            "inspect",
            "t",
            "not-an-id",
            "-b",
            &format!("kafka://127.0.0.1:{}", closed_port()),
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("PARTITION:OFFSET"));
}

#[test]
fn unreachable_kafka_fails_with_exit_4_within_the_timeout() {
    let start = Instant::now();
    dlq()
        .args([
            "list",
            "orders.DLT",
            "--timeout",
            "2s",
            "-b",
            &format!("kafka://127.0.0.1:{}", closed_port()),
        ])
        .timeout(Duration::from_secs(30))
        .assert()
        .code(4)
        .stderr(predicate::str::contains("cannot reach Kafka at 127.0.0.1"));
    // Not a performance claim: the error must come from our timeout, not a client's default
    // minute-long retry loop.
    assert!(
        start.elapsed() < Duration::from_secs(20),
        "took {:?}",
        start.elapsed()
    );
}

#[test]
fn unreachable_pulsar_fails_with_exit_4_within_the_timeout() {
    let start = Instant::now();
    dlq()
        .args([
            "list",
            "t-DLQ",
            "--timeout",
            "2s",
            "-b",
            &format!("pulsar://127.0.0.1:{}", closed_port()),
        ])
        .timeout(Duration::from_secs(30))
        .assert()
        .code(4)
        .stderr(predicate::str::contains(
            "cannot reach Pulsar at pulsar://127.0.0.1",
        ));
    assert!(
        start.elapsed() < Duration::from_secs(20),
        "took {:?}",
        start.elapsed()
    );
}

#[test]
fn help_lists_exit_codes_and_examples() {
    dlq()
        .arg("--help")
        .assert()
        .success()
        .stdout(predicate::str::contains("4 broker unreachable"));
    dlq().args(["list", "--help"]).assert().success().stdout(
        predicate::str::contains("Examples:").and(predicate::str::contains("--header-map")),
    );
}

#[test]
fn colour_follows_the_flag_and_no_color() {
    let run = |args: &[&str], no_color: bool| {
        let mut cmd = dlq();
        cmd.args(["list", "t", "-b", "amqp://x"]).args(args);
        if !no_color {
            cmd.env_remove("NO_COLOR");
        }
        String::from_utf8(cmd.output().unwrap().stderr).unwrap()
    };
    assert!(
        run(&["--color", "always"], false).contains("\u{1b}["),
        "always: escape codes"
    );
    assert!(
        !run(&["--color", "never"], false).contains('\u{1b}'),
        "never"
    );
    assert!(
        !run(&[], true).contains('\u{1b}'),
        "NO_COLOR, and stderr is no terminal"
    );
}

#[test]
fn verbose_logs_never_carry_secrets() {
    let secret = "pa55-w0rd-never-logged";
    let out = dlq()
        .args([
            "-vv",
            "list",
            "t",
            "-b",
            &format!("kafka://127.0.0.1:{}", closed_port()),
        ])
        .args([
            "--sasl-mechanism",
            "PLAIN",
            "--sasl-username",
            "alice",
            "--timeout",
            "2s",
        ])
        .env("DLQ_SASL_PASSWORD", secret)
        .timeout(Duration::from_secs(30))
        .output()
        .unwrap();
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("connecting") && err.contains("sasl.password"),
        "logs name the property: {err}"
    );
    assert!(!err.contains(secret), "but never its value: {err}");
}

/// A flag the resolved mode would not use is refused before anything connects (#22): the
/// issue's own example, a rewind given --keep-dlq-headers.
#[test]
fn a_flag_the_mode_does_not_use_is_refused_naming_it_and_the_mode() {
    let broker = format!("kafka://127.0.0.1:{}", closed_port());
    dlq()
        .args(["replay", "orders", "--since", "1h", "--group", "billing"])
        .args(["--keep-dlq-headers", "-y", "-b", &broker])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "--keep-dlq-headers does not apply to a rewind",
        ));
    dlq()
        .args([
            "replay",
            "--from-file",
            "backup.jsonl",
            "--all",
            "-y",
            "-b",
            &broker,
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "--all does not apply to --from-file",
        ));
}

/// `--all` on a read is the old spelling of `--include-handled`: it still works, with a note.
#[test]
fn all_on_a_read_still_works_with_a_deprecation_note() {
    let broker = format!("kafka://127.0.0.1:{}", closed_port());
    for command in ["list", "stats", "export"] {
        dlq()
            .args([
                command,
                "orders.DLT",
                "--all",
                "--timeout",
                "1s",
                "-b",
                &broker,
            ])
            .assert()
            .code(4)
            .stderr(
                predicate::str::contains(format!("--all on `dlq {command}` is deprecated"))
                    .and(predicate::str::contains("use --include-handled")),
            );
        dlq()
            .args([
                command,
                "orders.DLT",
                "--include-handled",
                "--timeout",
                "1s",
            ])
            .args(["-b", &broker])
            .assert()
            .code(4)
            .stderr(predicate::str::contains("deprecated").not())
            // Exit 4 says how to go on, as a command to paste.
            .stderr(predicate::str::contains(format!(
                "once the broker answers, run the same command again:\n  dlq {command} orders.DLT \
                 --include-handled --timeout 1s -b {broker}\n"
            )));
    }
}

/// Each CLI test runs dlq in a clean environment of its own (#22): a setting in the environment
/// the tests run in (a developer's DLQ_BROKER, CI's) does not reach it, and its HOME and state
/// directory are the test's alone.
#[test]
fn the_tests_environment_does_not_reach_dlq() {
    // Every other test's dlq clears its environment too, so this affects none of them.
    std::env::set_var("DLQ_BROKER", "kafka://127.0.0.1:1");
    let out = dlq().args(["list", "orders.DLT"]).output().unwrap();
    std::env::remove_var("DLQ_BROKER");
    assert_eq!(out.status.code(), Some(2), "no broker given: a usage error");
    let home = crate::common::test_home();
    assert!(
        home.ends_with("offline-the_tests_environment_does_not_reach_dlq"),
        "{home:?}"
    );
    assert!(home.join("state").is_dir());
}
