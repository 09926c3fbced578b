#!/usr/bin/env bash
# The whole test suite, on a fresh machine or a warm one: installs what is missing (Debian
# packages, the official Python clients, Apache Kafka's and Apache Pulsar's jars from Maven
# Central, the Java programs that write dead letters), checks formatting and lints, starts the
# local brokers on ports of their own with fresh storage, runs every test, and stops the brokers
# again; then the Kafka tests again on the oldest Kafka release dlq supports
# (scripts/test_oldest_kafka.sh). Downloads and builds are cached under ~/.cache/dlq.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$DLQ_ROOT"

ensure_system_packages
ensure_python_clients

say "cargo fmt --check"
cargo fmt --all -- --check
say "cargo clippy (warnings are errors)"
cargo clippy -q --workspace --all-targets --features failpoints -- -D warnings

# Ports and state apart from the quickstart's, so both can run on one machine.
export DLQ_LOCAL_DIR=$DLQ_ROOT/.dlq-local/test
export DLQ_KAFKA_PORT=${DLQ_TEST_KAFKA_PORT:-29092}
export DLQ_PULSAR_PORT=${DLQ_TEST_PULSAR_PORT:-26650}
trap 'scripts/brokers.sh down' EXIT
scripts/brokers.sh up
eval "$(scripts/brokers.sh env)"
# The real dead-letter producers the tests run (Java sources in scripts/java, Go in scripts/go,
# built here).
ensure_seed_programs
export DLQ_SPRING_DLT_JAR DLQ_PULSAR_DLQ_JAR DLQ_STREAMS_DLQ_JAR DLQ_SHARE_DLQ_JAR DLQ_ENVELOPE_DLQ_BIN

say "cargo test (unit tests and the contract suite on memory, Kafka and Pulsar, then the CLI against both brokers)"
# failpoints: the fault tests (tests/cli/faults.rs) pause dlq at chosen steps; without the
# feature the fail points are compiled out, as in a release build.
# --include-ignored: the contract suite's Kafka and Pulsar halves (src/commands/testing/contract.rs) are
# ignored in a bare `cargo test`, which has no brokers; here they run.
# The timed redaction test is a benchmark (scripts/bench.sh runs it in a release build).
cargo test --workspace --features failpoints -- --skip faults:: --skip join::kafka_ --skip join::pulsar_ --include-ignored \
  --skip hostile_megabytes_redact_in_under_a_second_each
# The joined replays on their own, one at a time: each runs two or three dlq processes over tens
# of thousands of entries with the official clients reading them back, a load under which other
# tests' reads waited out their --timeout on the shared broker (seen once in CI: `dlq topics`
# asking Pulsar for a last message id).
say "cargo test: replay --join (tests/cli/join.rs)"
cargo test --features failpoints --test cli -- --test-threads=1 join::kafka_ join::pulsar_
# The fault tests on their own, one at a time: each runs a broker of its own and times how long
# dlq takes to give up, which a machine busy with the rest of the suite would blur.
say "cargo test: broker faults (tests/cli/faults.rs)"
cargo test --features failpoints --test cli -- --test-threads=1 faults::

# The oldest Apache Kafka dlq supports, alone (scripts/test_oldest_kafka.sh): the main brokers
# are stopped first, so it has the machine to itself.
scripts/brokers.sh down
bash scripts/test_oldest_kafka.sh
