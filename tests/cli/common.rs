use std::path::PathBuf;
use std::process::Command as StdCommand;
use std::sync::atomic::{AtomicU32, Ordering};

use assert_cmd::Command;
use serde_json::Value;

/// `dlq` with an environment that a developer's own settings cannot leak into.
pub fn dlq() -> Command {
    Command::from_std(dlq_std())
}

/// The test's own home: `HOME`, and the state directory (`XDG_STATE_HOME`: journals, backups,
/// positions) inside it, a folder of this test's alone (by its name), shared by the dlq runs of
/// that test so that a rerun finds what its first run left.
pub fn test_home() -> std::path::PathBuf {
    let test = std::thread::current()
        .name()
        .unwrap_or("main")
        .replace("::", "-");
    let dir = std::env::temp_dir()
        .join(format!("dlq-cli-tests-{}", std::process::id()))
        .join(test);
    std::fs::create_dir_all(dir.join("state")).expect("making the test's home");
    dir
}

/// `dlq()` as a standard command, for a test that spawns it and signals it: a clean environment
/// (nothing of the developer's or CI's, only what the test sets), the test's own home and state
/// directory, no colour, and the test Pulsar's admin API (not on Pulsar's default port).
pub fn dlq_std() -> StdCommand {
    let mut cmd = StdCommand::new(assert_cmd::cargo::cargo_bin("dlq"));
    let home = test_home();
    cmd.env_clear()
        .env("HOME", &home)
        .env("XDG_STATE_HOME", home.join("state"))
        .env("NO_COLOR", "1");
    if let Ok(admin) = std::env::var("DLQ_TEST_PULSAR_ADMIN") {
        cmd.env("DLQ_PULSAR_ADMIN_URL", admin);
    }
    cmd
}

/// Creates a Pulsar topic (non-partitioned, or with `partitions`) through the admin API, as an
/// operator would before pointing a replay at it.
pub fn create_pulsar_topic(topic: &str, partitions: u32) {
    let admin = broker_env("DLQ_TEST_PULSAR_ADMIN");
    let path = if partitions == 0 {
        format!("{admin}/admin/v2/persistent/public/default/{topic}")
    } else {
        format!("{admin}/admin/v2/persistent/public/default/{topic}/partitions")
    };
    let mut curl = StdCommand::new("curl");
    curl.args(["-sf", "-X", "PUT", "-H", "Content-Type: application/json"]);
    if partitions > 0 {
        curl.args(["--data", &partitions.to_string()]);
    }
    let out = curl.arg(&path).output().expect("curl");
    assert!(
        out.status.success(),
        "creating {topic}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

pub fn broker_env(var: &str) -> String {
    std::env::var(var).unwrap_or_else(|_| {
        panic!(
            "{var} is not set: this test needs the local brokers. Start them with `scripts/brokers.sh up` \
             and load their settings with `eval \"$(scripts/brokers.sh env)\"` (scripts/test.sh does both)"
        )
    })
}

pub fn kafka_url() -> String {
    broker_env("DLQ_TEST_KAFKA")
}

pub fn pulsar_url() -> String {
    broker_env("DLQ_TEST_PULSAR")
}

pub fn python() -> String {
    broker_env("DLQ_PYTHON")
}

/// An Apache Pulsar broker of a test's own (scripts/pulsar.sh), for a broker setting the shared
/// one does not have; stopped when dropped. `env` are extra settings for `pulsar_up` (e.g.
/// `DLQ_PULSAR_BATCH_INDEX_ACK=false`).
pub struct OwnPulsar {
    pub url: String,
    pub admin: String,
    dir: tempfile::TempDir,
}

impl OwnPulsar {
    pub fn start(env: &[(&str, &str)]) -> OwnPulsar {
        let dir = tempfile::tempdir().unwrap();
        // Four consecutive free ports: the binary protocol, admin, and their TLS twins.
        let port = loop {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            let p = l.local_addr().unwrap().port();
            drop(l);
            if p < 60000
                && (1..4).all(|i| std::net::TcpListener::bind(("127.0.0.1", p + i)).is_ok())
            {
                break p;
            }
        };
        let scripts = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scripts");
        let out = StdCommand::new("bash")
            .arg("-c")
            .arg(format!(
                ". '{0}/lib.sh' && . '{0}/pulsar.sh' && pulsar_up '{1}' {port}",
                scripts.display(),
                dir.path().display()
            ))
            .envs(env.iter().copied())
            .output()
            .expect("starting Pulsar");
        let own = OwnPulsar {
            url: format!("pulsar://127.0.0.1:{port}"),
            admin: format!("http://127.0.0.1:{}", port + 1),
            dir,
        };
        assert!(
            out.status.success(),
            "pulsar_up failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        own
    }
}

impl Drop for OwnPulsar {
    fn drop(&mut self) {
        if let Ok(pid) = std::fs::read_to_string(self.dir.path().join("pulsar.pid")) {
            let _ = StdCommand::new("kill").arg(pid.trim()).status();
            // Wait for it to go, so its files can be removed with the directory.
            for _ in 0..100 {
                let alive = StdCommand::new("kill")
                    .args(["-0", pid.trim()])
                    .stderr(std::process::Stdio::null())
                    .status()
                    .is_ok_and(|s| s.success());
                if !alive {
                    break;
                }
                std::thread::sleep(std::time::Duration::from_millis(200));
            }
        }
    }
}

/// A topic name no other test (or earlier run) uses.
pub fn unique(prefix: &str) -> String {
    static N: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!(
        "{prefix}-{}-{}",
        nanos % 1_000_000_000_000,
        N.fetch_add(1, Ordering::SeqCst)
    )
}

fn seed_script(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("scripts/seed")
        .join(name)
}

fn run_seed(script: &str, args: &[&str]) -> Value {
    run_script(&seed_script(script), args)
}

/// Runs `dlq ARGS -y -o json` (a replay, restore or purge slow enough to catch), presses Ctrl-C
/// once `started` holds, and returns its JSON summary and stderr, having checked the exit 5 and
/// its words.
pub fn interrupted(
    args: &[&str],
    env: &[(&str, &str)],
    started: impl Fn() -> bool,
) -> (Value, String) {
    let child = dlq_std()
        .args(args)
        .args(["-y", "-o", "json"])
        .envs(env.iter().copied())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let since = std::time::Instant::now();
    while !started() {
        assert!(
            since.elapsed() < std::time::Duration::from_secs(60),
            "{args:?}: never saw it under way"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let pid = child.id().to_string();
    assert!(StdCommand::new("kill")
        .args(["-INT", &pid])
        .status()
        .unwrap()
        .success());
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(5), "{args:?}: stderr {err}");
    assert!(
        err.to_lowercase().contains("run the same command again"),
        "{err}"
    );
    let summary: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary["interrupted"], true, "{summary}");
    (summary, err)
}

/// Runs one of the project's Python scripts and returns the JSON it prints.
pub fn run_script(script: &std::path::Path, args: &[&str]) -> Value {
    let out = StdCommand::new(python())
        .arg(script)
        .args(args)
        .output()
        .expect("running the seed script");
    assert!(
        out.status.success(),
        "{} failed: {}\n{}",
        script.display(),
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(&out.stdout)
    );
    // The JSON is the script's last line (a client library may log before it).
    let text = String::from_utf8_lossy(&out.stdout);
    let last = text
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("");
    serde_json::from_str(last)
        .unwrap_or_else(|e| panic!("{} printed no JSON ({e}): {text}", script.display()))
}

/// scripts/seed/kafka_admin.py on the shared Apache Kafka: what an independent client sees or does
/// (watermarks, topic creation with configs, committed offsets, an aborted transaction).
pub fn kafka_admin(args: &[&str]) -> Value {
    let bootstrap = kafka_url().trim_start_matches("kafka://").to_string();
    let mut all = vec!["--bootstrap", &bootstrap];
    all.extend(args);
    run_seed("kafka_admin.py", &all)
}

/// Dead letters written by the official librdkafka client with the given framework styles.
pub fn seed_kafka(origin: &str, dlq_topic: &str, styles: &[&str], count: u32) -> Value {
    seed_kafka_at(
        kafka_url().trim_start_matches("kafka://"),
        origin,
        dlq_topic,
        styles,
        count,
    )
}

/// As `seed_kafka`, on the broker at `bootstrap`.
pub fn seed_kafka_at(
    bootstrap: &str,
    origin: &str,
    dlq_topic: &str,
    styles: &[&str],
    count: u32,
) -> Value {
    seed_kafka_with(bootstrap, origin, dlq_topic, styles, count, &[])
}

/// Spring-style dead letters whose events are written as `--encoding` asks (see
/// scripts/seed/kafka_dlq.py), with any further seed arguments.
pub fn seed_kafka_encoded(
    origin: &str,
    dlq_topic: &str,
    count: u32,
    encoding: &str,
    extra: &[&str],
) -> Value {
    let mut args = vec!["--encoding", encoding];
    args.extend(extra);
    seed_kafka_with(
        kafka_url().trim_start_matches("kafka://"),
        origin,
        dlq_topic,
        &["spring"],
        count,
        &args,
    )
}

fn seed_kafka_with(
    bootstrap: &str,
    origin: &str,
    dlq_topic: &str,
    styles: &[&str],
    count: u32,
    extra: &[&str],
) -> Value {
    let bootstrap = bootstrap.to_string();
    let count = count.to_string();
    let mut args = vec![
        "--bootstrap",
        &bootstrap,
        "--origin",
        origin,
        "--dlq",
        dlq_topic,
        "--count",
        &count,
    ];
    for s in styles {
        args.extend(["--style", s]);
    }
    args.extend(extra);
    run_seed("kafka_dlq.py", &args)
}

/// Dead letters moved to `<topic>-<subscription>-DLQ` by the official Pulsar client's
/// dead-letter policy.
pub fn seed_pulsar(topic: &str, subscription: &str, count: u32) -> Value {
    seed_pulsar_with(topic, subscription, count, &[], &[])
}

/// As `seed_pulsar`, with extra `NAME=VALUE` properties on every original message and any
/// further seed arguments.
pub fn seed_pulsar_with(
    topic: &str,
    subscription: &str,
    count: u32,
    properties: &[&str],
    extra: &[&str],
) -> Value {
    let url = pulsar_url();
    let count = count.to_string();
    let mut args = vec![
        "--url",
        &url,
        "--topic",
        topic,
        "--subscription",
        subscription,
        "--count",
        &count,
    ];
    for p in properties {
        args.extend(["--property", p]);
    }
    args.extend(extra);
    run_seed("pulsar_dlq.py", &args)
}

/// Runs `command` on a pseudo-terminal, answers `answer` once `expect` appears, and returns
/// `{"exit", "answered", "output"}` (see scripts/seed/pty_run.py).
pub fn on_terminal(expect: &str, answer: &str, command: &[&str]) -> Value {
    let out = StdCommand::new(python())
        .arg(seed_script("pty_run.py"))
        .args(["--expect", expect, "--answer", answer, "--"])
        .args(command)
        .output()
        .expect("running pty_run.py");
    assert!(
        out.status.success(),
        "pty_run.py: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("pty_run.py prints JSON")
}

/// scripts/seed/pty_run.py with `pty_args` (--expect, --answer, …) running `dlq ARGS` on a
/// pseudo-terminal, in the environment `dlq()` has plus `env`: its report (`exit`, `answered`,
/// `output`, `echo`, `canonical`).
pub fn dlq_on_terminal(pty_args: &[&str], args: &[&str], env: &[(&str, &str)]) -> Value {
    let bin = assert_cmd::cargo::cargo_bin("dlq");
    let mut cmd = StdCommand::new(python());
    cmd.env_clear();
    for (k, v) in dlq_std().get_envs() {
        if let Some(v) = v {
            cmd.env(k, v);
        }
    }
    cmd.env("PATH", std::env::var_os("PATH").unwrap_or_default());
    cmd.envs(env.iter().copied());
    let out = cmd
        .arg(seed_script("pty_run.py"))
        .args(pty_args)
        .arg("--")
        .arg(&bin)
        .args(args)
        .output()
        .expect("running pty_run.py");
    assert!(
        out.status.success(),
        "pty_run.py: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("pty_run.py prints JSON")
}

/// Runs dlq, expects success, returns stdout.
pub fn stdout_of(mut cmd: impl std::borrow::BorrowMut<Command>) -> Vec<u8> {
    let out = cmd.borrow_mut().output().expect("running dlq");
    // The end of stdout too: a summary's `failures` say why entries failed (exit 3).
    let stdout = String::from_utf8_lossy(&out.stdout);
    let tail: String = stdout
        .chars()
        .rev()
        .take(2000)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    assert!(
        out.status.success(),
        "dlq failed ({:?}): {}\nstdout (end): {tail}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// Runs dlq, expects success, parses stdout as JSON.
pub fn json_of(cmd: impl std::borrow::BorrowMut<Command>) -> Value {
    let stdout = stdout_of(cmd);
    serde_json::from_slice(&stdout).unwrap_or_else(|e| {
        panic!(
            "dlq printed no JSON ({e}): {}",
            String::from_utf8_lossy(&stdout)
        )
    })
}

/// Runs dlq, expects success, parses each stdout line as JSON.
pub fn jsonl_of(cmd: impl std::borrow::BorrowMut<Command>) -> Vec<Value> {
    String::from_utf8(stdout_of(cmd))
        .expect("UTF-8 output")
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect()
}

/// Every message of a topic as the official client reads it (see scripts/seed/read_topic.py):
/// keys, values and header values base64.
pub fn read_topic_kafka(topic: &str) -> Vec<Value> {
    let bootstrap = kafka_url().trim_start_matches("kafka://").to_string();
    read_topic(&["--kafka", &bootstrap, "--topic", topic])
}

pub fn read_topic_pulsar(topic: &str) -> Vec<Value> {
    read_topic(&[
        "--pulsar",
        &pulsar_url(),
        "--topic",
        &full_pulsar_name(topic),
    ])
}

/// The backlog of a Pulsar subscription as the official client sees it, honouring batch-index
/// acknowledgements (which the pulsar crate does not read); nothing is acknowledged.
pub fn backlog_pulsar(topic: &str, subscription: &str) -> Vec<Value> {
    read_topic(&[
        "--pulsar",
        &pulsar_url(),
        "--topic",
        &full_pulsar_name(topic),
        "--subscription",
        subscription,
    ])
}

fn full_pulsar_name(topic: &str) -> String {
    if topic.contains("://") {
        topic.to_string()
    } else {
        format!("persistent://public/default/{topic}")
    }
}

/// Has any message on the topic the header (Kafka) or property (Pulsar) `name`? Stops
/// reading at the first one, so it answers quickly while the topic is being written to.
pub fn any_with_header(kafka: bool, topic: &str, name: &str) -> bool {
    let msgs = if kafka {
        let bootstrap = kafka_url().trim_start_matches("kafka://").to_string();
        read_topic(&[
            "--kafka",
            &bootstrap,
            "--topic",
            topic,
            "--stop-at-header",
            name,
        ])
    } else {
        let full = full_pulsar_name(topic);
        let url = pulsar_url();
        read_topic(&[
            "--pulsar",
            &url,
            "--topic",
            &full,
            "--idle-ms",
            "500",
            "--stop-at-header",
            name,
        ])
    };
    msgs.last().is_some_and(|m| {
        m["properties"].get(name).is_some()
            || m["headers"]
                .as_array()
                .is_some_and(|hs| hs.iter().any(|h| h[0] == name))
    })
}

fn read_topic(args: &[&str]) -> Vec<Value> {
    let out = StdCommand::new(python())
        .arg(seed_script("read_topic.py"))
        .args(args)
        .output()
        .expect("running read_topic.py");
    assert!(
        out.status.success(),
        "read_topic.py failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect()
}

/// Decodes a base64 field of read_topic.py's output.
pub fn b64(v: &Value) -> Option<Vec<u8>> {
    use base64::Engine as _;
    v.as_str().map(|s| {
        base64::engine::general_purpose::STANDARD
            .decode(s)
            .expect("base64")
    })
}

/// Runs an official-client peer (a Python snippet) that prints `ready` once it holds what it
/// holds (a group membership, a subscription), runs `during` meanwhile, then lets it go by
/// closing its stdin.
pub fn while_peer_holds<R>(code: &str, args: &[&str], during: impl FnOnce() -> R) -> R {
    let mut child = StdCommand::new(python())
        .args(["-c", code])
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("starting the peer");
    let mut line = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(child.stdout.take().unwrap()),
        &mut line,
    )
    .unwrap();
    assert_eq!(line.trim(), "ready", "the peer did not get hold");
    let result = during();
    drop(child.stdin.take());
    let _ = child.wait();
    result
}

/// A test server from scripts/seed (an OAuth2 issuer, a schema registry) that prints its URL on
/// its first line, then one JSON line per request it served; killed when dropped.
pub struct PyServer {
    child: std::process::Child,
    pub url: String,
    lines: std::io::BufReader<std::process::ChildStdout>,
}

impl PyServer {
    pub fn start(script: &str, args: &[&str]) -> PyServer {
        use std::io::BufRead;
        let mut child = StdCommand::new(python())
            .arg(seed_script(script))
            .args(args)
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut lines = std::io::BufReader::new(child.stdout.take().unwrap());
        let mut url = String::new();
        lines.read_line(&mut url).unwrap();
        PyServer {
            child,
            url: url.trim().to_string(),
            lines,
        }
    }

    /// The next request the server reported.
    pub fn next_line(&mut self) -> Value {
        use std::io::BufRead;
        let mut line = String::new();
        self.lines.read_line(&mut line).unwrap();
        serde_json::from_str(&line).unwrap_or_else(|_| panic!("a request line: {line:?}"))
    }

    /// Stops the server and returns every request line it had not yet been asked for.
    pub fn finish(mut self) -> Vec<Value> {
        use std::io::Read;
        let _ = self.child.kill();
        let _ = self.child.wait();
        let mut rest = String::new();
        let _ = self.lines.read_to_string(&mut rest);
        rest.lines()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect()
    }
}

impl Drop for PyServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs a real producer program — a jar (scripts/java), a script (scripts/seed) or a binary
/// (scripts/go) — and returns the one JSON object it prints, having checked it succeeded.
pub fn run_producer(program: &str, args: &[&str]) -> Value {
    let mut cmd = if program.ends_with(".jar") {
        let mut c = StdCommand::new("java");
        c.args(["-Xmx256m", "-jar", program]);
        c
    } else if program.ends_with(".sh") {
        let mut c = StdCommand::new("bash");
        c.arg(program);
        c
    } else {
        StdCommand::new(program)
    };
    let out = cmd.args(args).output().expect("running the producer");
    assert!(
        out.status.success(),
        "{program} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("the producer prints one JSON object")
}

/// A copy dlq replayed to an origin topic (it carries `dlq-replay-of`), as the official client
/// reads it.
pub struct ReplayedCopy {
    pub value: Vec<u8>,
    /// In order, values raw.
    pub headers: Vec<(String, Vec<u8>)>,
}

impl ReplayedCopy {
    pub fn names(&self) -> Vec<&str> {
        self.headers.iter().map(|(n, _)| n.as_str()).collect()
    }

    /// The first header of this name, as text.
    pub fn text(&self, name: &str) -> Option<String> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| String::from_utf8_lossy(v).into_owned())
    }
}

/// The copies dlq replayed to Kafka topic `origin`, by key.
pub fn replayed_copies(origin: &str) -> std::collections::BTreeMap<String, ReplayedCopy> {
    read_topic_kafka(origin)
        .iter()
        .filter(|m| {
            m["headers"]
                .as_array()
                .unwrap()
                .iter()
                .any(|h| h[0] == "dlq-replay-of")
        })
        .map(|m| {
            let headers = m["headers"]
                .as_array()
                .unwrap()
                .iter()
                .map(|h| {
                    (
                        h[0].as_str().unwrap().to_string(),
                        b64(&h[1]).unwrap_or_default(),
                    )
                })
                .collect();
            (
                String::from_utf8(b64(&m["key"]).unwrap()).unwrap(),
                ReplayedCopy {
                    value: b64(&m["value"]).unwrap(),
                    headers,
                },
            )
        })
        .collect()
}
