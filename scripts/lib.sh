# Shared by the project's scripts: where things live and how they are installed.
# Everything downloaded or built is cached under $DLQ_CACHE (default ~/.cache/dlq) so a second
# run on the same machine starts in seconds. Source this file; it defines functions only.

DLQ_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DLQ_CACHE=${DLQ_CACHE:-$HOME/.cache/dlq}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$DLQ_CACHE/target}
TANSU_VERSION=0.6.0
PULSAR_LITE_VERSION=0.2.0
# DLQ_TANSU_ENGINE=memory (scripts/bench.sh) uses a tansu built with its in-memory object store
# (dynostore): the libsql engine answers each fetch by summing the sizes of every later record
# in the partition, so reading a large topic through it is quadratic (docs/BROKERS-NOTES.md).
TANSU_ENGINE=${DLQ_TANSU_ENGINE:-libsql}
case $TANSU_ENGINE in
  libsql) TANSU_FEATURES=libsql; TANSU_BIN=$DLQ_CACHE/tansu-$TANSU_VERSION/bin/tansu ;;
  memory) TANSU_FEATURES=libsql,dynostore; TANSU_BIN=$DLQ_CACHE/tansu-$TANSU_VERSION-dynostore/bin/tansu ;;
  *) echo "DLQ_TANSU_ENGINE is libsql or memory, not '$TANSU_ENGINE'" >&2; exit 2 ;;
esac
PULSAR_LITE_DIR=$DLQ_CACHE/pulsar-lite-$PULSAR_LITE_VERSION
PULSAR_LITE_BIN=$PULSAR_LITE_DIR/pulsar_lite-$PULSAR_LITE_VERSION.data/purelib/pulsar_lite/bin/pulsar-lite
DLQ_VENV=$DLQ_CACHE/venv
DLQ_PYTHON=$DLQ_VENV/bin/python

say() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Debian packages needed to build dlq (protoc for the pulsar crate; rdkafka builds librdkafka).
ensure_system_packages() {
  local missing=()
  command -v protoc >/dev/null || missing+=(protobuf-compiler)
  command -v cc >/dev/null || missing+=(build-essential)
  command -v pkg-config >/dev/null || missing+=(pkg-config)
  dpkg -s libssl-dev >/dev/null 2>&1 || missing+=(libssl-dev)
  dpkg -s zlib1g-dev >/dev/null 2>&1 || missing+=(zlib1g-dev)
  python3 -c 'import venv, ensurepip' 2>/dev/null || missing+=(python3-venv)
  # The tests make certificates and look at process arguments.
  command -v openssl >/dev/null || missing+=(openssl)
  command -v ps >/dev/null || missing+=(procps)
  # A TLS terminator in front of tansu, which cannot serve TLS itself (docs/BROKERS-NOTES.md).
  command -v socat >/dev/null || missing+=(socat)
  [ ${#missing[@]} -eq 0 ] && return 0
  say "installing Debian packages: ${missing[*]}"
  local sudo=; [ "$(id -u)" -eq 0 ] || sudo=sudo
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
}

# The official Python clients, used as peers: they produce dead letters the way services do.
ensure_python_clients() {
  if [ -x "$DLQ_PYTHON" ] && "$DLQ_PYTHON" -W ignore -c 'import pulsar, fastavro, confluent_kafka.schema_registry.avro' 2>/dev/null; then
    return 0
  fi
  say "installing the official Python clients into $DLQ_VENV"
  python3 -m venv "$DLQ_VENV"
  "$DLQ_VENV/bin/pip" install -q --disable-pip-version-check -r "$DLQ_ROOT/scripts/requirements.txt"
}

# tansu (Kafka protocol) built from crates.io with its libsql engine. ~15 minutes the first time.
ensure_tansu() {
  [ -x "$TANSU_BIN" ] && return 0
  say "building tansu $TANSU_VERSION from crates.io (first run only, about 15 minutes on 2 cores)"
  mkdir -p "$DLQ_CACHE/logs"
  # Its own target dir: tansu's locked dependency set must not disturb dlq's build cache.
  CARGO_TARGET_DIR=$DLQ_CACHE/tansu-build cargo install tansu --version "$TANSU_VERSION" \
    --locked --features "$TANSU_FEATURES" --root "$(dirname "$(dirname "$TANSU_BIN")")" \
    >"$DLQ_CACHE/logs/tansu-build.log" 2>&1 \
    || { tail -30 "$DLQ_CACHE/logs/tansu-build.log" >&2; die "building tansu failed (log: $DLQ_CACHE/logs/tansu-build.log)"; }
  rm -rf "$DLQ_CACHE/tansu-build"
}

# pulsar-lite (Pulsar protocol): the broker binary inside its PyPI wheel.
ensure_pulsar_lite() {
  [ -x "$PULSAR_LITE_BIN" ] && return 0
  say "fetching pulsar-lite $PULSAR_LITE_VERSION from PyPI"
  ensure_python_clients
  local wheels=$DLQ_CACHE/wheels
  "$DLQ_VENV/bin/pip" download -q --disable-pip-version-check --no-deps -d "$wheels" "pulsar-lite==$PULSAR_LITE_VERSION"
  rm -rf "$PULSAR_LITE_DIR"; mkdir -p "$PULSAR_LITE_DIR"
  python3 -m zipfile -e "$(ls "$wheels"/pulsar_lite-"$PULSAR_LITE_VERSION"-*.whl | head -1)" "$PULSAR_LITE_DIR"
  chmod +x "$PULSAR_LITE_BIN"
}

# The checksum-restoring proxy in front of pulsar-lite (tools/pulsar-lite-proxy, see its docs).
# DLQ_PROXY_PROFILE=release builds the proxy optimised (benchmarks: dlq and the peers share it).
PROXY_PROFILE=${DLQ_PROXY_PROFILE:-debug}
ensure_proxy() {
  local flag=; [ "$PROXY_PROFILE" = release ] && flag=--release
  (cd "$DLQ_ROOT" && cargo build -q $flag -p pulsar-lite-proxy) || die "building pulsar-lite-proxy failed"
}
PROXY_BIN=$CARGO_TARGET_DIR/$PROXY_PROFILE/pulsar-lite-proxy

ensure_dlq() {
  (cd "$DLQ_ROOT" && cargo build -q --bin dlq) || die "building dlq failed"
}
DLQ_BIN=$CARGO_TARGET_DIR/debug/dlq
