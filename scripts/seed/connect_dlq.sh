#!/usr/bin/env bash
# Dead letters written by Kafka Connect's own DeadLetterQueueReporter (a real standalone worker
# running the FileStreamSink connector), for dlq's tests and the quickstart.
#
#   connect_dlq.sh --bootstrap HOST:PORT --origin TOPIC --dlq TOPIC --count N
#                  [--good M] [--partitions P] [--connector NAME] [--timeout SECONDS]
#
# Creates ORIGIN with P partitions (default 1) if it does not exist and produces N malformed
# records (values `not json <i>`, keys order-<i>) and M good JSON order events (default 0, keys
# order-ok-<j>), interleaved, the i-th of each kind to partition i % P, each with two headers of
# its own (trace_id, source) that Connect must keep. Then it runs
# org.apache.kafka.connect.cli.ConnectStandalone with one FileStreamSink connector (NAME,
# default dlq-seed-file-sink; consumer group connect-NAME) reading ORIGIN through JsonConverter
# with errors.tolerance=all and a context-header DLQ, waits until DLQ holds a dead letter for each
# malformed record (at most --timeout seconds, default 90; Connect creates DLQ itself, one
# partition), stops the worker and prints one JSON object on stdout:
#   {"producer", "origin", "dlq", "connector", "group",
#    "records": [{"partition", "offset", "timestamp", "key", "value", "headers",
#                 "dlq_partition", "dlq_offset", "dlq_headers"}],   the malformed originals
#    "good": [{"partition", "offset", "key", "value"}]}
# dlq_headers are every header of the dead letter as UTF-8 text (Connect's __connect.errors.* and
# the original ones), except __connect.errors.exception.stacktrace, given as its first line and
# size. The worker's log goes to a file in a temporary folder, kept (and named on stderr) only
# when something fails.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../lib.sh
. "$HERE/../lib.sh"
# shellcheck source=../kafka.sh
. "$HERE/../kafka.sh"

usage() {
  sed -n '5,6p' "${BASH_SOURCE[0]}" | sed 's/^#//' >&2
  exit 2
}

bootstrap= origin= dlq= count= good=0 partitions=1 connector=dlq-seed-file-sink timeout=90
while [ $# -gt 0 ]; do
  [ $# -ge 2 ] || { echo "connect_dlq.sh: missing a value after $1" >&2; usage; }
  case $1 in
    --bootstrap) bootstrap=$2 ;;
    --origin) origin=$2 ;;
    --dlq) dlq=$2 ;;
    --count) count=$2 ;;
    --good) good=$2 ;;
    --partitions) partitions=$2 ;;
    --connector) connector=$2 ;;
    --timeout) timeout=$2 ;;
    *) echo "connect_dlq.sh: unknown argument $1" >&2; usage ;;
  esac
  shift 2
done
[ -n "$bootstrap" ] && [ -n "$origin" ] && [ -n "$dlq" ] && [ -n "$count" ] || usage
for n in "$count" "$good" "$partitions" "$timeout"; do
  [[ $n =~ ^[0-9]+$ ]] || die "counts, partitions and the timeout are whole numbers, not '$n'"
done
[ "$partitions" -ge 1 ] || die "--partitions must be at least 1"
[ "$origin" != "$dlq" ] || die "--dlq must differ from --origin"

ensure_kafka_connect
"$DLQ_PYTHON" -c 'import confluent_kafka' 2>/dev/null || ensure_python_clients

work=$(mktemp -d "${TMPDIR:-/tmp}/dlq-connect.XXXXXX")
log=$work/connect.log
worker=
ok=
stop_worker() {
  [ -n "$worker" ] || return 0
  local i
  kill -TERM "$worker" 2>/dev/null || true
  for i in $(seq 1 150); do
    kill -0 "$worker" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$worker" 2>/dev/null || true
  wait "$worker" 2>/dev/null || true
  worker=
}
cleanup() {
  stop_worker
  if [ -n "$ok" ]; then
    rm -rf "$work"
  else
    [ -s "$log" ] && { echo "connect_dlq.sh: the worker's last log lines:" >&2; tail -15 "$log" | cut -c1-300 >&2; }
    echo "connect_dlq.sh: worker log and configs kept in $work" >&2
  fi
}
trap cleanup EXIT

# 1. The records the connector will read: malformed and good ones interleaved; the i-th of each
# kind goes to partition i % P.
"$DLQ_PYTHON" - "$bootstrap" "$origin" "$count" "$good" "$partitions" >"$work/produced.json" <<'PY'
import json, sys
from confluent_kafka import KafkaError, KafkaException, Producer
from confluent_kafka.admin import AdminClient, NewTopic

bootstrap, origin = sys.argv[1], sys.argv[2]
bad, good, parts = int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
admin = AdminClient({"bootstrap.servers": bootstrap})
try:
    admin.create_topics([NewTopic(origin, parts, 1)])[origin].result(30)
except KafkaException as e:
    if e.args[0].code() != KafkaError.TOPIC_ALREADY_EXISTS:
        sys.exit(f"creating {origin}: {e}")
have = len(admin.list_topics(origin, timeout=30).topics[origin].partitions)
if have < parts:
    sys.exit(f"{origin} exists with {have} partitions, fewer than --partitions {parts}")

plan, b, g = [], 0, 0
while b < bad or g < good:  # interleave: bad, good, bad, good, ... then the rest
    if b < bad:
        plan.append(("bad", b, f"order-{b}", f"not json {b}".encode()))
        b += 1
    if g < good:
        plan.append(("good", g, f"order-ok-{g}",
                     json.dumps({"order_id": 1000 + g, "amount": round(10 + g * 2.5, 2), "currency": "EUR"}).encode()))
        g += 1

out = {"bad": [], "good": []}
errors = []
p = Producer({"bootstrap.servers": bootstrap, "acks": "all", "enable.idempotence": True})
for kind, i, key, value in plan:
    headers = [("trace_id", f"trace-{kind}-{i}".encode()), ("source", b"dlq-seed")]
    def done(err, msg, kind=kind, key=key, value=value, headers=headers):
        if err:
            errors.append(str(err))
            return
        rec = {"partition": msg.partition(), "offset": msg.offset(), "timestamp": msg.timestamp()[1],
               "key": key, "value": value.decode(), "headers": {k: v.decode() for k, v in headers}}
        out[kind].append(rec)
    p.produce(origin, value=value, key=key.encode(), partition=i % parts, headers=headers, on_delivery=done)
if p.flush(30) or errors:
    sys.exit(f"producing to {origin} failed: {errors or 'not all records delivered within 30 s'}")
json.dump(out, sys.stdout)
PY

# 2. A standalone worker with one FileStreamSink connector; everything it needs is on the worker's
# classpath (scripts/java/kafka-connect, its own release: KAFKA_CONNECT_VERSION in kafka.sh),
# found through the plugins' ServiceLoader manifests (no directory scan).
cat >"$work/worker.properties" <<EOF
bootstrap.servers=$bootstrap
key.converter=org.apache.kafka.connect.storage.StringConverter
value.converter=org.apache.kafka.connect.json.JsonConverter
value.converter.schemas.enable=false
offset.storage.file.filename=$work/connect.offsets
offset.flush.interval.ms=1000
listeners=http://127.0.0.1:0
plugin.discovery=service_load
EOF
cat >"$work/sink.properties" <<EOF
name=$connector
connector.class=org.apache.kafka.connect.file.FileStreamSinkConnector
tasks.max=1
topics=$origin
file=$work/sink.txt
errors.tolerance=all
errors.log.enable=false
errors.deadletterqueue.topic.name=$dlq
errors.deadletterqueue.topic.replication.factor=1
errors.deadletterqueue.context.headers.enable=true
EOF
# The worker's own classpath, exec'd so that $! is the worker itself; a small heap.
# shellcheck disable=SC2086
(exec java ${DLQ_CONNECT_JVM_OPTS:--Xms64m -Xmx384m -XX:+UseSerialGC -XX:CICompilerCount=2} \
  -Dorg.slf4j.simpleLogger.showDateTime=true -cp "$KAFKA_CONNECT_HOME/lib/*" \
  org.apache.kafka.connect.cli.ConnectStandalone "$work/worker.properties" "$work/sink.properties" \
  >"$log" 2>&1 </dev/null) &
worker=$!

# 3. Wait for the dead letters (matched to the malformed originals by __connect.errors.*), then
# describe them.
"$DLQ_PYTHON" - "$bootstrap" "$origin" "$dlq" "$connector" "$timeout" "$worker" "$work/produced.json" \
  "$KAFKA_CONNECT_VERSION" >"$work/result.json" <<'PY'
import json, os, sys, time
from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaError, TopicPartition

bootstrap, origin, dlq, connector = sys.argv[1:5]
timeout, worker = int(sys.argv[5]), int(sys.argv[6])
produced = json.load(open(sys.argv[7]))
E = "__connect.errors."
wanted = {(r["partition"], r["offset"]): r for r in produced["bad"]}
deadline = time.monotonic() + timeout

def alive():
    try:
        os.kill(worker, 0)
        return True
    except ProcessLookupError:
        return False

def text(v):
    return None if v is None else v.decode("utf-8", "replace")

c = Consumer({"bootstrap.servers": bootstrap, "group.id": "dlq-seed-connect-reader",
              "enable.auto.commit": False, "auto.offset.reset": "earliest"})
found, strangers, assigned = {}, 0, False
while len(found) < len(wanted):
    if time.monotonic() > deadline:
        sys.exit(f"timed out after {timeout} s: {len(found)} of {len(wanted)} dead letters in {dlq}"
                 f" ({strangers} other records there)")
    if not alive():
        sys.exit("the Connect worker exited before writing every dead letter")
    if not assigned:
        md = c.list_topics(dlq, timeout=5).topics.get(dlq)
        if md is None or md.error is not None or not md.partitions:
            time.sleep(0.5)
            continue
        c.assign([TopicPartition(dlq, p, OFFSET_BEGINNING) for p in sorted(md.partitions)])
        assigned = True
    m = c.poll(0.5)
    if m is None:
        continue
    if m.error():
        if m.error().code() in (KafkaError._PARTITION_EOF, KafkaError.UNKNOWN_TOPIC_OR_PART):
            continue
        sys.exit(f"reading {dlq}: {m.error()}")
    h = {}
    for k, v in m.headers() or []:
        if k == E + "exception.stacktrace" and v is not None:
            t = text(v)
            h[k] = {"first_line": t.split("\n", 1)[0], "bytes": len(v)}
        else:
            h[k] = text(v)
    try:
        coord = (int(h.get(E + "partition")), int(h.get(E + "offset")))
    except (TypeError, ValueError):
        coord = None
    if h.get(E + "topic") == origin and h.get(E + "connector.name") == connector and coord in wanted:
        found[coord] = {"dlq_partition": m.partition(), "dlq_offset": m.offset(), "dlq_key": text(m.key()),
                        "dlq_value": text(m.value()), "dlq_headers": h}
    else:
        strangers += 1
c.close()

records = []
for coord, r in wanted.items():
    records.append({**r, **found[coord]})
records.sort(key=lambda r: (r["partition"], r["offset"]))
json.dump({"producer": f"kafka-connect DeadLetterQueueReporter {sys.argv[8]}", "origin": origin, "dlq": dlq,
           "connector": connector, "group": f"connect-{connector}", "records": records,
           "good": sorted(produced["good"], key=lambda r: (r["partition"], r["offset"]))}, sys.stdout)
print()
PY
stop_worker
ok=1
cat "$work/result.json"
