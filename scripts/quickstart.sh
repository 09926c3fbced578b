#!/usr/bin/env bash
# The quickstart: installs and starts the local brokers (tansu for Kafka, pulsar-lite for
# Pulsar), seeds realistic dead letters on both with the official clients, and shows
# `dlq list` and `dlq inspect` on them. The brokers stay up afterwards so you can try more;
# `scripts/brokers.sh down` stops them.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$DLQ_ROOT"

ensure_system_packages
ensure_python_clients
say "building dlq"
ensure_dlq

scripts/brokers.sh down
scripts/brokers.sh up
eval "$(scripts/brokers.sh env)"

show() {
  printf '\n$ dlq %s\n' "$*"
  "$DLQ_BIN" "$@"
}

say "seeding Kafka: order events on 'orders', dead letters on 'orders.DLT' written as Kafka Connect, Spring Kafka and a JSON-envelope producer would"
"$DLQ_PYTHON" scripts/seed/kafka_dlq.py --bootstrap "${DLQ_TEST_KAFKA#kafka://}" \
  --origin orders --dlq orders.DLT --style connect --style spring --style envelope --count 2 >/dev/null
say "seeding Kafka: Avro order events on 'invoices.DLT', written with fastavro as a raw datum of scripts/seed/order.avsc"
"$DLQ_PYTHON" scripts/seed/kafka_dlq.py --bootstrap "${DLQ_TEST_KAFKA#kafka://}" \
  --origin invoices --dlq invoices.DLT --style spring --count 2 --encoding avro >/dev/null
say "seeding Pulsar: events on 'payments' that the 'billing' subscription nacks until the official client's dead-letter policy moves them to 'payments-billing-DLQ'"
"$DLQ_PYTHON" scripts/seed/pulsar_dlq.py --url "$DLQ_TEST_PULSAR_DIRECT" \
  --topic payments --subscription billing --count 3 >/dev/null

first_id() { # topic broker [filter flags…]: the id of the first entry dlq lists
  local topic=$1 broker=$2; shift 2
  "$DLQ_BIN" list "$topic" -b "$broker" -o jsonl --limit 1 "$@" | "$DLQ_PYTHON" -c 'import json,sys; print(json.loads(sys.stdin.readline())["id"])'
}

show list orders.DLT -b "$DLQ_TEST_KAFKA" -o table
show inspect orders.DLT "$(first_id orders.DLT "$DLQ_TEST_KAFKA" --grep ListenerExecutionFailed)" -b "$DLQ_TEST_KAFKA" -o table
show stats orders.DLT -b "$DLQ_TEST_KAFKA" -o table
show topics -b "$DLQ_TEST_KAFKA" -o table
show inspect invoices.DLT "$(first_id invoices.DLT "$DLQ_TEST_KAFKA")" -b "$DLQ_TEST_KAFKA" --value-schema scripts/seed/order.avsc -o table
show list payments-billing-DLQ -b "$DLQ_TEST_PULSAR" -o table
show inspect payments-billing-DLQ "$(first_id payments-billing-DLQ "$DLQ_TEST_PULSAR")" -b "$DLQ_TEST_PULSAR" -o table

show replay orders.DLT --grep DataException --dry-run -b "$DLQ_TEST_KAFKA" -o table

cat <<MSG

The brokers are still running. Try, for example:
  export DLQ_BROKER=$DLQ_TEST_KAFKA
  $DLQ_BIN list orders.DLT --grep DataException -o json
  $DLQ_BIN inspect orders.DLT 0:0 --reveal
  $DLQ_BIN stats payments-billing-DLQ -b $DLQ_TEST_PULSAR
  $DLQ_BIN replay orders.DLT --grep DataException      # asks first; -y for scripts
Stop them with: scripts/brokers.sh down
MSG
