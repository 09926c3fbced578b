//! Reaching secured brokers: SASL/SCRAM-SHA-512 and mutual TLS against listeners that Apache
//! Kafka itself serves (scripts/kafka.sh: the SCRAM user is made when the log directory is
//! formatted, the TLS listener requires a client certificate of the test CA), Pulsar OAuth2
//! against an issuer of the test's own, secrets that never show in `ps` or error messages, and
//! failures named as such.

use predicates::prelude::*;

use crate::common::{
    broker_env, dlq, jsonl_of, pulsar_url, seed_kafka, seed_pulsar, unique, PyServer,
};

const PASSWORD: &str = "correct-horse-battery-staple";

/// A DLQ written through the plaintext listener, to be read through a secured one.
fn seeded(styles: &[&str], count: u32) -> String {
    let origin = unique("sec-orders");
    let dlq_topic = format!("{origin}.DLT");
    seed_kafka(&origin, &dlq_topic, styles, count);
    dlq_topic
}

/// The broker's SASL_PLAINTEXT listener as its SCRAM user (the password comes from the test).
fn sasl() -> Vec<String> {
    [
        "-b".to_string(),
        broker_env("DLQ_TEST_KAFKA_SASL"),
        "--sasl-mechanism".into(),
        "SCRAM-SHA-512".into(),
        "--sasl-username".into(),
        broker_env("DLQ_TEST_KAFKA_SCRAM_USER"),
        "--timeout".into(),
        "5s".into(),
    ]
    .to_vec()
}

#[test]
fn kafka_sasl_scram_connects_with_the_right_secret_and_names_the_wrong_one() {
    let topic = seeded(&["spring"], 2);
    let password = broker_env("DLQ_TEST_KAFKA_SCRAM_PASSWORD");
    let listed = jsonl_of(
        dlq()
            .args(["list", &topic, "-o", "jsonl"])
            .args(sasl())
            .env("DLQ_SASL_PASSWORD", &password),
    );
    assert_eq!(listed.len(), 2, "DLQ_SASL_PASSWORD");

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("password");
    std::fs::write(&file, format!("{password}\n")).unwrap();
    let listed = jsonl_of(
        dlq()
            .args([
                "list",
                &topic,
                "-o",
                "jsonl",
                "--password-file",
                file.to_str().unwrap(),
            ])
            .args(sasl()),
    );
    assert_eq!(listed.len(), 2, "--password-file");

    dlq()
        .args(["list", &topic])
        .args(sasl())
        .env("DLQ_SASL_PASSWORD", "not-the-password")
        .timeout(std::time::Duration::from_secs(60))
        .assert()
        .code(1)
        .stderr(
            predicate::str::contains("authentication with Kafka")
                .and(predicate::str::contains("DLQ_SASL_PASSWORD"))
                .and(predicate::str::contains("not-the-password").not()),
        );

    dlq()
        .args(["list", &topic, "-o", "jsonl"])
        .args(sasl())
        .args(["-X", &format!("sasl.password={password}")])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "warning: -X sasl.password puts a secret on the command line",
        ));

    dlq()
        .args(["list", &topic])
        .args(sasl())
        .env_remove("DLQ_SASL_PASSWORD")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("SASL needs a password"));
}

#[test]
fn secrets_do_not_show_in_ps() {
    // A broker that never answers keeps dlq running long enough to look at it.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("kafka://{}", silent.local_addr().unwrap());
    let child = std::process::Command::new(assert_cmd::cargo::cargo_bin("dlq"))
        .args([
            "list",
            "t",
            "-b",
            &url,
            "--sasl-mechanism",
            "PLAIN",
            "--sasl-username",
            "alice",
            "--timeout",
            "3s",
        ])
        .env("DLQ_SASL_PASSWORD", PASSWORD)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(300));
    let ps = std::process::Command::new("ps")
        .args(["-ww", "-o", "args=", "-p", &child.id().to_string()])
        .output()
        .unwrap();
    let args = String::from_utf8_lossy(&ps.stdout).to_string();
    assert!(
        args.contains("--sasl-username"),
        "ps shows the process: {args}"
    );
    assert!(!args.contains(PASSWORD), "ps shows no password: {args}");
    let out = child.wait_with_output().unwrap();
    assert!(
        !String::from_utf8_lossy(&out.stderr).contains(PASSWORD),
        "nor does the error"
    );
}

/// `openssl` with these arguments, in `dir`.
fn openssl(dir: &std::path::Path, args: &[&str]) {
    let out = std::process::Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("openssl");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Two CAs; a server certificate for 127.0.0.1 and a client certificate, both signed by `ca`.
fn make_pki(d: &std::path::Path) {
    let new_ca = |name: &str, cn: &str| {
        let (key, pem) = (format!("{name}.key"), format!("{name}.pem"));
        openssl(
            d,
            &[
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", cn,
                "-keyout", &key, "-out", &pem,
            ],
        );
    };
    new_ca("ca", "/CN=server CA");
    new_ca("other", "/CN=other CA");
    std::fs::write(
        d.join("server.cnf"),
        "subjectAltName=IP:127.0.0.1,DNS:localhost\n",
    )
    .unwrap();
    std::fs::write(d.join("client.cnf"), "extendedKeyUsage=clientAuth\n").unwrap();
    for (name, cn) in [("server", "/CN=localhost"), ("client", "/CN=dlq-operator")] {
        let (key, csr, pem, ext) = (
            format!("{name}.key"),
            format!("{name}.csr"),
            format!("{name}.pem"),
            format!("{name}.cnf"),
        );
        openssl(
            d,
            &[
                "req", "-newkey", "rsa:2048", "-nodes", "-subj", cn, "-keyout", &key, "-out", &csr,
            ],
        );
        openssl(
            d,
            &[
                "x509",
                "-req",
                "-in",
                &csr,
                "-CA",
                "ca.pem",
                "-CAkey",
                "ca.key",
                "-CAcreateserial",
                "-days",
                "1",
                "-extfile",
                &ext,
                "-out",
                &pem,
            ],
        );
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn wait_for_port(port: u16) {
    for _ in 0..50 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    panic!("nothing listens on {port}");
}

/// A child process killed when dropped.
struct Killed(std::process::Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn kafka_mutual_tls_connects_with_the_right_certificates_and_names_a_missing_one() {
    // The broker's SSL listener requires a client certificate signed by the test CA
    // (scripts/kafka.sh: ssl.client.auth=required), so every connection librdkafka makes is TLS.
    let dlq_topic = seeded(&["connect"], 3);
    let pki = std::path::PathBuf::from(broker_env("DLQ_TEST_KAFKA_PKI"));
    let url = broker_env("DLQ_TEST_KAFKA_TLS");
    let file = |n: &str| pki.join(n).display().to_string();
    let listed = jsonl_of(dlq().args(["list", &dlq_topic, "-b", &url]).args([
        "--ca-file",
        &file("ca.pem"),
        "--cert-file",
        &file("client.crt"),
        "--key-file",
        &file("client.key"),
    ]));
    assert_eq!(listed.len(), 3, "listed over mutual TLS");
    assert!(listed.iter().all(|e| e["convention"] == "kafka-connect"));

    // Without a client certificate the server refuses the handshake: a TLS failure, named.
    dlq()
        .args(["list", &dlq_topic, "-b", &url, "--timeout", "5s"])
        .args(["--ca-file", &file("ca.pem")])
        .timeout(std::time::Duration::from_secs(60))
        .assert()
        .code(1)
        .stderr(predicate::str::contains("TLS with Kafka"));
}

#[test]
fn pulsar_over_tls_connects_with_the_right_ca_and_names_the_wrong_one() {
    // Apache Pulsar serves TLS itself (brokerServicePortTls, a certificate of the test CA).
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    make_pki(d);
    let seeded = seed_pulsar(&unique("tls-orders"), "billing", 2);
    let dlq_topic = seeded["dlq_topic"].as_str().unwrap().to_string();
    let tls_url = broker_env("DLQ_TEST_PULSAR_TLS");
    let ca = std::path::PathBuf::from(broker_env("DLQ_TEST_PULSAR_PKI")).join("ca.pem");
    let listed = jsonl_of(
        dlq()
            .args(["list", &dlq_topic, "-b", &tls_url])
            .args(["--ca-file", ca.to_str().unwrap()])
            .args(["--admin-url", &broker_env("DLQ_TEST_PULSAR_ADMIN_TLS")]),
    );
    assert_eq!(listed.len(), 2, "listed over TLS");

    // A CA that did not sign the broker's certificate.
    dlq()
        .args(["list", &dlq_topic, "-b", &tls_url, "--timeout", "5s"])
        .args(["--ca-file", d.join("other.pem").to_str().unwrap()])
        .timeout(std::time::Duration::from_secs(60))
        .assert()
        .code(1)
        .stderr(
            predicate::str::contains("TLS with Pulsar")
                .and(predicate::str::contains("certificate verify failed"))
                .and(predicate::str::contains("--ca-file")),
        );
}

#[test]
fn pulsar_token_authentication_admits_the_right_token_and_names_a_wrong_one() {
    // The broker runs AuthenticationProviderToken with a key of the test's own; clients without
    // credentials are admitted as an anonymous role, a token the key did not sign is refused.
    let seeded = seed_pulsar(&unique("token-orders"), "billing", 2);
    let dlq_topic = seeded["dlq_topic"].as_str().unwrap().to_string();
    let token_file = broker_env("DLQ_TEST_PULSAR_TOKEN_FILE");
    let token = std::fs::read_to_string(&token_file)
        .unwrap()
        .trim()
        .to_string();
    let listed = jsonl_of(
        dlq()
            .args(["list", &dlq_topic, "-b", &pulsar_url()])
            .args(["--token-file", &token_file]),
    );
    assert_eq!(listed.len(), 2, "--token-file");
    let listed = jsonl_of(
        dlq()
            .args(["list", &dlq_topic, "-b", &pulsar_url()])
            .env("DLQ_PULSAR_TOKEN", &token),
    );
    assert_eq!(listed.len(), 2, "DLQ_PULSAR_TOKEN");

    // Signed with another key: same header and claims, wrong signature.
    let (head_body, _) = token.rsplit_once('.').unwrap();
    let forged = format!("{head_body}.c2lnbmVkLWJ5LWFub3RoZXIta2V5");
    dlq()
        .args(["list", &dlq_topic, "-b", &pulsar_url(), "--timeout", "5s"])
        .env("DLQ_PULSAR_TOKEN", &forged)
        .timeout(std::time::Duration::from_secs(60))
        .assert()
        .code(1)
        .stderr(
            predicate::str::contains("authentication with Pulsar")
                .and(predicate::str::contains("DLQ_PULSAR_TOKEN"))
                .and(predicate::str::contains(&forged).not())
                .and(predicate::str::contains("c2lnbmVkLWJ5LWFub3RoZXIta2V5").not()),
        );
}

#[test]
fn a_broker_certificate_from_another_ca_is_named_as_a_tls_failure() {
    // A TLS endpoint whose certificate another CA signed: verification must fail, and say so.
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    make_pki(d);
    let port = free_port();
    let _server = Killed(
        std::process::Command::new("openssl")
            .args([
                "s_server",
                "-quiet",
                "-accept",
                &format!("127.0.0.1:{port}"),
            ])
            .args(["-cert", "server.pem", "-key", "server.key"])
            .current_dir(d)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap(),
    );
    wait_for_port(port);
    let other = d.join("other.pem");
    let result = dlq()
        .args([
            "list",
            "t",
            "-b",
            &format!("kafka://127.0.0.1:{port}"),
            "--ca-file",
            other.to_str().unwrap(),
            "--timeout",
            "5s",
        ])
        .timeout(std::time::Duration::from_secs(60))
        .assert();
    result.code(1).stderr(
        predicate::str::contains("TLS with Kafka")
            .and(predicate::str::contains("certificate verify failed"))
            .and(predicate::str::contains("--ca-file")),
    );
}

#[test]
fn security_flags_belong_to_their_broker() {
    dlq()
        .args([
            "list",
            "t",
            "-b",
            "pulsar://127.0.0.1:1",
            "--sasl-mechanism",
            "PLAIN",
            "--sasl-username",
            "a",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("for Kafka brokers"));
    dlq()
        .args([
            "list",
            "t",
            "-b",
            "kafka://127.0.0.1:1",
            "--token-file",
            "/dev/null",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("for Pulsar brokers"));
    dlq()
        .args(["list", "t", "-b", "kafka://127.0.0.1:1", "-X", "novalue"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("KEY=VALUE"));
}

/// An OAuth2 issuer of the test's own (scripts/seed/oauth_issuer.py) that grants the token the
/// broker's AuthenticationProviderToken accepts (scripts/pulsar.sh made it).
fn issuer(dir: &std::path::Path, client_id: &str, secret: &str) -> PyServer {
    let secret_file = dir.join("issuer-secret");
    std::fs::write(&secret_file, secret).unwrap();
    PyServer::start(
        "oauth_issuer.py",
        &[
            "--client-id",
            client_id,
            "--client-secret-file",
            secret_file.to_str().unwrap(),
            "--access-token-file",
            &broker_env("DLQ_TEST_PULSAR_TOKEN_FILE"),
        ],
    )
}

#[test]
fn pulsar_oauth2_client_credentials_fetch_a_token_and_a_refused_client_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let secret = "oauth-client-secret-4711";
    let mut issuer = issuer(dir.path(), "dlq-operator", secret);
    let topic = unique("oauth-orders");
    let seeded = seed_pulsar(&topic, "billing", 2);
    let dlq_topic = seeded["dlq_topic"].as_str().unwrap().to_string();
    let key = dir.path().join("key.json");
    let key_arg = key.display().to_string();
    let issuer_url = issuer.url.clone();
    let run = |client_secret: &str| {
        std::fs::write(
            &key,
            format!(r#"{{"client_id": "dlq-operator", "client_secret": "{client_secret}"}}"#),
        )
        .unwrap();
        let mut cmd = dlq();
        cmd.args(["list", &dlq_topic, "-o", "jsonl", "-b", &pulsar_url()])
            .args(["--oauth2-issuer-url", &issuer_url])
            .args(["--oauth2-credentials-file", &key_arg])
            .env("DLQ_OAUTH2_AUDIENCE", "urn:pulsar:test");
        cmd
    };

    // The right client: a token is fetched with client credentials, the broker verifies it, and
    // the DLQ is listed.
    let listed = jsonl_of(run(secret));
    assert_eq!(listed.len(), 2);
    let asked = issuer.next_line();
    assert_eq!(asked["client_id"], "dlq-operator");
    assert_eq!(asked["grant_type"], "client_credentials");
    assert_eq!(asked["audience"], "urn:pulsar:test");
    assert_eq!(asked["granted"], true);

    // A wrong secret: the issuer refuses it, and dlq says so (not "unreachable").
    run("not-the-secret").assert().code(1).stderr(
        predicate::str::contains("authentication with Pulsar")
            .and(predicate::str::contains("invalid_client"))
            .and(predicate::str::contains("--oauth2-credentials-file"))
            .and(predicate::str::contains("not-the-secret").not()),
    );
    assert_eq!(issuer.next_line()["granted"], false);

    // Half a configuration, or a key file without a secret, is a usage error before connecting.
    dlq()
        .args(["list", "t", "-b", "pulsar://127.0.0.1:1"])
        .args(["--oauth2-issuer-url", &issuer.url])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--oauth2-credentials-file"));
    std::fs::write(&key, r#"{"client_id": "dlq-operator"}"#).unwrap();
    dlq()
        .args(["list", "t", "-b", "pulsar://127.0.0.1:1"])
        .args(["--oauth2-issuer-url", &issuer.url])
        .args(["--oauth2-credentials-file", &key_arg])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("lacks client_id or client_secret"));
}
