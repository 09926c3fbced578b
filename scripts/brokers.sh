#!/usr/bin/env bash
# Local brokers for dlq's quickstart and tests: Apache Kafka 4.1 (KRaft, from Maven Central jars;
# scripts/kafka.sh) and pulsar-lite (Pulsar protocol) behind pulsar-lite-proxy. Installed on
# first use and cached under ~/.cache/dlq.
#
#   scripts/brokers.sh up      install if needed, start both with fresh storage, wait until ready
#   scripts/brokers.sh down    stop both (by PID; SIGTERM, then SIGKILL after 10 s)
#   scripts/brokers.sh env     print the variables that point dlq and the tests at them
#   scripts/brokers.sh status  say what is running
#
# Settings (environment): DLQ_LOCAL_DIR (state: pids, logs, data; default ./.dlq-local),
# DLQ_KAFKA_PORT (default 19092), DLQ_PULSAR_PORT (the proxy clients use; default 16650),
# DLQ_PULSAR_LITE_PORT (pulsar-lite itself; default 16651).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/kafka.sh"

STATE=${DLQ_LOCAL_DIR:-$DLQ_ROOT/.dlq-local}
KAFKA_PORT=${DLQ_KAFKA_PORT:-19092}
PULSAR_PORT=${DLQ_PULSAR_PORT:-16650}
PULSAR_LITE_PORT=${DLQ_PULSAR_LITE_PORT:-16651}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_port() { # name port pid logfile
  local i
  for i in $(seq 1 300); do
    port_open "$2" && return 0
    kill -0 "$3" 2>/dev/null || { tail -20 "$4" >&2; die "$1 exited during start-up (log: $4)"; }
    sleep 0.1
  done
  tail -20 "$4" >&2; die "$1 did not open port $2 within 30 s (log: $4)"
}

running() { [ -f "$STATE/$1.pid" ] && kill -0 "$(cat "$STATE/$1.pid")" 2>/dev/null; }

start() { # name logfile cmd...
  local name=$1 log=$2; shift 2
  if running "$name"; then die "$name is already running (pid $(cat "$STATE/$name.pid")); run '$0 down' first"; fi
  (cd "$STATE/$name" && exec setsid "$@" >"$log" 2>&1 </dev/null) &
  echo $! >"$STATE/$name.pid"
}

stop() { # name
  local name=$1 pid i
  [ -f "$STATE/$name.pid" ] || return 0
  pid=$(cat "$STATE/$name.pid")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for i in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then
      say "$name (pid $pid) ignored SIGTERM for 10 s; sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  rm -f "$STATE/$name.pid"
}

up() {
  ensure_system_packages
  ensure_kafka
  ensure_pulsar_lite
  ensure_proxy
  for p in "$KAFKA_PORT" $((KAFKA_PORT + 1)) $((KAFKA_PORT + 2)) $((KAFKA_PORT + 3)) "$PULSAR_PORT" "$PULSAR_LITE_PORT"; do
    port_open "$p" && die "port $p is in use; choose other ports with DLQ_KAFKA_PORT / DLQ_PULSAR_PORT / DLQ_PULSAR_LITE_PORT"
  done
  # Fresh storage every time: tests and the quickstart start from empty brokers, and the libsql
  # engine slows down with the number of records it holds (see BROKERS.md).
  rm -rf "$STATE/pulsar-lite" "$STATE/proxy"
  mkdir -p "$STATE/pulsar-lite" "$STATE/proxy"

  if running kafka; then die "kafka is already running (pid $(cat "$STATE/kafka.pid")); run '$0 down' first"; fi
  say "starting Apache Kafka $KAFKA_VERSION on 127.0.0.1:$KAFKA_PORT (log: $STATE/kafka.log)"
  kafka_up "$STATE" "$KAFKA_PORT"

  say "starting pulsar-lite on 127.0.0.1:$PULSAR_LITE_PORT"
  printf '[metrics]\nenabled = false\n' >"$STATE/pulsar-lite/pulsar-lite.toml"
  start pulsar-lite "$STATE/pulsar-lite.log" "$PULSAR_LITE_BIN" \
    --config pulsar-lite.toml --addr "127.0.0.1:$PULSAR_LITE_PORT" --db-path data --log-level warn
  wait_port pulsar-lite "$PULSAR_LITE_PORT" "$(cat "$STATE/pulsar-lite.pid")" "$STATE/pulsar-lite.log"

  say "starting pulsar-lite-proxy on 127.0.0.1:$PULSAR_PORT"
  start proxy "$STATE/proxy.log" "$PROXY_BIN" "127.0.0.1:$PULSAR_PORT" "127.0.0.1:$PULSAR_LITE_PORT"
  wait_port proxy "$PULSAR_PORT" "$(cat "$STATE/proxy.pid")" "$STATE/proxy.log"
  env_vars >"$STATE/env"
  say "brokers are up; '$0 env' prints the settings, '$0 down' stops them"
}

down() {
  stop proxy
  stop pulsar-lite
  stop kafka
}

env_vars() {
  cat <<VARS
export DLQ_TEST_KAFKA=kafka://127.0.0.1:$KAFKA_PORT
export DLQ_TEST_KAFKA_SASL=kafka://127.0.0.1:$((KAFKA_PORT + 2))
export DLQ_TEST_KAFKA_TLS=kafka://127.0.0.1:$((KAFKA_PORT + 3))
export DLQ_TEST_KAFKA_PKI=$STATE/pki
export DLQ_TEST_KAFKA_SCRAM_USER=$KAFKA_SCRAM_USER
export DLQ_TEST_KAFKA_SCRAM_PASSWORD=$KAFKA_SCRAM_PASSWORD
export DLQ_KAFKA_HOME=$KAFKA_HOME
export DLQ_TEST_PULSAR=pulsar://127.0.0.1:$PULSAR_PORT
export DLQ_TEST_PULSAR_DIRECT=pulsar://127.0.0.1:$PULSAR_LITE_PORT
export DLQ_PYTHON=$DLQ_PYTHON
export DLQ_PROXY_BIN=$PROXY_BIN
VARS
}

status() {
  local n
  for n in kafka pulsar-lite proxy; do
    if running "$n"; then echo "$n: running (pid $(cat "$STATE/$n.pid"))"; else echo "$n: stopped"; fi
  done
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  env) env_vars ;;
  status) status ;;
  *) echo "usage: $0 up|down|env|status" >&2; exit 2 ;;
esac
