#!/usr/bin/env bash
# Benchmarks dlq side by side with peer tools on the same topics, on brokers of its own (Apache
# Kafka and Apache Pulsar, started by scripts/brokers.sh on ports apart: 49092 and 46650), and
# prints ratios against the project's targets.
#
#   scripts/bench.sh [--kafka N] [--pulsar N] [--replay N]
#                    [--only kafka|pulsar|startup|redaction|kafka-settings|share-groups|where|join]
#                    [--scale "10000 100000 1000000"] [--runs R] [--redact N] [--baseline COMMIT]
#                    [--share N] [--where-n N] [--join-n N]
#
#   DLQ_BENCH_BIN=/path/to/dlq scripts/bench.sh …   times that dlq binary instead of building a
#                    release build of the work tree (the redaction section's hostile-input timing,
#                    a cargo test, is then skipped)
#
# Defaults: 1,000,000 Kafka dead letters, 200,000 Pulsar ones (once batched, once not), 100,000
# replayed, 3 runs of everything. Each row is one process run R times (--runs; a replay on a
# freshly seeded DLQ each time): the median wall time, the range and the highest peak RSS, from
# GNU time. dlq runs as a release build.
#
# The dead letters (scripts/bench/seed_bulk.py --mix --sizes 200-2000): JSON order events of 200
# to 2,000 bytes (~1,100 on average, varying per entry), keys order-N, on Kafka 4 partitions with
# three Spring Kafka dead letters (kafka_dlt-* headers) to one Kafka Connect one (__connect.errors.*
# headers), four failure kinds (exception classes and messages); on Pulsar the properties of the
# official client's DLQ, once produced with batching (1,000 a batch) and once one message an entry.
#
# The peers, each reading the whole DLQ to stdout (or producing and waiting for every confirmation):
#   Kafka read    kcat -C -J (Debian's kcat 1.7, librdkafka: JSON lines; the reference for the
#                 time ratios), Kafka's ConsoleConsumer (key, headers, partition, offset, time),
#                 Kafka's ConsumerPerformance (no output: the broker's limit), and the Python
#                 confluent-kafka consumer (scripts/bench/peer_read.py, dlq's fetch.wait.max.ms).
#                 kafkactl and kaf are not peers: neither is served by this machine's package
#                 sources (Debian, PyPI, the Go module proxy's list here).
#   Pulsar read   the official Java client's reader (scripts/java/bench-peers: PulsarRead, JSON
#                 lines; the reference), the Python pulsar-client reader, and pulsar-perf consume
#                 (Pulsar's perf tools 4.0.6, scripts/java/pulsar-perf: the broker's limit).
#   Replay        Kafka: ProducerPerformance (acks=all, record size = the payloads' mean: the
#                 limit), kcat -P sending the same keyed payloads from a file, the Python producer
#                 (scripts/bench/peer_produce.py --sizes: the same payloads). Pulsar: pulsar-perf
#                 produce (unbatched as dlq sends, 1,000 in flight: the limit), the Python producer.
#                 dlq replay also reads the DLQ (the plan, then the send pass) and marks each entry.
# The JVM peers run with -Xmx512m (what Kafka's bin/kafka-*-perf-test.sh give them); their wall
# time includes the JVM's start. The perf tools' own rates (the targets use them): ConsumerPerformance's
# nMsg.sec (its start.time to end.time, group join included), ProducerPerformance's records/sec,
# pulsar-perf consume's aggregated msg/s, and for pulsar-perf produce the requested count over its
# logged send window ("Created 1 producers" to "DONE"): its aggregated rate counts an idle
# shutdown wait of 5-10 s, which its wall time includes too.
#
# --only join: `dlq replay --join` on Kafka and on Pulsar with 1, 2 and 4 members at once over one
# 8-partition DLQ of --join-n entries (200,000 by default; scripts/bench/join_members.py), each run
# to a fresh target and operator group or subscription: the wall time from the first start to the
# last exit, the highest member's peak RSS.
#
# Also: `dlq list --limit 50` and `dlq inspect` of one entry on the big topics, `--help` start-up
# with hyperfine. --scale runs dlq's reads (no peers) once per N given (Kafka; Pulsar unbatched) and
# adds a table of seconds per million entries and peak RSS per N: linear time, flat memory.
#
# Output: a Markdown table (results kept in .dlq-local/bench/results.tsv, the perf tools' own
# rates in own-rates.tsv) for docs/BENCHMARKS.md, then a "Targets" section (also in
# .dlq-local/bench/targets.txt), each a ratio of this run's medians, PASS or MISS:
#   Kafka   dlq export, list -o jsonl, stats: time / kcat's ≤ 1.0; export's entries/s /
#           ConsumerPerformance's ≥ 0.5
#   Pulsar  (batched and unbatched) dlq export time / the Java reader's ≤ 1.0; export's
#           entries/s / pulsar-perf consume's ≥ 0.5
#   Replay  dlq replay's entries/s / the perf producer's ≥ 0.5, each broker
#   Memory  peak RSS ≤ 64 MiB for every dlq read row, ≤ 96 MiB for every dlq replay row
#   Pages   list --limit 50 and inspect < 0.5 s on the big Kafka topic (Pulsar's shown too)
# Timings live here, never in tests.
#
# Share groups (--only share-groups, and part of all): N (--share, default 1,000) headers-only
# dead letters that Apache Kafka 4.4's broker wrote for a share group whose KafkaShareConsumer
# rejected them (scripts/java/share-dlq, copying off; the origin has 4 partitions and as many
# accepted records between them). `dlq list` reads the dead letters alone; export, replay
# --dry-run and inspect fetch each original from the origin (batched: one read per run of nearby
# offsets of a partition). Beside them: kcat reading the DLQ (headers only) and kcat fetching each
# original by hand, one process per entry (`kcat -C -t ORIGIN -p P -o OFFSET -c 1`), which is
# what an operator without dlq does.
#
# Failure groups and --where (--only where, and part of all): N (--where-n, default 1,000,000)
# Kafka dead letters seeded as above; `dlq list -o jsonl` beside the same list with --where on a
# nested payload field (every payload parsed and converted for CEL), with --where on the context
# alone, and `dlq groups` (every entry fingerprinted). Target: list --where on the payload within
# 2× of list without it. Also `dlq check` on that DLQ (target < 0.5 s, flat memory), and `dlq
# watch` on it: its first read, then 10 refreshes while 500 dead letters arrive a second (each
# refresh < 0.5 s; RSS growing no more than 4 MiB over them).
#
# Redaction (--only redaction, and part of all): `export --redact` of N Kafka dead letters
# (default 100,000; seeded as before, ~300-byte events, so its numbers compare with
# docs/BENCHMARKS.md) against the same export unredacted, and, with --baseline COMMIT, against
# `export --redact` of a release build of that commit on the same topic (built in a worktree of
# its own): the cost of the redaction rules, before and after a change. Then the hostile 1 MB
# inputs of src/domain/redact/corpus.rs, timed in a release build.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/kafka.sh"
cd "$DLQ_ROOT"

KAFKA_N=1000000
PULSAR_N=200000
REPLAY_N=100000
ONLY=all
SCALE=
RUNS=3
REDACT_N=100000
BASELINE=
SHARE_N=1000
WHERE_N=1000000
JOIN_N=200000
while [ $# -gt 0 ]; do
  case $1 in
    --kafka) KAFKA_N=$2; shift 2 ;;
    --pulsar) PULSAR_N=$2; shift 2 ;;
    --replay) REPLAY_N=$2; shift 2 ;;
    --only) ONLY=$2; shift 2 ;;
    --scale) SCALE=$2; shift 2 ;;
    --runs) RUNS=$2; shift 2 ;;
    --redact) REDACT_N=$2; shift 2 ;;
    --baseline) BASELINE=$2; shift 2 ;;
    --share) SHARE_N=$2; shift 2 ;;
    --where-n) WHERE_N=$2; shift 2 ;;
    --join-n) JOIN_N=$2; shift 2 ;;
    *) die "unknown argument $1 (see the top of $0)" ;;
  esac
done
case $ONLY in all|kafka|pulsar|startup|redaction|kafka-settings|share-groups|where|join) ;; *) die "--only: kafka, pulsar, startup, redaction, kafka-settings, share-groups, where or join" ;; esac
wants() { [ "$ONLY" = all ] || [ "$ONLY" = "$1" ]; }

# The seeded shape (see the top) and Kafka's partitions.
SIZES=200-2000
KAFKA_PARTITIONS=4
# The JVM peers' heap, as Kafka's bin/kafka-*-perf-test.sh and kafka-console-consumer.sh set it.
PEER_JVM=(java -Xmx512m)
PULSAR_PERF_HOME=$DLQ_CACHE/pulsar-perf-4.0.6
BENCH_PEERS_JAR=$DLQ_ROOT/scripts/java/bench-peers/target/bench-peers.jar

ensure_system_packages
missing=()
[ -x /usr/bin/time ] || missing+=(time)
command -v hyperfine >/dev/null 2>&1 || missing+=(hyperfine)
command -v kcat >/dev/null 2>&1 || missing+=(kcat)
if [ ${#missing[@]} -gt 0 ]; then
  say "installing ${missing[*]}"
  sudo=; [ "$(id -u)" -eq 0 ] || sudo=sudo
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi
ensure_python_clients

# The Java reader (scripts/java/bench-peers), built when missing or older than its sources.
ensure_bench_peers() {
  local dir=$DLQ_ROOT/scripts/java/bench-peers
  if [ -f "$BENCH_PEERS_JAR" ] && [ -z "$(find "$dir" -newer "$BENCH_PEERS_JAR" \( -name '*.java' -o -name pom.xml \) -print -quit)" ]; then
    return 0
  fi
  say "building scripts/java/bench-peers with Maven (first run downloads its dependencies)"
  mkdir -p "$DLQ_CACHE/logs"
  mvn_package "$dir" >"$DLQ_CACHE/logs/bench-peers-mvn.log" 2>&1 \
    || { tail -30 "$DLQ_CACHE/logs/bench-peers-mvn.log" >&2; die "building scripts/java/bench-peers failed (log: $DLQ_CACHE/logs/bench-peers-mvn.log)"; }
}
if wants pulsar; then
  ensure_bench_peers
  ensure_jars "Pulsar perf tools 4.0.6" "$PULSAR_PERF_HOME" "$DLQ_ROOT/scripts/java/pulsar-perf"
fi

# Pulsar with the full JIT: a benchmark measures the broker at speed, not at start-up.
export DLQ_PULSAR_JIT_OPTS=
if [ -n "${DLQ_BENCH_BIN:-}" ]; then
  [ -x "$DLQ_BENCH_BIN" ] || die "DLQ_BENCH_BIN=$DLQ_BENCH_BIN is not an executable"
  DLQ_REL=$(cd "$(dirname "$DLQ_BENCH_BIN")" && pwd)/$(basename "$DLQ_BENCH_BIN")
  say "timing $DLQ_REL (DLQ_BENCH_BIN; no release build): $("$DLQ_REL" --version)"
else
  say "building dlq (release)"
  (cargo build -q --release --bin dlq) || die "building dlq failed"
  DLQ_REL=$CARGO_TARGET_DIR/release/dlq
fi
DLQ_BASE=
if [ -n "$BASELINE" ]; then
  base_dir=$DLQ_CACHE/bench-baseline
  say "building dlq at $BASELINE (release) for the redaction baseline"
  # Kept between runs at the same commit, so its build is cached.
  if [ "$(git -C "$base_dir" rev-parse HEAD 2>/dev/null)" != "$(git rev-parse "$BASELINE^{commit}")" ]; then
    git worktree remove --force "$base_dir" >/dev/null 2>&1 || rm -rf "$base_dir"
    git worktree prune
    git worktree add -q --detach "$base_dir" "$BASELINE"
  fi
  (cd "$base_dir" && CARGO_TARGET_DIR=$DLQ_CACHE/bench-baseline-target cargo build -q --release --bin dlq) \
    || die "building dlq at $BASELINE failed"
  DLQ_BASE=$DLQ_CACHE/bench-baseline-target/release/dlq
fi

export DLQ_LOCAL_DIR=$DLQ_ROOT/.dlq-local/bench
export DLQ_KAFKA_PORT=49092 DLQ_PULSAR_PORT=46650
scripts/brokers.sh down >/dev/null 2>&1 || true
scripts/brokers.sh up
trap 'scripts/brokers.sh down >/dev/null 2>&1 || true' EXIT
eval "$(scripts/brokers.sh env)"
export DLQ_PULSAR_ADMIN_URL=$DLQ_TEST_PULSAR_ADMIN
KAFKA=${DLQ_TEST_KAFKA#kafka://}
RESULTS=$DLQ_LOCAL_DIR/results.tsv
OWN_RATES=$DLQ_LOCAL_DIR/own-rates.tsv
TARGETS=$DLQ_LOCAL_DIR/targets.txt
: >"$RESULTS"
: >"$OWN_RATES"
rm -f "$TARGETS"
PERF_CONF=$DLQ_LOCAL_DIR/pulsar-perf.conf  # pulsar-perf's client config file: none needed
: >"$PERF_CONF"
PEER_OUT=$DLQ_LOCAL_DIR/peer.out

# measure_once CASE TOOL ENTRIES CMD...: one row: wall seconds and peak RSS. The command's stdout
# goes to $OUT (default /dev/null: the perf tools' reports are kept there), its stdin comes from
# $IN when set.
measure_once() {
  local case=$1 tool=$2 n=$3; shift 3
  local t out=${OUT:-/dev/null} ok=0 wall rss; t=$(mktemp)
  if [ -n "${IN:-}" ]; then
    /usr/bin/time -f "%e %M" -o "$t" "$@" <"$IN" >"$out" 2>"$DLQ_LOCAL_DIR/last.err" || ok=$?
  else
    /usr/bin/time -f "%e %M" -o "$t" "$@" >"$out" 2>"$DLQ_LOCAL_DIR/last.err" || ok=$?
  fi
  if [ "$ok" -ne 0 ]; then
    tail -5 "$DLQ_LOCAL_DIR/last.err" >&2
    [ "$out" = /dev/null ] || tail -5 "$out" >&2
    die "$case / $tool failed (exit $ok)"
  fi
  read -r wall rss < <(tail -1 "$t"); rm -f "$t"
  printf '%s\t%s\t%s\t%s\t%s\n' "$case" "$tool" "$n" "$wall" "$rss" >>"$RESULTS"
  say "$case / $tool: ${wall}s, $((rss / 1024)) MiB peak RSS"
}

# measure CASE TOOL ENTRIES CMD...: RUNS rows of the same command.
measure() {
  local r
  for r in $(seq "$RUNS"); do measure_once "$@"; done
}

# own_rate KIND CASE TOOL N: the rate the perf tool just reported in $PEER_OUT (messages/s, one
# row of own-rates.tsv); dies when it did not do all N (pulsar-perf exits 0 even then).
own_rate() {
  local rate
  rate=$("$DLQ_PYTHON" - "$1" "$PEER_OUT" "$4" <<'PY'
import datetime, re, sys
kind, path, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
text = open(path, errors="replace").read()
def fail(why):
    sys.exit(f"{kind}: {why} (see {path})")
if kind == "ConsumerPerformance":
    # start.time, end.time, MB, MB.sec, nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, ...
    rows = [l.split(", ") for l in text.splitlines() if re.match(r"\d{4}-", l)]
    if not rows or int(rows[-1][4]) < n:
        fail(f"did not report {n} messages")
    print(rows[-1][5])
elif kind == "ProducerPerformance":
    m = re.findall(r"^(\d+) records sent, ([\d.]+) records/sec", text, re.M)
    if not m or int(m[-1][0]) < n:
        fail(f"did not report {n} records sent")
    print(m[-1][1])
elif kind == "pulsar-perf consume":
    m = re.search(r"Aggregated throughput stats --- (\d+) records received --- ([\d.]+) msg/s", text)
    if not m or int(m.group(1)) < n:
        fail(f"did not report {n} records received")
    print(m.group(2))
elif kind == "pulsar-perf produce":
    # It stops sending once N are confirmed (a few more may be in flight then); its aggregated
    # rate also counts a 5-10 s wait before it exits: N over its logged send window instead.
    m = re.search(r"Aggregated throughput stats --- (\d+) records sent", text)
    if not m or int(m.group(1)) < n:
        fail(f"did not report {n} records sent")
    def at(pattern):
        line = re.search(r"^(\S+) .*" + pattern, text, re.M)
        if not line:
            fail(f"no log line '{pattern}'")
        return datetime.datetime.strptime(line.group(1), "%Y-%m-%dT%H:%M:%S,%f")
    window = (at("DONE \\(reached the maximum number") - at("Created \\d+ producers")).total_seconds()
    print(f"{n / max(window, 0.001):.1f}")
else:
    fail("unknown kind")
PY
) || die "$2 / $3: no rate of its own"
  printf '%s\t%s\t%s\n' "$2" "$3" "$rate" >>"$OWN_RATES"
  say "$2 / $3: its own rate: $rate messages/s"
}

# measure_perf KIND CASE TOOL N CMD...: RUNS rows of a perf tool, and its own rate of each.
measure_perf() {
  local kind=$1 r; shift
  for r in $(seq "$RUNS"); do
    OUT=$PEER_OUT measure_once "$@"
    own_rate "$kind" "$1" "$2" "$3"
  done
}

seed() { # kafka|pulsar TOPIC N [seed_bulk.py arguments]: the realistic mix (see the top)
  local broker=$1 topic=$2 n=$3; shift 3
  say "seeding $n dead letters on $topic"
  if [ "$broker" = kafka ]; then
    "$DLQ_PYTHON" scripts/bench/seed_bulk.py --bootstrap "$KAFKA" --topic "$topic" --count "$n" \
      --partitions "$KAFKA_PARTITIONS" --mix --sizes "$SIZES" "$@" >&2
  else
    "$DLQ_PYTHON" scripts/bench/seed_bulk.py --url "$DLQ_TEST_PULSAR" --topic "$topic" --count "$n" \
      --sizes "$SIZES" "$@" >&2
  fi
}

# dlq_reads CASE N TOPIC URL: dlq's reads of a whole DLQ.
dlq_reads() {
  local case=$1 n=$2 topic=$3 url=$4
  measure "$case" "dlq export" "$n" "$DLQ_REL" export "$topic" --include-handled -b "$url"
  measure "$case" "dlq list -o jsonl" "$n" "$DLQ_REL" list "$topic" --include-handled -o jsonl -b "$url"
  measure "$case" "dlq stats" "$n" "$DLQ_REL" stats "$topic" --include-handled -o json -b "$url"
}

# dlq_pages BROKER LABEL TOPIC URL ID: the first page of a big DLQ, and one entry of it in full.
dlq_pages() {
  local b=$1 label=$2 topic=$3 url=$4 id=$5
  measure "$b list --limit 50 ($label)" dlq 50 "$DLQ_REL" list "$topic" --include-handled --limit 50 -o table -b "$url"
  measure "$b inspect ($label)" dlq 1 "$DLQ_REL" inspect "$topic" "$id" -o json -b "$url"
}

kafka_reads() { # N with-peers|dlq-only
  local n=$1 topic="bench-$1.DLT" case="kafka read ($1)"
  seed kafka "$topic" "$n"
  dlq_reads "$case" "$n" "$topic" "$DLQ_TEST_KAFKA"
  if [ "$2" = with-peers ]; then
    measure "$case" "kcat -C -J" "$n" kcat -C -b "$KAFKA" -t "$topic" -J -e -q
    measure "$case" "ConsoleConsumer" "$n" "${PEER_JVM[@]}" -cp "$KAFKA_HOME/lib/*" \
      org.apache.kafka.tools.consumer.ConsoleConsumer --bootstrap-server "$KAFKA" --topic "$topic" \
      --from-beginning --max-messages "$n" --property print.key=true --property print.headers=true \
      --property print.partition=true --property print.offset=true --property print.timestamp=true
    measure_perf ConsumerPerformance "$case" "ConsumerPerformance (limit)" "$n" "${PEER_JVM[@]}" \
      -cp "$KAFKA_HOME/lib/*" org.apache.kafka.tools.ConsumerPerformance --bootstrap-server "$KAFKA" \
      --topic "$topic" --messages "$n"
    measure "$case" "Python confluent-kafka" "$n" "$DLQ_PYTHON" scripts/bench/peer_read.py \
      --kafka "$KAFKA" --topic "$topic" -X fetch.wait.max.ms=50
  fi
  # An entry in the middle of partition 0.
  dlq_pages kafka "$n" "$topic" "$DLQ_TEST_KAFKA" "0:$((n / KAFKA_PARTITIONS / 2))"
}

# The replays' payloads for kcat -P (key TAB payload, one a line, as seed_bulk.py makes them)
# and their mean size (the perf producers' message size).
replay_payloads() {
  REPLAY_FILE=$DLQ_LOCAL_DIR/replay-payloads.tsv
  "$DLQ_PYTHON" scripts/bench/seed_bulk.py --topic - --count "$REPLAY_N" --sizes "$SIZES" --print-payloads \
    | awk '{ print "order-" (NR - 1) "\t" $0 }' >"$REPLAY_FILE"
  RECORD_SIZE=$(awk -F'\t' '{ s += length($2) } END { printf "%d", NR ? s / NR : 1100 }' "$REPLAY_FILE")
  say "replay payloads: $REPLAY_N in $REPLAY_FILE, $RECORD_SIZE bytes on average"
}

if wants kafka; then
  if [ -n "$SCALE" ]; then
    for n in $SCALE; do kafka_reads "$n" dlq-only; done
  else
    kafka_reads "$KAFKA_N" with-peers
    replay_payloads
    for t in bench-dlq-target bench-perf-target bench-kcat-target bench-peer-target; do seed kafka "$t" 0; done
    case="kafka replay ($REPLAY_N)"
    for r in $(seq "$RUNS"); do
      seed kafka "bench-replay-$r.DLT" "$REPLAY_N"
      measure_once "$case" "dlq replay" "$REPLAY_N" "$DLQ_REL" replay "bench-replay-$r.DLT" --all --to bench-dlq-target -y -o json -b "$DLQ_TEST_KAFKA"
      OUT=$PEER_OUT measure_once "$case" "ProducerPerformance (limit)" "$REPLAY_N" "${PEER_JVM[@]}" \
        -cp "$KAFKA_HOME/lib/*" org.apache.kafka.tools.ProducerPerformance --topic bench-perf-target \
        --num-records "$REPLAY_N" --record-size "$RECORD_SIZE" --throughput -1 \
        --producer-props bootstrap.servers="$KAFKA" acks=all
      own_rate ProducerPerformance "$case" "ProducerPerformance (limit)" "$REPLAY_N"
      IN=$REPLAY_FILE measure_once "$case" "kcat -P" "$REPLAY_N" kcat -P -b "$KAFKA" -t bench-kcat-target -K $'\t' -X acks=all
      measure_once "$case" "Python confluent-kafka" "$REPLAY_N" "$DLQ_PYTHON" scripts/bench/peer_produce.py --kafka "$KAFKA" --topic bench-peer-target --count "$REPLAY_N" --sizes "$SIZES"
    done
  fi
fi

# pulsar_reads N batched|unbatched with-peers|dlq-only: batched as a busy service's producer sends
# (1,000 a batch), unbatched one message an entry.
pulsar_reads() {
  local n=$1 shape=$2 flag=() r sub id
  local topic=persistent://public/default/bench-$shape-$n-billing-DLQ case="pulsar read ($n, $shape)"
  [ "$shape" = unbatched ] && flag=(--no-batching)
  seed pulsar "$topic" "$n" "${flag[@]}"
  dlq_reads "$case" "$n" "$topic" "$DLQ_TEST_PULSAR"
  if [ "$3" = with-peers ]; then
    measure "$case" "Java reader" "$n" "${PEER_JVM[@]}" -jar "$BENCH_PEERS_JAR" --url "$DLQ_TEST_PULSAR" --topic "$topic"
    measure "$case" "Python pulsar-client" "$n" "$DLQ_PYTHON" scripts/bench/peer_read.py --pulsar "$DLQ_TEST_PULSAR" --topic "$topic"
    for r in $(seq "$RUNS"); do
      # A subscription of its own each run, from the earliest message, dropped afterwards.
      sub=bench-perf-$r
      OUT=$PEER_OUT measure_once "$case" "pulsar-perf consume (limit)" "$n" "${PEER_JVM[@]}" \
        -cp "$PULSAR_PERF_HOME/lib/*" org.apache.pulsar.testclient.PulsarPerfTestTool "$PERF_CONF" consume \
        -u "$DLQ_TEST_PULSAR" -m "$n" -sp Earliest -ss "$sub" -q 5000 "$topic"
      own_rate "pulsar-perf consume" "$case" "pulsar-perf consume (limit)" "$n"
      curl -sf -X DELETE "$DLQ_TEST_PULSAR_ADMIN/admin/v2/persistent/public/default/${topic##*/}/subscription/$sub" >/dev/null || true
    done
  fi
  id=$("$DLQ_REL" list "$topic" --include-handled --limit 1 -o json -b "$DLQ_TEST_PULSAR" \
    | "$DLQ_PYTHON" -c 'import json, sys; print(json.load(sys.stdin)[0]["id"])') \
    || die "no entry id from dlq list on $topic"
  dlq_pages pulsar "$n, $shape" "$topic" "$DLQ_TEST_PULSAR" "$id"
}

if wants pulsar; then
  if [ -n "$SCALE" ]; then
    for n in $SCALE; do pulsar_reads "$n" unbatched dlq-only; done
  else
    pulsar_reads "$PULSAR_N" batched with-peers
    pulsar_reads "$PULSAR_N" unbatched with-peers
    [ -n "${RECORD_SIZE:-}" ] || replay_payloads
    # A replay sends only to topics that exist (Apache Pulsar creates one only when written to).
    for t in bench-dlq-target bench-perf-target bench-peer-target; do
      curl -sf -X PUT "$DLQ_TEST_PULSAR_ADMIN/admin/v2/persistent/public/default/$t" >/dev/null || true
    done
    case="pulsar replay ($REPLAY_N)"
    for r in $(seq "$RUNS"); do
      replay=persistent://public/default/bench-replay-$r-billing-DLQ
      seed pulsar "$replay" "$REPLAY_N"
      measure_once "$case" "dlq replay" "$REPLAY_N" "$DLQ_REL" replay "$replay" --all --to bench-dlq-target -y -o json -b "$DLQ_TEST_PULSAR"
      # As dlq sends: one message an entry, 1,000 in flight (as the Python peer); -r: no rate
      # limit (0 is refused).
      OUT=$PEER_OUT measure_once "$case" "pulsar-perf produce (limit)" "$REPLAY_N" "${PEER_JVM[@]}" \
        -cp "$PULSAR_PERF_HOME/lib/*" org.apache.pulsar.testclient.PulsarPerfTestTool "$PERF_CONF" produce \
        -u "$DLQ_TEST_PULSAR" -au "$DLQ_TEST_PULSAR_ADMIN" -m "$REPLAY_N" -r 100000000 -s "$RECORD_SIZE" \
        -db -o 1000 persistent://public/default/bench-perf-target
      own_rate "pulsar-perf produce" "$case" "pulsar-perf produce (limit)" "$REPLAY_N"
      measure_once "$case" "Python pulsar-client" "$REPLAY_N" "$DLQ_PYTHON" scripts/bench/peer_produce.py --pulsar "$DLQ_TEST_PULSAR" --topic bench-peer-target --count "$REPLAY_N" --sizes "$SIZES"
    done
  fi
fi

# The consumer settings dlq's Kafka scans use (src/broker/kafka/client.rs), measured against
# librdkafka's defaults and their neighbours (--only kafka-settings; not part of all): dlq export
# and stats of N mixed dead letters, each setting given with -X (which wins over dlq's own).
# Columns: queued.max.messages.kbytes, fetch.queue.backoff.ms, fetch.wait.max.ms, what it is.
if [ "$ONLY" = kafka-settings ]; then
  topic="bench-settings-$KAFKA_N.DLT"
  seed kafka "$topic" "$KAFKA_N"
  while read -r kbytes backoff wait what; do
    [ -n "$kbytes" ] || continue
    label="q=$kbytes backoff=$backoff wait=$wait ($what)"
    settings=(-X queued.max.messages.kbytes="$kbytes" -X fetch.queue.backoff.ms="$backoff" -X fetch.wait.max.ms="$wait")
    measure "kafka settings ($KAFKA_N): export" "$label" "$KAFKA_N" "$DLQ_REL" export "$topic" \
      --include-handled -b "$DLQ_TEST_KAFKA" "${settings[@]}"
    measure "kafka settings ($KAFKA_N): stats" "$label" "$KAFKA_N" "$DLQ_REL" stats "$topic" \
      --include-handled -o json -b "$DLQ_TEST_KAFKA" "${settings[@]}"
  done <<'GRID'
65536 1000 500 librdkafka's defaults
8192 1000 50 dlq before #23
4096 5 50 dlq's settings
2048 5 50 a smaller queue
8192 5 50 a larger queue
65536 5 50 librdkafka's queue
4096 20 50 a longer backoff
4096 100 50 a much longer backoff
4096 5 500 librdkafka's fetch wait
GRID
fi

if wants where; then
  where_topic=bench-where-$WHERE_N.DLT
  case="kafka --where ($WHERE_N)"
  seed kafka "$where_topic" "$WHERE_N"
  measure "$case" "dlq list -o jsonl" "$WHERE_N" "$DLQ_REL" list "$where_topic" --include-handled \
    -o jsonl -b "$DLQ_TEST_KAFKA"
  measure "$case" "dlq list --where (payload)" "$WHERE_N" "$DLQ_REL" list "$where_topic" \
    --include-handled --where 'payload.amount.value > 500' -o jsonl -b "$DLQ_TEST_KAFKA"
  measure "$case" "dlq list --where (context)" "$WHERE_N" "$DLQ_REL" list "$where_topic" \
    --include-handled --where 'error_class.endsWith("Exception") && partition >= 0' -o jsonl \
    -b "$DLQ_TEST_KAFKA"
  measure "$case" "dlq groups" "$WHERE_N" "$DLQ_REL" groups "$where_topic" --include-handled \
    -o json -b "$DLQ_TEST_KAFKA"
  # One look at the same DLQ (no read): what a cron job pays.
  measure "kafka check ($WHERE_N)" dlq 1 "$DLQ_REL" check "$where_topic" --max-entries \
    "$((WHERE_N * 2))" --max-age 30d -o json -b "$DLQ_TEST_KAFKA"
  # dlq watch on it: the first read, then 10 refreshes while 500 dead letters arrive a second
  # (each refresh's own time and the RSS after it; scripts/bench/watch_refresh.py).
  say "kafka watch ($WHERE_N): first read, then 10 refreshes while 500 arrive a second"
  "$DLQ_PYTHON" scripts/bench/watch_refresh.py --dlq "$DLQ_REL" --bootstrap "$KAFKA" \
    --topic "$where_topic" --entries "$WHERE_N" --refreshes 10 --arriving 500 >>"$RESULTS"
fi

if wants join; then
  join_topic=bench-join-$JOIN_N.DLT
  say "seeding $JOIN_N dead letters on $join_topic (8 partitions)"
  "$DLQ_PYTHON" scripts/bench/seed_bulk.py --bootstrap "$KAFKA" --topic "$join_topic" --count "$JOIN_N" \
    --partitions 8 --mix --sizes "$SIZES" >&2
  for members in 1 2 4; do
    for r in $(seq "$RUNS"); do
      target=bench-join-target-$members-$r
      "$DLQ_PYTHON" scripts/seed/kafka_admin.py --bootstrap "$KAFKA" create "$target" --partitions 8 >/dev/null
      "$DLQ_PYTHON" scripts/bench/join_members.py --dlq "$DLQ_REL" --broker "$DLQ_TEST_KAFKA" \
        --topic "$join_topic" --target "$target" --group "bench-join-$members-$r" \
        --members "$members" --entries "$JOIN_N" --case "kafka replay --join ($JOIN_N)" >>"$RESULTS" \
        || die "replay --join with $members member(s) failed"
      say "kafka replay --join: $members member(s), run $r: $(tail -1 "$RESULTS" | cut -f4) s"
    done
  done
  # Pulsar: an 8-partition DLQ written in batches as a busy service's client writes them; the
  # members are Failover consumers of a fresh subscription each run.
  pulsar_admin_put() { # PATH [PARTITIONS]: creates a topic through the admin API
    curl -sf -X PUT -H 'Content-Type: application/json' ${2:+--data "$2"} \
      "$DLQ_TEST_PULSAR_ADMIN/admin/v2/persistent/public/default/$1${2:+/partitions}" >/dev/null
  }
  pjoin_topic=bench-join-$JOIN_N-DLQ
  say "seeding $JOIN_N dead letters on $pjoin_topic (Pulsar, 8 partitions, batched)"
  pulsar_admin_put "$pjoin_topic" 8 || true
  "$DLQ_PYTHON" scripts/bench/seed_bulk.py --url "$DLQ_TEST_PULSAR" \
    --topic "persistent://public/default/$pjoin_topic" --count "$JOIN_N" --sizes "$SIZES" >&2
  for members in 1 2 4; do
    for r in $(seq "$RUNS"); do
      target=bench-join-target-$members-$r-$(date +%s)
      pulsar_admin_put "$target" 8
      "$DLQ_PYTHON" scripts/bench/join_members.py --dlq "$DLQ_REL" --broker "$DLQ_TEST_PULSAR" \
        --topic "$pjoin_topic" --target "$target" --group "bench-join-$members-$r-$(date +%s)" \
        --members "$members" --entries "$JOIN_N" --case "pulsar replay --join ($JOIN_N)" >>"$RESULTS" \
        || die "replay --join on Pulsar with $members member(s) failed"
      say "pulsar replay --join: $members member(s), run $r: $(tail -1 "$RESULTS" | cut -f4) s"
    done
  done
fi

if wants share-groups; then
  ensure_seed_programs
  share_origin=bench-share-$SHARE_N
  share_dlq=dlq.bench-share-$SHARE_N
  case="kafka share-group DLQ ($SHARE_N headers-only)"
  say "seeding $SHARE_N share-group dead letters (a KafkaShareConsumer rejects them)"
  java -Xmx256m -jar "$DLQ_SHARE_DLQ_JAR" --bootstrap "$KAFKA" --origin "$share_origin" \
    --group "bench-share-$SHARE_N" --dlq "$share_dlq" --rejected "$SHARE_N" --released 0 \
    --accepted "$SHARE_N" --partitions 4 --timeout 600 >"$DLQ_LOCAL_DIR/share-seed.json"
  # Where each original is, for the by-hand fetch.
  "$DLQ_PYTHON" -c 'import json, sys
for r in json.load(open(sys.argv[1]))["records"]:
    print(r["partition"], r["offset"])' "$DLQ_LOCAL_DIR/share-seed.json" >"$DLQ_LOCAL_DIR/share-origins.txt"
  measure "$case" "kcat -C -J" "$SHARE_N" kcat -C -b "$KAFKA" -t "$share_dlq" -J -e -q
  measure "$case" "dlq list -o jsonl (no fetch)" "$SHARE_N" "$DLQ_REL" list "$share_dlq" \
    --include-handled -o jsonl -b "$DLQ_TEST_KAFKA"
  measure "$case" "dlq export (originals fetched)" "$SHARE_N" "$DLQ_REL" export "$share_dlq" \
    --include-handled -b "$DLQ_TEST_KAFKA"
  measure "$case" "dlq replay --dry-run (originals fetched)" "$SHARE_N" "$DLQ_REL" replay \
    "$share_dlq" --all --dry-run -y -o json -b "$DLQ_TEST_KAFKA"
  measure "$case" "kcat per original (by hand)" "$SHARE_N" bash -c \
    'while read -r p o; do kcat -C -b "$1" -t "$2" -p "$p" -o "$o" -c 1 -J -q; done <"$3"' \
    _ "$KAFKA" "$share_origin" "$DLQ_LOCAL_DIR/share-origins.txt"
  measure "kafka inspect (share-group, one original)" dlq 1 "$DLQ_REL" inspect "$share_dlq" 0:0 \
    -o json -b "$DLQ_TEST_KAFKA"
fi

if wants redaction; then
  topic="bench-redact-$REDACT_N.DLT"
  # The shape of before (Spring only, ~300-byte events), so the numbers compare with the docs'.
  say "seeding $REDACT_N dead letters on $topic"
  "$DLQ_PYTHON" scripts/bench/seed_bulk.py --bootstrap "$KAFKA" --topic "$topic" --count "$REDACT_N" >&2
  for r in $(seq "$RUNS"); do
    measure_once "kafka export ($REDACT_N), redaction" "dlq, unredacted" "$REDACT_N" "$DLQ_REL" export "$topic" --include-handled -b "$DLQ_TEST_KAFKA"
    measure_once "kafka export ($REDACT_N), redaction" "dlq --redact" "$REDACT_N" "$DLQ_REL" export "$topic" --include-handled --redact -b "$DLQ_TEST_KAFKA"
    if [ -n "$DLQ_BASE" ]; then
      measure_once "kafka export ($REDACT_N), redaction" "dlq --redact at $BASELINE" "$REDACT_N" "$DLQ_BASE" export "$topic" --include-handled --redact -b "$DLQ_TEST_KAFKA"
    fi
  done
  if [ -n "${DLQ_BENCH_BIN:-}" ]; then
    say "DLQ_BENCH_BIN is set: skipping the hostile 1 MB inputs (a cargo test of the work tree)"
  else
    say "timing the hostile 1 MB inputs (release build)"
    cargo test -q --release --lib hostile_megabytes_redact_in_under_a_second_each -- --ignored --nocapture 2>&1 \
      | tee "$DLQ_LOCAL_DIR/redaction-speed.txt" | grep -E '^redaction-speed|test result' >&2 \
      || die "a hostile input took a second or more (see $DLQ_LOCAL_DIR/redaction-speed.txt)"
    sed -n 's/^redaction-speed \(.*\): \([0-9]*\) ms$/redaction, 1 MB hostile: \1\tdlq\t1\t\2\t0/p' "$DLQ_LOCAL_DIR/redaction-speed.txt" \
      | awk -F'\t' -v OFS='\t' '{ $4 = $4 / 1000; print }' >>"$RESULTS"
  fi
fi

if wants startup; then
  say "timing start-up with hyperfine"
  hyperfine -N --warmup 5 --runs 50 --export-json "$DLQ_LOCAL_DIR/startup.json" \
    "$DLQ_REL --help" "$DLQ_REL completions bash" >&2
  "$DLQ_PYTHON" - "$DLQ_LOCAL_DIR/startup.json" >>"$RESULTS" <<'PY'
import json, sys
for r in json.load(open(sys.argv[1]))["results"]:
    name = r["command"].split("/")[-1]
    print(f"start-up: {name}\tdlq\t1\t{r['mean']:.4f}\t0")
PY
fi

# The table, one line per case and tool: median wall time (the range when it ran more than once),
# entries/s at the median (and the perf tools' own rate), the highest peak RSS in MiB and the
# median time / the case's reference peer's. With --scale, seconds per million and peak RSS per N.
# Then the targets.
"$DLQ_PYTHON" - "$RESULTS" "$OWN_RATES" "$TARGETS" <<'PY'
import re, statistics, sys
results, own_path, targets_path = sys.argv[1:4]
runs = {}
for line in open(results):
    if line.strip():
        case, tool, n, wall, rss = line.rstrip("\n").split("\t")
        runs.setdefault((case, tool), []).append((int(n), float(wall), int(rss)))
own = {}
for line in open(own_path):
    if line.strip():
        case, tool, rate = line.rstrip("\n").split("\t")
        own.setdefault((case, tool), []).append(float(rate))
median = {k: statistics.median(w for _, w, _ in v) for k, v in runs.items()}
own_median = {k: statistics.median(v) for k, v in own.items()}
peak = {k: max(r for _, _, r in v) for k, v in runs.items()}
entries = {k: v[0][0] for k, v in runs.items()}
# The reference peer of a case, for the last column: the first of these that ran it.
REFERENCES = ["kcat -C -J", "Java reader", "kcat -P", "Python pulsar-client", "peer"]
def reference(case):
    return next((t for t in REFERENCES if (case, t) in median), None)

print("| case | tool | entries | runs | wall (s), median | range (s) | entries/s (own) | peak RSS (MiB) | time / reference |")
print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
for (case, tool), v in runs.items():
    n, wall, rss = entries[(case, tool)], median[(case, tool)], peak[(case, tool)]
    walls = [w for _, w, _ in v]
    paged = "--limit" in case or " inspect " in case
    rate = f"{n / wall:,.0f}" if wall > 0 and n > 1 and not paged else "-"
    if (case, tool) in own_median:
        rate += f" ({own_median[(case, tool)]:,.0f})"
    ref = reference(case)
    ratio = f"{wall / median[(case, ref)]:.2f}" if ref and ref != tool and median[(case, ref)] > 0 else ""
    # Redaction: this build's --redact against the baseline commit's, on the same topic.
    base = next((m for (c, t), m in median.items() if c == case and t.startswith("dlq --redact at")), None)
    if tool == "dlq --redact" and base:
        ratio = f"{wall / base:.2f} (vs baseline)"
    mem = f"{rss / 1024:.1f}" if rss else "-"
    if case.startswith("start-up"):
        shown, spread = f"{wall * 1000:.1f} ms", ""
    else:
        shown = f"{wall:.2f}"
        spread = f"{min(walls):.2f}–{max(walls):.2f}" if len(walls) > 1 else ""
    print(f"| {case} | {tool} | {n:,} | {len(v)} | {shown} | {spread} | {rate} | {mem} | {ratio} |")
print()
print("References of the last column: kcat -C -J (Kafka reads), the Java reader (Pulsar reads),")
print("kcat -P (Kafka replay), the Python producer (Pulsar replay). entries/s (own): the rate the")
print("perf tool reported itself, without its JVM's start (see the top of scripts/bench.sh).")

# Scaling: dlq's reads per N, when more than one N ran.
READ = re.compile(r"^(kafka|pulsar) read \((\d+)(?:, (\w+))?\)$")
groups = {}
for (case, tool) in runs:
    m = READ.match(case)
    if m and tool.startswith("dlq"):
        groups.setdefault((m.group(1), m.group(3), tool), []).append((int(m.group(2)), case))
scaled = {k: sorted(v) for k, v in groups.items() if len(v) > 1}
if scaled:
    print()
    print("Scaling (dlq): seconds per million entries and peak RSS, per N")
    print()
    print("| broker | tool | N | wall (s), median | s per 1M entries | peak RSS (MiB) |")
    print("|---|---|---:|---:|---:|---:|")
    for (broker, shape, tool), ns in sorted(scaled.items(), key=lambda kv: (kv[0][0], kv[0][1] or "", kv[0][2])):
        for n, case in ns:
            wall = median[(case, tool)]
            label = broker + (f", {shape}" if shape else "")
            print(f"| {label} | {tool} | {n:,} | {wall:.2f} | {wall / n * 1e6:.2f} | {peak[(case, tool)] / 1024:.1f} |")

# Targets: ratios of this run's medians.
lines = []
def target(name, value, ok, bound, note=""):
    verdict = "n/a " if value is None else ("PASS" if ok else "MISS")
    shown = "not measured" if value is None else value
    lines.append(f"{verdict}  {name}: {shown} (target {bound}){note}")
def ratio(a, b):
    return None if a is None or not b else a / b
def med(case, tool):
    return median.get((case, tool))

for case in sorted({c for c, _ in runs}):
    m = READ.match(case)
    if not m:
        continue
    broker, n, shape = m.group(1), int(m.group(2)), m.group(3)
    export = med(case, "dlq export")
    export_rate = n / export if export else None
    if broker == "kafka" and (case, "kcat -C -J") in median:
        kcat = med(case, "kcat -C -J")
        for tool in ["dlq export", "dlq list -o jsonl", "dlq stats"]:
            r = ratio(med(case, tool), kcat)
            target(f"Kafka ({n:,}) {tool} time / kcat's", r and f"{r:.2f}", r is not None and r <= 1.0, "≤ 1.0")
        cp = own_median.get((case, "ConsumerPerformance (limit)"))
        r = ratio(export_rate, cp)
        target(f"Kafka ({n:,}) dlq export entries/s / ConsumerPerformance's", r and f"{r:.2f}", r is not None and r >= 0.5, "≥ 0.5",
               f"  [{export_rate or 0:,.0f} / {cp or 0:,.0f} a second; ConsumerPerformance's own nMsg.sec]")
    if broker == "pulsar" and (case, "Java reader") in median:
        r = ratio(export, med(case, "Java reader"))
        target(f"Pulsar ({n:,}, {shape}) dlq export time / the Java reader's", r and f"{r:.2f}", r is not None and r <= 1.0, "≤ 1.0")
        perf = own_median.get((case, "pulsar-perf consume (limit)"))
        r = ratio(export_rate, perf)
        target(f"Pulsar ({n:,}, {shape}) dlq export entries/s / pulsar-perf consume's", r and f"{r:.2f}", r is not None and r >= 0.5, "≥ 0.5",
               f"  [{export_rate or 0:,.0f} / {perf or 0:,.0f} a second; pulsar-perf's own aggregated msg/s]")

for case in sorted({c for c, _ in runs}):
    m = re.match(r"^kafka --where \((\d+)\)$", case)
    if not m:
        continue
    r = ratio(med(case, "dlq list --where (payload)"), med(case, "dlq list -o jsonl"))
    target(f"Kafka ({int(m.group(1)):,}) list --where on the payload / list", r and f"{r:.2f}", r is not None and r <= 2.0, "≤ 2.0")

for case in sorted({c for c, _ in runs}):
    m = re.match(r"^(kafka|pulsar) replay \((\d+)\)$", case)
    if not m:
        continue
    broker, n = m.group(1), int(m.group(2))
    perf_tool = "ProducerPerformance (limit)" if broker == "kafka" else "pulsar-perf produce (limit)"
    replay = med(case, "dlq replay")
    rate = n / replay if replay else None
    perf = own_median.get((case, perf_tool))
    r = ratio(rate, perf)
    how = "its own records/sec" if broker == "kafka" else "N over its logged send window"
    target(f"{broker.capitalize()} replay ({n:,}) dlq entries/s / {perf_tool.split(' (')[0]}'s", r and f"{r:.2f}", r is not None and r >= 0.5, "≥ 0.5",
           f"  [{rate or 0:,.0f} / {perf or 0:,.0f} a second; {how}]")

for case in sorted(c for c, t in runs if t == "dlq refresh"):
    v = runs[(case, "dlq refresh")]
    wall = median[(case, "dlq refresh")]
    target(f"{case} refresh time (median of {len(v)})", f"{wall:.3f} s", wall < 0.5, "< 0.5 s")
    growth = (v[-1][2] - v[0][2]) / 1024
    arrived = sum(n for n, _, _ in v)
    target(f"{case} RSS growth over {len(v)} refreshes ({arrived:,} arrived)", f"{growth:.1f} MiB",
           growth <= 4, "≤ 4 MiB (flat)")

for (case, tool) in runs:
    # dlq watch keeps ~40 bytes per unhandled entry by design: its bound is flatness (above).
    if not tool.startswith("dlq") or " at " in tool or case.startswith(("start-up", "redaction", "kafka watch")):
        continue
    rss = peak[(case, tool)] / 1024
    if not rss:
        continue
    bound = 96 if " replay " in case else 64
    target(f"peak RSS {case} / {tool}", f"{rss:.1f} MiB", rss <= bound, f"≤ {bound} MiB")

def by_n(case):  # "kafka inspect (10000)" after "kafka inspect (2000)"
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", case)]
for case in sorted({c for c, _ in runs}, key=by_n):
    m = re.match(r"^(kafka|pulsar) (list --limit 50|inspect|check) \((.*)\)$", case)
    if not m or (case, "dlq") not in median:
        continue
    wall = med(case, "dlq")
    note = "" if m.group(1) == "kafka" else "  [Pulsar: shown, not a target]"
    target(f"{case} time", f"{wall:.2f} s", wall < 0.5, "< 0.5 s", note)

text = "\n".join(["## Targets", "", "Ratios of this run's medians (PASS / MISS; n/a: a side did not run).", ""]
                 + lines + [""])
print()
print(text, end="")
open(targets_path, "w").write(text)
counted = [l for l in lines if "not a target" not in l and not l.startswith("n/a")]
met = sum(l.startswith("PASS") for l in counted)
print(f"\n{met} of {len(counted)} targets met (n/a and Pulsar's pages not counted); also in {targets_path}")
PY
