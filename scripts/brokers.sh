#!/usr/bin/env bash
# Local brokers for dlq's quickstart and tests: Apache Kafka 4.4 (KRaft; scripts/kafka.sh) and
# Apache Pulsar 4.0 standalone (scripts/pulsar.sh), both run from Maven Central jars. Installed
# on first use and cached under ~/.cache/dlq.
#
#   scripts/brokers.sh up [kafka]   install if needed, start both (or Kafka alone) with fresh
#                                   storage, wait until ready
#   scripts/brokers.sh down         stop what runs (by PID; SIGTERM, then SIGKILL after 20 s)
#   scripts/brokers.sh env [kafka]  print the variables that point dlq and the tests at them
#                                   (with `kafka`: Kafka's alone, so a test that needs Pulsar
#                                   fails saying so instead of finding some other broker)
#   scripts/brokers.sh status       say what is running
#
# Settings (environment): DLQ_LOCAL_DIR (state: pids, logs, data, certificates; default
# ./.dlq-local), DLQ_KAFKA_PORT (default 19092; Kafka also takes the next three ports: controller,
# SASL/SCRAM, mutual TLS), DLQ_PULSAR_PORT (default 16650; Pulsar also takes the next three:
# admin REST, pulsar+ssl, https), DLQ_KAFKA_VERSION (the Apache Kafka release to run, default
# 4.4.0; scripts/kafka.sh says which others it knows how to start).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/kafka.sh"
. "$(dirname "$0")/pulsar.sh"

STATE=${DLQ_LOCAL_DIR:-$DLQ_ROOT/.dlq-local}
KAFKA_PORT=${DLQ_KAFKA_PORT:-19092}
PULSAR_PORT=${DLQ_PULSAR_PORT:-16650}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

running() { [ -f "$STATE/$1.pid" ] && kill -0 "$(cat "$STATE/$1.pid")" 2>/dev/null; }

stop() { # name
  local name=$1 pid i
  [ -f "$STATE/$name.pid" ] || return 0
  pid=$(cat "$STATE/$name.pid")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for i in $(seq 1 200); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then
      say "$name (pid $pid) ignored SIGTERM for 20 s; sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  rm -f "$STATE/$name.pid"
}

up() { # [kafka]
  local only=${1:-} p n ports
  ensure_system_packages
  ensure_kafka
  # The Connect worker scripts/seed/connect_dlq.sh runs, installed here rather than mid-test.
  ensure_kafka_connect
  [ "$only" = kafka ] || ensure_pulsar
  for n in kafka pulsar; do
    running "$n" && die "$n is already running (pid $(cat "$STATE/$n.pid")); run '$0 down' first"
  done
  ports=$(seq "$KAFKA_PORT" $((KAFKA_PORT + 3)))
  [ "$only" = kafka ] || ports="$ports $(seq "$PULSAR_PORT" $((PULSAR_PORT + 3)))"
  for p in $ports; do
    port_open "$p" && die "port $p is in use; choose other ports with DLQ_KAFKA_PORT / DLQ_PULSAR_PORT"
  done
  mkdir -p "$STATE"
  # Fresh storage every time: tests and the quickstart start from empty brokers.
  say "starting Apache Kafka $KAFKA_VERSION on 127.0.0.1:$KAFKA_PORT (log: $STATE/kafka.log)"
  kafka_up "$STATE" "$KAFKA_PORT"
  if [ "$only" != kafka ]; then
    say "starting Apache Pulsar $PULSAR_VERSION on 127.0.0.1:$PULSAR_PORT (log: $STATE/pulsar.log; takes 10-40 s)"
    pulsar_up "$STATE" "$PULSAR_PORT"
  fi
  env_vars "$only" >"$STATE/env"
  say "brokers are up; '$0 env${only:+ $only}' prints the settings, '$0 down' stops them"
}

down() {
  stop pulsar
  stop kafka
}

env_vars() { # [kafka]
  cat <<VARS
export DLQ_TEST_KAFKA=kafka://127.0.0.1:$KAFKA_PORT
export DLQ_TEST_KAFKA_SASL=kafka://127.0.0.1:$((KAFKA_PORT + 2))
export DLQ_TEST_KAFKA_TLS=kafka://127.0.0.1:$((KAFKA_PORT + 3))
export DLQ_TEST_KAFKA_PKI=$STATE/pki
export DLQ_TEST_KAFKA_SCRAM_USER=$KAFKA_SCRAM_USER
export DLQ_TEST_KAFKA_SCRAM_PASSWORD=$KAFKA_SCRAM_PASSWORD
export DLQ_TEST_KAFKA_VERSION=$KAFKA_VERSION
export DLQ_KAFKA_HOME=$KAFKA_HOME
export DLQ_PYTHON=$DLQ_PYTHON
VARS
  [ "${1:-}" = kafka ] && return 0
  cat <<VARS
export DLQ_TEST_PULSAR=pulsar://127.0.0.1:$PULSAR_PORT
export DLQ_TEST_PULSAR_ADMIN=http://127.0.0.1:$((PULSAR_PORT + 1))
export DLQ_TEST_PULSAR_TLS=pulsar+ssl://127.0.0.1:$((PULSAR_PORT + 2))
export DLQ_TEST_PULSAR_ADMIN_TLS=https://127.0.0.1:$((PULSAR_PORT + 3))
export DLQ_TEST_PULSAR_TOKEN_FILE=$STATE/pulsar-token
export DLQ_TEST_PULSAR_PKI=$STATE/pki
export DLQ_PULSAR_HOME=$PULSAR_HOME
VARS
}

status() {
  local n
  for n in kafka pulsar; do
    if running "$n"; then echo "$n: running (pid $(cat "$STATE/$n.pid"))"; else echo "$n: stopped"; fi
  done
}

usage() { echo "usage: $0 up [kafka] | down | env [kafka] | status" >&2; exit 2; }
case "${2:-}" in
  '' | kafka) ;;
  *) usage ;;
esac
case "${1:-}" in
  up) up "${2:-}" ;;
  down) down ;;
  env) env_vars "${2:-}" ;;
  status) status ;;
  *) usage ;;
esac
