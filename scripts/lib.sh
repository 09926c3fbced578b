# Shared by the project's scripts: where things live and how they are installed.
# Everything downloaded or built is cached under $DLQ_CACHE (default ~/.cache/dlq) so a second
# run on the same machine starts in seconds. Source this file; it defines functions only.

DLQ_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DLQ_CACHE=${DLQ_CACHE:-$HOME/.cache/dlq}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$DLQ_CACHE/target}
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
  command -v curl >/dev/null || missing+=(curl)
  # Apache Kafka and Apache Pulsar run from Maven Central jars (scripts/kafka.sh, scripts/pulsar.sh).
  command -v javac >/dev/null || missing+=(openjdk-17-jdk-headless)
  command -v mvn >/dev/null || missing+=(maven)
  # The Go service that writes dead letters (scripts/go; ensure_go_programs checks its version).
  dlq_go >/dev/null || missing+=(golang-go)
  [ ${#missing[@]} -eq 0 ] && return 0
  say "installing Debian packages: ${missing[*]}"
  local sudo=; [ "$(id -u)" -eq 0 ] || sudo=sudo
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
}

# The official Python clients, used as peers: they produce dead letters the way services do.
ensure_python_clients() {
  if [ -x "$DLQ_PYTHON" ] && "$DLQ_PYTHON" -W ignore -c 'import pulsar, fastavro, prometheus_client, confluent_kafka.schema_registry.avro, confluent_kafka.schema_registry.json_schema' 2>/dev/null; then
    return 0
  fi
  say "installing the official Python clients into $DLQ_VENV"
  python3 -m venv "$DLQ_VENV"
  "$DLQ_VENV/bin/pip" install -q --disable-pip-version-check -r "$DLQ_ROOT/scripts/requirements.txt"
}


# A CA, a broker certificate for 127.0.0.1 and a client certificate, all PEM (keys PKCS#8, as
# Kafka's PEM key store wants), in $1: the brokers' TLS listeners serve broker.crt/broker.key and
# trust ca.pem; tests connect with ca.pem, client.crt and client.key. Made once per state folder.
test_pki() {
  local d=$1
  [ -f "$d/client.pem" ] && return 0
  mkdir -p "$d"
  (
    cd "$d"
    openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=dlq test CA" \
      -keyout ca.key -out ca.pem 2>/dev/null
    for who in broker client; do
      openssl req -newkey rsa:2048 -nodes -subj "/CN=$who" -keyout "$who.raw.key" -out "$who.csr" 2>/dev/null
      printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >"$who.ext"
      openssl x509 -req -in "$who.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -days 3650 \
        -extfile "$who.ext" -out "$who.crt" 2>/dev/null
      openssl pkcs8 -topk8 -nocrypt -in "$who.raw.key" -out "$who.key"
      cat "$who.key" "$who.crt" >"$who.pem"
    done
  ) || die "making the test certificates in $d failed"
}

# Maven, kept to Central (scripts/java/settings.xml) with its repository under $DLQ_CACHE.
DLQ_M2=$DLQ_CACHE/m2
dlq_mvn() {
  mvn -B -q -Dstyle.color=never -s "$DLQ_ROOT/scripts/java/settings.xml" -Dmaven.repo.local="$DLQ_M2" "$@"
}

# mvn_resolve POM_DIR OUT_DIR [-Dprop=…]: every runtime jar of the POM's dependencies into OUT_DIR.
mvn_resolve() {
  local pom=$1 out=$2; shift 2
  (cd "$pom" && dlq_mvn "$@" dependency:copy-dependencies -DoutputDirectory="$out" -DincludeScope=runtime)
}

# ensure_jars NAME HOME POM_DIR [-Dprop=…]: every runtime jar of the POM into HOME/lib, once (a
# marker file says the folder is complete; later runs do nothing).
ensure_jars() {
  local name=$1 home=$2 pom=$3; shift 3
  [ -f "$home/lib/.complete" ] && return 0
  command -v mvn >/dev/null || die "Maven (mvn) is needed to fetch $name from Maven Central"
  command -v java >/dev/null || die "a Java 17+ runtime is needed to run $name"
  say "fetching $name from Maven Central into $home (first run only)"
  local log=$DLQ_CACHE/logs/$(basename "$pom")-mvn.log
  rm -rf "$home"; mkdir -p "$home/lib" "$DLQ_CACHE/logs"
  mvn_resolve "$pom" "$home/lib" "$@" >"$log" 2>&1 \
    || { tail -30 "$log" >&2; die "resolving $name's jars failed (log: $log)"; }
  touch "$home/lib/.complete"
}

# mvn_package POM_DIR: builds a Java program of the project's (scripts/java/…) into its target/.
mvn_package() {
  (cd "$1" && dlq_mvn -DskipTests package dependency:copy-dependencies \
    -DoutputDirectory=target/lib -DincludeScope=runtime)
}

# The Java programs that write dead letters as real services do (scripts/java/*, sources and
# POMs only): built with Maven on first use, rebuilt when their sources (or resources) change.
# The Go ones (scripts/go/*) are built here too, by ensure_go_programs.
DLQ_SPRING_DLT_JAR=$DLQ_ROOT/scripts/java/spring-dlt/target/spring-dlt.jar
DLQ_PULSAR_DLQ_JAR=$DLQ_ROOT/scripts/java/pulsar-dlq/target/pulsar-dlq.jar
DLQ_STREAMS_DLQ_JAR=$DLQ_ROOT/scripts/java/streams-dlq/target/streams-dlq.jar
DLQ_SHARE_DLQ_JAR=$DLQ_ROOT/scripts/java/share-dlq/target/share-dlq.jar
ensure_seed_programs() {
  local dir jar
  for dir in spring-dlt pulsar-dlq streams-dlq share-dlq; do
    jar=$DLQ_ROOT/scripts/java/$dir/target/$dir.jar
    if [ -f "$jar" ] && [ -z "$(find "$DLQ_ROOT/scripts/java/$dir" -path "$DLQ_ROOT/scripts/java/$dir/target" -prune -o -newer "$jar" -type f \( -path '*/src/*' -o -name pom.xml \) -print -quit)" ]; then
      continue
    fi
    say "building scripts/java/$dir with Maven (first run downloads its dependencies)"
    mkdir -p "$DLQ_CACHE/logs"
    mvn_package "$DLQ_ROOT/scripts/java/$dir" >"$DLQ_CACHE/logs/$dir-mvn.log" 2>&1 \
      || { tail -30 "$DLQ_CACHE/logs/$dir-mvn.log" >&2; die "building scripts/java/$dir failed (log: $DLQ_CACHE/logs/$dir-mvn.log)"; }
  done
  ensure_go_programs
}

# The go command: on PATH, else where Go's own release archive or Debian's versioned packages
# (golang-1.NN-go) put it. Prints its path; fails when there is none.
dlq_go() {
  local g
  for g in "$(command -v go || true)" /usr/local/go/bin/go $(compgen -G '/usr/lib/go-1.*/bin/go' | sort -rV); do
    [ -n "$g" ] && [ -x "$g" ] && { printf '%s\n' "$g"; return 0; }
  done
  return 1
}

# The Go programs that write dead letters as real services do (scripts/go/*, sources, go.mod and
# go.sum only): built with `go build` into their target/ on first use, rebuilt when a source
# changes. Modules come from the Go module proxy into $DLQ_CACHE/go (with the build cache), never
# a toolchain: the go installed must be new enough for go.mod (kafka-go v0.4.51 wants 1.23).
DLQ_ENVELOPE_DLQ_BIN=$DLQ_ROOT/scripts/go/envelope-dlq/target/envelope-dlq
ensure_go_programs() {
  ensure_go_program envelope-dlq
}

# ensure_go_program DIR: builds scripts/go/DIR into scripts/go/DIR/target/DIR unless it is newer
# than every source.
ensure_go_program() {
  local dir=$1 src bin go version
  src=$DLQ_ROOT/scripts/go/$dir
  bin=$src/target/$dir
  if [ -x "$bin" ] && [ -z "$(find "$src" -path "$src/target" -prune -o -newer "$bin" -type f \( -name '*.go' -o -name go.mod -o -name go.sum \) -print -quit)" ]; then
    return 0
  fi
  go=$(dlq_go) || die "Go (the go command) is needed to build scripts/go/$dir"
  version=$("$go" env GOVERSION)
  if ! [[ $version =~ ^go1\.([0-9]+) ]] || [ "${BASH_REMATCH[1]}" -lt 23 ]; then
    die "scripts/go/$dir needs Go 1.23 or later (segmentio/kafka-go v0.4.51), and $go is $version: install a newer one (Debian bookworm's golang-go is 1.19: a golang-1.NN-go from its backports, or Go's own release, will do)"
  fi
  say "building scripts/go/$dir with $version (first run downloads its modules)"
  mkdir -p "$DLQ_CACHE/logs"
  (cd "$src" \
    && GOMODCACHE=$DLQ_CACHE/go/mod GOCACHE=$DLQ_CACHE/go/build GOTOOLCHAIN=local GOFLAGS='' \
      "$go" build -mod=readonly -modcacherw -trimpath -buildvcs=false -o "target/$dir" .) \
    >"$DLQ_CACHE/logs/$dir-go.log" 2>&1 \
    || { tail -30 "$DLQ_CACHE/logs/$dir-go.log" >&2; die "building scripts/go/$dir failed (log: $DLQ_CACHE/logs/$dir-go.log)"; }
}

ensure_dlq() {
  (cd "$DLQ_ROOT" && cargo build -q --bin dlq) || die "building dlq failed"
}
DLQ_BIN=$CARGO_TARGET_DIR/debug/dlq
