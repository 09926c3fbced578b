#!/usr/bin/env bash
# Fuzzes the convention parser, the decoders and the redactor with cargo-fuzz (libFuzzer).
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]     default: 600 seconds each, every target
#
# Each target starts from its committed seed corpus (fuzz/corpus/TARGET, made by
# fuzz/make_corpus.py) and grows a working corpus under ~/.cache/dlq/fuzz-corpus, so the
# repository's corpus stays as committed. A crash stops the run; its input is left in
# fuzz/artifacts/TARGET/ and `cargo fuzz run TARGET fuzz/artifacts/TARGET/crash-…` replays it.
# cargo-fuzz needs nightly compiler flags: a nightly toolchain is used when rustup has one,
# otherwise the stable compiler with RUSTC_BOOTSTRAP=1.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

SECONDS_EACH=${1:-600}
shift || true
TARGETS=("$@")
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=(conventions decode redact)

ensure_system_packages
FUZZ_ROOT=$DLQ_CACHE/cargo-fuzz
if [ ! -x "$FUZZ_ROOT/bin/cargo-fuzz" ]; then
  say "installing cargo-fuzz into $FUZZ_ROOT"
  cargo install cargo-fuzz --version 0.13.2 --locked --root "$FUZZ_ROOT" >/dev/null
fi
export PATH=$FUZZ_ROOT/bin:$PATH
export CARGO_TARGET_DIR=$DLQ_CACHE/fuzz-target

toolchain=()
if rustup toolchain list 2>/dev/null | grep -q '^nightly'; then
  toolchain=(+nightly)
else
  export RUSTC_BOOTSTRAP=1
fi

for t in "${TARGETS[@]}"; do
  work=$DLQ_CACHE/fuzz-corpus/$t
  mkdir -p "$work"
  say "fuzzing $t for ${SECONDS_EACH}s (working corpus $work)"
  (cd fuzz && cargo "${toolchain[@]}" fuzz run "$t" "$work" "corpus/$t" -- \
      -max_total_time="$SECONDS_EACH" -print_final_stats=1 2>&1 | tail -n 25)
done
