#!/usr/bin/env bash
# The oldest Apache Kafka release dlq supports (default 3.9.1, the last 3.x line; KRaft), started
# alone from Maven Central jars on ports and a state folder of its own, and the tests whose
# broker behaviour differs between Kafka releases run against it: the contract suite's Kafka half
# (src/commands/testing/contract.rs), the real producers' dead letters on Kafka (Kafka
# Connect, Spring Kafka and Kafka Streams: tests/cli/producers.rs, tests/cli/streams.rs), and
# `replay --join` on the classic group protocol (tests/cli/join.rs).
# scripts/test.sh runs it after the main suite; it also runs alone (with the brokers of the main
# suite up or not: it needs none of them).
#
# Settings (environment): DLQ_OLDEST_KAFKA_VERSION (default 3.9.1), DLQ_TEST_OLDEST_KAFKA_PORT
# (default 29192; the broker also takes the next three ports).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$DLQ_ROOT"

version=${DLQ_OLDEST_KAFKA_VERSION:-3.9.1}
port=${DLQ_TEST_OLDEST_KAFKA_PORT:-29192}
# Not the main suite's brokers: nothing of theirs may leak into these tests, so that a test that
# needs Pulsar fails saying so instead of running here.
while read -r var; do unset "$var"; done < <(compgen -e | grep -E '^DLQ_(TEST_|PULSAR_|KAFKA_HOME$)' || true)
export DLQ_KAFKA_VERSION=$version
export DLQ_LOCAL_DIR=$DLQ_ROOT/.dlq-local/test-oldest-kafka
export DLQ_KAFKA_PORT=$port

started=$SECONDS
say "Apache Kafka $DLQ_KAFKA_VERSION (the oldest release dlq supports), alone on 127.0.0.1:$DLQ_KAFKA_PORT: the contract suite's Kafka half and the real producers' dead letters"
ensure_system_packages
ensure_python_clients
trap 'scripts/brokers.sh down' EXIT
scripts/brokers.sh up kafka
eval "$(scripts/brokers.sh env kafka)"
ensure_seed_programs
export DLQ_SPRING_DLT_JAR DLQ_STREAMS_DLQ_JAR DLQ_ENVELOPE_DLQ_BIN

# The same features as the main suite's runs, so cargo reuses what they built.
cargo test --features failpoints --lib -- --include-ignored commands::testing::contract::kafka::
cargo test --features failpoints --test cli -- producers::kafka_connect producers::spring_kafka streams::
# replay --join with the classic group protocol (cooperative-sticky): Kafka 3.9 offers no other.
cargo test --features failpoints --test cli -- join::kafka_a_member_joining_late
say "Apache Kafka $DLQ_KAFKA_VERSION: passed in $((SECONDS - started)) s"
