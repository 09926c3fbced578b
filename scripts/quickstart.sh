#!/usr/bin/env bash
# The quickstart: installs and starts the local brokers (Apache Kafka and Apache Pulsar, from
# Maven Central jars), has the real producers write dead letters on both — Kafka Connect's
# DeadLetterQueueReporter, Spring Kafka's DeadLetterPublishingRecoverer, a Kafka Streams
# application's dead-letter queue, the Kafka broker's own for a share group, a Go service's JSON
# envelopes (segmentio/kafka-go), the Pulsar Java client's dead-letter policy, and the official
# Python clients — and shows `dlq list` and
# `dlq inspect` on them. The brokers stay up afterwards so you can try more;
# `scripts/brokers.sh down` stops them.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$DLQ_ROOT"

ensure_system_packages
ensure_python_clients
say "building dlq"
ensure_dlq
say "building the Java and Go programs that write dead letters (scripts/java, scripts/go)"
ensure_seed_programs

scripts/brokers.sh down
scripts/brokers.sh up
eval "$(scripts/brokers.sh env)"
KAFKA=${DLQ_TEST_KAFKA#kafka://}
export DLQ_PULSAR_ADMIN_URL=$DLQ_TEST_PULSAR_ADMIN

show() {
  printf '\n$ dlq %s\n' "$*"
  "$DLQ_BIN" "$@"
}

say "Kafka Connect: a FileStreamSink worker reads 'orders' with the JSON converter; 2 records are not JSON, so its DeadLetterQueueReporter writes them to 'orders.dlq' with __connect.errors.* headers"
bash scripts/seed/connect_dlq.sh --bootstrap "$KAFKA" --origin orders --dlq orders.dlq \
  --count 2 --good 3 --partitions 2 --connector orders-file-sink >/dev/null
say "Spring Kafka: a listener in group 'billing' fails on every order of 'payments'; the DeadLetterPublishingRecoverer writes them to 'payments.DLT' with kafka_dlt-* headers"
java -Xmx256m -jar "$DLQ_SPRING_DLT_JAR" --bootstrap "$KAFKA" --origin payments --dlq payments.DLT \
  --count 3 --partitions 2 --group billing >/dev/null
say "Python (confluent-kafka): Avro order events dead-lettered Spring-style on 'invoices.DLT' (a raw datum of scripts/seed/order.avsc)"
"$DLQ_PYTHON" scripts/seed/kafka_dlq.py --bootstrap "$KAFKA" \
  --origin invoices --dlq invoices.DLT --style spring --count 2 --encoding avro >/dev/null
say "Kafka Streams: application 'pricing' reads 'checkout' with a JSON value serde; 1 value is not JSON and 1 order makes its processor throw, so its dead-letter queue (the built-in handlers) writes both to 'checkout.dlq' with __streams.errors.* headers"
java -Xmx256m -jar "$DLQ_STREAMS_DLQ_JAR" --bootstrap "$KAFKA" --origin checkout --dlq checkout.dlq \
  --deserialization 1 --processing 1 --good 2 --application-id pricing >/dev/null
say "Kafka share group: consumers of share group 'couriers' reject 2 records of 'deliveries' and give up on 1 after 2 deliveries; the broker writes them to 'dlq.deliveries' with __dlq.errors.* headers, without key or value (errors.deadletterqueue.copy.record.enable=false)"
java -Xmx256m -jar "$DLQ_SHARE_DLQ_JAR" --bootstrap "$KAFKA" --origin deliveries --group couriers \
  --dlq dlq.deliveries --copy false --rejected 2 --released 1 --accepted 2 >/dev/null
say "Go service (segmentio/kafka-go): consumer group 'fulfilment' reads 'orders.go'; 2 values are not JSON, 2 orders fail validation (retried once) and 1 makes the handler panic, so it writes each to 'orders.go.dlq' as a JSON envelope (original_event, error, error_class, stack_trace, …)"
"$DLQ_ENVELOPE_DLQ_BIN" --bootstrap "$KAFKA" --origin orders.go --dlq orders.go.dlq --group fulfilment \
  --parse 2 --invalid 2 --panic 1 --good 2 --partitions 2 >/dev/null
say "Pulsar Java client: subscription 'billing' of the partitioned topic 'shipments' gives up on every message (reconsumeLater, then the dead-letter policy): 'shipments-billing-RETRY' and 'shipments-billing-DLQ'"
java -Xmx256m -jar "$DLQ_PULSAR_DLQ_JAR" --url "$DLQ_TEST_PULSAR" --admin-url "$DLQ_TEST_PULSAR_ADMIN" \
  --topic shipments --subscription billing --count 4 --partitions 3 --mode retry \
  --dlq-initial-subscription ops >/dev/null

first_id() { # topic broker [filter flags…]: the id of the first entry dlq lists
  local topic=$1 broker=$2; shift 2
  "$DLQ_BIN" list "$topic" -b "$broker" -o jsonl --limit 1 "$@" | "$DLQ_PYTHON" -c 'import json,sys; print(json.loads(sys.stdin.readline())["id"])'
}

show list orders.dlq -b "$DLQ_TEST_KAFKA" -o table
show inspect orders.dlq "$(first_id orders.dlq "$DLQ_TEST_KAFKA")" -b "$DLQ_TEST_KAFKA" -o table
show list payments.DLT -b "$DLQ_TEST_KAFKA" -o table
show inspect payments.DLT "$(first_id payments.DLT "$DLQ_TEST_KAFKA")" -b "$DLQ_TEST_KAFKA" -o table
show list checkout.dlq -b "$DLQ_TEST_KAFKA" -o table
show inspect checkout.dlq "$(first_id checkout.dlq "$DLQ_TEST_KAFKA")" -b "$DLQ_TEST_KAFKA" -o table
show list dlq.deliveries -b "$DLQ_TEST_KAFKA" -o table
# Headers only: inspect fetches the original from 'deliveries' and shows it as the message.
show inspect dlq.deliveries "$(first_id dlq.deliveries "$DLQ_TEST_KAFKA")" -b "$DLQ_TEST_KAFKA" -o table
show list orders.go.dlq -b "$DLQ_TEST_KAFKA" -o table
show inspect orders.go.dlq "$(first_id orders.go.dlq "$DLQ_TEST_KAFKA" --grep 'index out of range')" -b "$DLQ_TEST_KAFKA" -o table
show inspect invoices.DLT "$(first_id invoices.DLT "$DLQ_TEST_KAFKA")" -b "$DLQ_TEST_KAFKA" --value-schema scripts/seed/order.avsc -o table
show stats payments.DLT -b "$DLQ_TEST_KAFKA" -o table
# One row per failure: the Go service's three bugs, each with its fingerprint.
show groups orders.go.dlq -b "$DLQ_TEST_KAFKA" -o table
show topics -b "$DLQ_TEST_KAFKA" -o table
show list shipments-billing-DLQ -b "$DLQ_TEST_PULSAR" -o table
show inspect shipments-billing-DLQ "$(first_id shipments-billing-DLQ "$DLQ_TEST_PULSAR")" -b "$DLQ_TEST_PULSAR" -o table
show topics -b "$DLQ_TEST_PULSAR" -o table

show replay payments.DLT --all --dry-run -b "$DLQ_TEST_KAFKA" -o table

cat <<MSG

The brokers are still running. Try, for example:
  export DLQ_BROKER=$DLQ_TEST_KAFKA
  $DLQ_BIN list payments.DLT --grep IllegalState -o json
  $DLQ_BIN inspect payments.DLT 0:0 --reveal
  $DLQ_BIN replay payments.DLT --all             # asks first; -y for scripts
  $DLQ_BIN purge orders.dlq --all                # backs up, then deletes (DeleteRecords)
  $DLQ_BIN watch payments.DLT orders.dlq         # live: arrivals, removals, top failures (q quits)
  $DLQ_BIN stats shipments-billing-DLQ -b $DLQ_TEST_PULSAR --admin-url $DLQ_TEST_PULSAR_ADMIN
Stop them with: scripts/brokers.sh down
MSG
