#!/usr/bin/env bash
# Benchmarks dlq side by side with the official clients on the same topics, on brokers of its
# own (tansu with its in-memory engine, pulsar-lite behind the checksum proxy).
#
#   scripts/bench.sh [--kafka N] [--pulsar N] [--replay N] [--only kafka|pulsar|startup]
#                    [--scale "10000 100000 1000000"]
#
# Defaults: 1,000,000 Kafka dead letters, 200,000 Pulsar ones, 100,000 replayed. --scale runs
# the Kafka read benchmarks once per N given, to show how time and memory grow. Every row is
# wall time and peak RSS from GNU time for one process; dlq runs as a release build. The peers:
# confluent-kafka's consumer (librdkafka, batch consume) and producer, pulsar-client's reader
# and producer, writing the same JSON lines / waiting for the same confirmations.
# Results are printed as a Markdown table (and kept in .dlq-local/bench/results.tsv) for
# docs/BENCHMARKS.md. Timings live here, never in tests.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$DLQ_ROOT"

KAFKA_N=1000000
PULSAR_N=200000
REPLAY_N=100000
ONLY=all
SCALE=
while [ $# -gt 0 ]; do
  case $1 in
    --kafka) KAFKA_N=$2; shift 2 ;;
    --pulsar) PULSAR_N=$2; shift 2 ;;
    --replay) REPLAY_N=$2; shift 2 ;;
    --only) ONLY=$2; shift 2 ;;
    --scale) SCALE=$2; shift 2 ;;
    *) die "unknown argument $1 (see the top of $0)" ;;
  esac
done

ensure_system_packages
command -v /usr/bin/time >/dev/null 2>&1 && command -v hyperfine >/dev/null 2>&1 || {
  say "installing GNU time and hyperfine"
  sudo=; [ "$(id -u)" -eq 0 ] || sudo=sudo
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq time hyperfine >/dev/null
}
ensure_python_clients
export DLQ_TANSU_ENGINE=memory
. "$DLQ_ROOT/scripts/lib.sh"   # again, for the in-memory tansu's path
ensure_tansu
say "building dlq (release)"
(cargo build -q --release --bin dlq) || die "building dlq failed"
DLQ_REL=$CARGO_TARGET_DIR/release/dlq

export DLQ_LOCAL_DIR=$DLQ_ROOT/.dlq-local/bench
export DLQ_KAFKA_PORT=39092 DLQ_PULSAR_PORT=36650 DLQ_PULSAR_LITE_PORT=36651
scripts/brokers.sh down >/dev/null 2>&1 || true
scripts/brokers.sh up
trap 'scripts/brokers.sh down >/dev/null 2>&1 || true' EXIT
eval "$(scripts/brokers.sh env)"
KAFKA=${DLQ_TEST_KAFKA#kafka://}
RESULTS=$DLQ_LOCAL_DIR/results.tsv
: >"$RESULTS"

# measure CASE TOOL ENTRIES CMD...: one row: wall seconds and peak RSS.
measure() {
  local case=$1 tool=$2 n=$3; shift 3
  local t; t=$(mktemp)
  if ! /usr/bin/time -f "%e %M" -o "$t" "$@" >/dev/null 2>"$DLQ_LOCAL_DIR/last.err"; then
    tail -5 "$DLQ_LOCAL_DIR/last.err" >&2; die "$case / $tool failed"
  fi
  read -r wall rss <"$t"; rm -f "$t"
  printf '%s\t%s\t%s\t%s\t%s\n' "$case" "$tool" "$n" "$wall" "$rss" >>"$RESULTS"
  say "$case / $tool: ${wall}s, $((rss / 1024)) MiB peak RSS"
}

seed() { # kafka|pulsar TOPIC N
  say "seeding $3 dead letters on $2"
  if [ "$1" = kafka ]; then
    "$DLQ_PYTHON" scripts/bench/seed_bulk.py --bootstrap "$KAFKA" --topic "$2" --count "$3" >&2
  else
    "$DLQ_PYTHON" scripts/bench/seed_bulk.py --url "$DLQ_TEST_PULSAR_DIRECT" --topic "$2" --count "$3" >&2
  fi
}

kafka_reads() { # N
  local n=$1 topic="bench-$1.DLT"
  seed kafka "$topic" "$n"
  measure "kafka export ($n)" peer "$n" "$DLQ_PYTHON" scripts/bench/peer_read.py --kafka "$KAFKA" --topic "$topic"
  measure "kafka export ($n)" dlq "$n" "$DLQ_REL" export "$topic" --all -b "$DLQ_TEST_KAFKA"
  measure "kafka list -o jsonl ($n)" dlq "$n" "$DLQ_REL" list "$topic" --all -o jsonl -b "$DLQ_TEST_KAFKA"
  measure "kafka stats ($n)" dlq "$n" "$DLQ_REL" stats "$topic" --all -o json -b "$DLQ_TEST_KAFKA"
  measure "kafka list --limit 50 ($n)" dlq 50 "$DLQ_REL" list "$topic" --all --limit 50 -o table -b "$DLQ_TEST_KAFKA"
}

if [ "$ONLY" = all ] || [ "$ONLY" = kafka ]; then
  if [ -n "$SCALE" ]; then
    for n in $SCALE; do kafka_reads "$n"; done
  else
    kafka_reads "$KAFKA_N"
    seed kafka bench-replay.DLT "$REPLAY_N"
    seed kafka bench-peer-target 0
    seed kafka bench-dlq-target 0
    measure "kafka replay ($REPLAY_N)" peer "$REPLAY_N" "$DLQ_PYTHON" scripts/bench/peer_produce.py --kafka "$KAFKA" --topic bench-peer-target --count "$REPLAY_N"
    measure "kafka replay ($REPLAY_N)" dlq "$REPLAY_N" "$DLQ_REL" replay bench-replay.DLT --all --to bench-dlq-target -y -o json -b "$DLQ_TEST_KAFKA"
  fi
fi

if [ "$ONLY" = all ] || [ "$ONLY" = pulsar ]; then
  topic=persistent://public/default/bench-orders-billing-DLQ
  seed pulsar "$topic" "$PULSAR_N"
  measure "pulsar export ($PULSAR_N)" peer "$PULSAR_N" "$DLQ_PYTHON" scripts/bench/peer_read.py --pulsar "$DLQ_TEST_PULSAR_DIRECT" --topic "$topic"
  measure "pulsar export ($PULSAR_N)" dlq "$PULSAR_N" "$DLQ_REL" export "$topic" --all -b "$DLQ_TEST_PULSAR"
  measure "pulsar list -o jsonl ($PULSAR_N)" dlq "$PULSAR_N" "$DLQ_REL" list "$topic" --all -o jsonl -b "$DLQ_TEST_PULSAR"
  measure "pulsar stats ($PULSAR_N)" dlq "$PULSAR_N" "$DLQ_REL" stats "$topic" --all -o json -b "$DLQ_TEST_PULSAR"
  replay=persistent://public/default/bench-replay-billing-DLQ
  seed pulsar "$replay" "$REPLAY_N"
  measure "pulsar replay ($REPLAY_N)" peer "$REPLAY_N" "$DLQ_PYTHON" scripts/bench/peer_produce.py --pulsar "$DLQ_TEST_PULSAR_DIRECT" --topic bench-peer-target --count "$REPLAY_N"
  measure "pulsar replay ($REPLAY_N)" dlq "$REPLAY_N" "$DLQ_REL" replay "$replay" --all --to bench-dlq-target -y -o json -b "$DLQ_TEST_PULSAR"
fi

if [ "$ONLY" = all ] || [ "$ONLY" = startup ]; then
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

# The table: entries/s, peak RSS in MiB and, where a peer ran the same case, dlq's time / peer's.
"$DLQ_PYTHON" - "$RESULTS" <<'PY'
import sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
peer = {r[0]: float(r[3]) for r in rows if r[1] == "peer"}
print("| case | tool | entries | wall (s) | entries/s | peak RSS (MiB) | time dlq/peer |")
print("|---|---|---:|---:|---:|---:|---:|")
for case, tool, n, wall, rss in rows:
    n, wall, rss = int(n), float(wall), int(rss)
    rate = f"{n / wall:,.0f}" if wall > 0 and n > 1 else "-"
    ratio = f"{wall / peer[case]:.2f}" if tool == "dlq" and case in peer and peer[case] > 0 else ""
    mem = f"{rss / 1024:.1f}" if rss else "-"
    shown = f"{wall * 1000:.1f} ms" if case.startswith("start-up") else f"{wall:.2f}"
    print(f"| {case} | {tool} | {n:,} | {shown} | {rate} | {mem} | {ratio} |")
PY
