#!/usr/bin/env bash
# Regenerates completions/ and the man page doc/dlq.1 from the clap definition.
# tests/cli/completions.rs fails when the committed files differ from what the binary prints.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
ensure_dlq
cd "$DLQ_ROOT"
"$DLQ_BIN" completions bash >completions/dlq.bash
"$DLQ_BIN" completions zsh >completions/_dlq
"$DLQ_BIN" completions fish >completions/dlq.fish
"$DLQ_BIN" completions powershell >completions/_dlq.ps1
"$DLQ_BIN" completions elvish >completions/dlq.elv
mkdir -p doc
"$DLQ_BIN" man >doc/dlq.1
say "completions/ and doc/dlq.1 regenerated"
