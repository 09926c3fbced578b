#!/usr/bin/env bash
# Benchmarks dlq side by side with the official clients on the same topics, on brokers of its
# own (Apache Kafka and Apache Pulsar, started by scripts/brokers.sh on ports apart).
#
#   scripts/bench.sh [--kafka N] [--pulsar N] [--replay N] [--only kafka|pulsar|startup|redaction]
#                    [--scale "10000 100000 1000000"] [--runs R] [--redact N] [--baseline COMMIT]
#
# Defaults: 1,000,000 Kafka dead letters, 200,000 Pulsar ones (once batched, once not), 100,000
# replayed. --scale runs the read benchmarks once per N given (Kafka; Pulsar unbatched), to show
# how time and memory grow. Every row is
# wall time and peak RSS from GNU time for one process; dlq runs as a release build. The peers:
# confluent-kafka's consumer (librdkafka, batch consume) and producer, pulsar-client's reader
# and producer, writing the same JSON lines / waiting for the same confirmations.
# Results are printed as a Markdown table (and kept in .dlq-local/bench/results.tsv) for
# docs/BENCHMARKS.md. Each case runs R times (default 3; a replay on a freshly seeded DLQ each
# time): the table shows the median wall time, the range, and the highest peak RSS. Timings live
# here, never in tests.
#
# Redaction (--only redaction, and part of all): `export --redact` of N Kafka dead letters
# (default 100,000) against the same export unredacted, and, with --baseline COMMIT, against
# `export --redact` of a release build of that commit on the same topic (built in a worktree of
# its own): the cost of the redaction rules, before and after a change. Then the hostile 1 MB
# inputs of src/domain/redact/corpus.rs, timed in a release build.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$DLQ_ROOT"

KAFKA_N=1000000
PULSAR_N=200000
REPLAY_N=100000
ONLY=all
SCALE=
RUNS=3
REDACT_N=100000
BASELINE=
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
# Pulsar with the full JIT: a benchmark measures the broker at speed, not at start-up.
export DLQ_PULSAR_JIT_OPTS=
say "building dlq (release)"
(cargo build -q --release --bin dlq) || die "building dlq failed"
DLQ_REL=$CARGO_TARGET_DIR/release/dlq
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
: >"$RESULTS"

# measure_once CASE TOOL ENTRIES CMD...: one row: wall seconds and peak RSS.
measure_once() {
  local case=$1 tool=$2 n=$3; shift 3
  local t; t=$(mktemp)
  if ! /usr/bin/time -f "%e %M" -o "$t" "$@" >/dev/null 2>"$DLQ_LOCAL_DIR/last.err"; then
    tail -5 "$DLQ_LOCAL_DIR/last.err" >&2; die "$case / $tool failed"
  fi
  read -r wall rss <"$t"; rm -f "$t"
  printf '%s\t%s\t%s\t%s\t%s\n' "$case" "$tool" "$n" "$wall" "$rss" >>"$RESULTS"
  say "$case / $tool: ${wall}s, $((rss / 1024)) MiB peak RSS"
}

# measure CASE TOOL ENTRIES CMD...: RUNS rows of the same read.
measure() {
  local r
  for r in $(seq "$RUNS"); do measure_once "$@"; done
}

seed() { # kafka|pulsar TOPIC N
  say "seeding $3 dead letters on $2"
  if [ "$1" = kafka ]; then
    "$DLQ_PYTHON" scripts/bench/seed_bulk.py --bootstrap "$KAFKA" --topic "$2" --count "$3" >&2
  else
    "$DLQ_PYTHON" scripts/bench/seed_bulk.py --url "$DLQ_TEST_PULSAR" --topic "$2" --count "$3" >&2
  fi
}

# dlq_reads BROKER LABEL N TOPIC URL: dlq's reads of a whole DLQ, and its first page.
dlq_reads() {
  local b=$1 label=$2 n=$3 topic=$4 url=$5
  measure "$b export ($label)" dlq "$n" "$DLQ_REL" export "$topic" --include-handled -b "$url"
  measure "$b list -o jsonl ($label)" dlq "$n" "$DLQ_REL" list "$topic" --include-handled -o jsonl -b "$url"
  measure "$b stats ($label)" dlq "$n" "$DLQ_REL" stats "$topic" --include-handled -o json -b "$url"
  measure "$b list --limit 50 ($label)" dlq 50 "$DLQ_REL" list "$topic" --include-handled --limit 50 -o table -b "$url"
}

kafka_reads() { # N
  local n=$1 topic="bench-$1.DLT"
  seed kafka "$topic" "$n"
  # The peer with dlq's fetch setting (the ratio's reference), and with librdkafka's defaults.
  measure "kafka export ($n)" peer "$n" "$DLQ_PYTHON" scripts/bench/peer_read.py --kafka "$KAFKA" --topic "$topic" -X fetch.wait.max.ms=50
  measure "kafka export ($n)" "peer, defaults" "$n" "$DLQ_PYTHON" scripts/bench/peer_read.py --kafka "$KAFKA" --topic "$topic"
  dlq_reads kafka "$n" "$n" "$topic" "$DLQ_TEST_KAFKA"
}

if [ "$ONLY" = all ] || [ "$ONLY" = kafka ]; then
  if [ -n "$SCALE" ]; then
    for n in $SCALE; do kafka_reads "$n"; done
  else
    kafka_reads "$KAFKA_N"
    seed kafka bench-peer-target 0
    seed kafka bench-dlq-target 0
    for r in $(seq "$RUNS"); do
      seed kafka "bench-replay-$r.DLT" "$REPLAY_N"
      measure_once "kafka replay ($REPLAY_N)" peer "$REPLAY_N" "$DLQ_PYTHON" scripts/bench/peer_produce.py --kafka "$KAFKA" --topic bench-peer-target --count "$REPLAY_N"
      measure_once "kafka replay ($REPLAY_N)" dlq "$REPLAY_N" "$DLQ_REL" replay "bench-replay-$r.DLT" --all --to bench-dlq-target -y -o json -b "$DLQ_TEST_KAFKA"
    done
  fi
fi

# pulsar_reads N batched|unbatched: batched as a busy service's producer sends (1,000 a batch),
# unbatched one message an entry.
pulsar_reads() {
  local n=$1 shape=$2 flag=
  local topic=persistent://public/default/bench-$shape-$n-billing-DLQ
  [ "$shape" = unbatched ] && flag=--no-batching
  say "seeding $n $shape dead letters on $topic"
  "$DLQ_PYTHON" scripts/bench/seed_bulk.py --url "$DLQ_TEST_PULSAR" --topic "$topic" --count "$n" $flag >&2
  measure "pulsar export ($n, $shape)" peer "$n" "$DLQ_PYTHON" scripts/bench/peer_read.py --pulsar "$DLQ_TEST_PULSAR" --topic "$topic"
  dlq_reads pulsar "$n, $shape" "$n" "$topic" "$DLQ_TEST_PULSAR"
}

if [ "$ONLY" = all ] || [ "$ONLY" = pulsar ]; then
  if [ -n "$SCALE" ]; then
    for n in $SCALE; do pulsar_reads "$n" unbatched; done
  else
    pulsar_reads "$PULSAR_N" batched
    pulsar_reads "$PULSAR_N" unbatched
    # A replay sends only to topics that exist (Apache Pulsar creates one only when written to).
    curl -sf -X PUT "$DLQ_TEST_PULSAR_ADMIN/admin/v2/persistent/public/default/bench-dlq-target" || true
    for r in $(seq "$RUNS"); do
      replay=persistent://public/default/bench-replay-$r-billing-DLQ
      seed pulsar "$replay" "$REPLAY_N"
      measure_once "pulsar replay ($REPLAY_N)" peer "$REPLAY_N" "$DLQ_PYTHON" scripts/bench/peer_produce.py --pulsar "$DLQ_TEST_PULSAR" --topic bench-peer-target --count "$REPLAY_N"
      measure_once "pulsar replay ($REPLAY_N)" dlq "$REPLAY_N" "$DLQ_REL" replay "$replay" --all --to bench-dlq-target -y -o json -b "$DLQ_TEST_PULSAR"
    done
  fi
fi

if [ "$ONLY" = all ] || [ "$ONLY" = redaction ]; then
  topic="bench-redact-$REDACT_N.DLT"
  seed kafka "$topic" "$REDACT_N"
  for r in $(seq "$RUNS"); do
    measure_once "kafka export ($REDACT_N), redaction" "dlq, unredacted" "$REDACT_N" "$DLQ_REL" export "$topic" --include-handled -b "$DLQ_TEST_KAFKA"
    measure_once "kafka export ($REDACT_N), redaction" "dlq --redact" "$REDACT_N" "$DLQ_REL" export "$topic" --include-handled --redact -b "$DLQ_TEST_KAFKA"
    if [ -n "$DLQ_BASE" ]; then
      measure_once "kafka export ($REDACT_N), redaction" "dlq --redact at $BASELINE" "$REDACT_N" "$DLQ_BASE" export "$topic" --include-handled --redact -b "$DLQ_TEST_KAFKA"
    fi
  done
  say "timing the hostile 1 MB inputs (release build)"
  cargo test -q --release --lib hostile_megabytes_redact_in_under_a_second_each -- --ignored --nocapture 2>&1 \
    | tee "$DLQ_LOCAL_DIR/redaction-speed.txt" | grep -E '^redaction-speed|test result' >&2 \
    || die "a hostile input took a second or more (see $DLQ_LOCAL_DIR/redaction-speed.txt)"
  sed -n 's/^redaction-speed \(.*\): \([0-9]*\) ms$/redaction, 1 MB hostile: \1\tdlq\t1\t\2\t0/p' "$DLQ_LOCAL_DIR/redaction-speed.txt" \
    | awk -F'\t' -v OFS='\t' '{ $4 = $4 / 1000; print }' >>"$RESULTS"
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

# The table, one line per case and tool: median wall time (the range when it ran more than once),
# entries/s at the median, the highest peak RSS in MiB and, where a peer ran the same case, dlq's
# median time / the peer's.
"$DLQ_PYTHON" - "$RESULTS" <<'PY'
import statistics, sys
runs = {}
for line in open(sys.argv[1]):
    if line.strip():
        case, tool, n, wall, rss = line.rstrip("\n").split("\t")
        runs.setdefault((case, tool), []).append((int(n), float(wall), int(rss)))
median = {k: statistics.median(w for _, w, _ in v) for k, v in runs.items()}
print("| case | tool | entries | runs | wall (s), median | range (s) | entries/s | peak RSS (MiB) | time dlq/peer |")
print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
for (case, tool), v in runs.items():
    n, wall, rss = v[0][0], median[(case, tool)], max(r for _, _, r in v)
    walls = [w for _, w, _ in v]
    rate = f"{n / wall:,.0f}" if wall > 0 and n > 1 and "--limit" not in case else "-"
    peer = median.get((case, "peer"))
    ratio = f"{wall / peer:.2f}" if tool == "dlq" and peer else ""
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
PY
