# Apache Pulsar (standalone: broker + in-process BookKeeper, metadata in RocksDB) from Maven
# Central jars: installed into $DLQ_CACHE by scripts/java/pulsar-broker/pom.xml and started from a
# state folder of its own. Sourced by scripts/brokers.sh (and usable alone); defines functions
# only. Needs lib.sh first.
#
# One broker serves four ports from $2 of pulsar_up:
#   PORT    pulsar://      binary protocol, plain
#   PORT+1  http://        admin REST API (readiness: /admin/v2/namespaces/public)
#   PORT+2  pulsar+ssl://  binary protocol over TLS (certificate of the test CA in STATE/pki)
#   PORT+3  https://       admin REST API over TLS
# The bookie takes a free port of its own (PortManager); nothing else listens.
#
# Authentication: JWT tokens (HS256, AuthenticationProviderToken) with a secret key made here.
# Clients without credentials are admitted as role $PULSAR_ANONYMOUS_ROLE (authorization is off);
# a client that presents a token the key did not sign is refused. Files for the tests:
#   STATE/pulsar-secret.key   the raw HS256 key (32 bytes)
#   STATE/pulsar-token        a token for role $PULSAR_TEST_ROLE
#   STATE/pulsar-admin-token  a token for the super-user role the broker's own client uses
#   STATE/pki/ca.pem          the CA that signed the broker's certificate (test_pki in lib.sh)
# Only the binary protocol refuses a wrong token: the admin REST API treats a request whose token
# fails to verify like one without credentials (role $PULSAR_ANONYMOUS_ROLE), as Pulsar's
# AuthenticationService does whenever anonymousUserRole is set.
#
# acknowledgmentAtBatchIndexLevelEnabled is on (DLQ_PULSAR_BATCH_INDEX_ACK=false turns it off). It
# is not a dynamic setting: POST /admin/v2/brokers/configuration/… answers 412 "Can't update
# non-dynamic configuration", so a test of the other mode needs a broker started for it.
#
# Environment: DLQ_PULSAR_BATCH_INDEX_ACK (true), DLQ_PULSAR_START_TIMEOUT (180 s),
# DLQ_PULSAR_MEM_OPTS, DLQ_PULSAR_JIT_OPTS (below); for the fault tests, which restart a broker on
# its data and cut its network with a TCP proxy of their own: DLQ_PULSAR_BOOKIE_PORT (a fixed
# bookie port, so a restarted bookie finds its ledgers; default any free one) and
# DLQ_PULSAR_ADVERTISED_PORT (the binary port clients are told to use after a lookup; default PORT).

PULSAR_VERSION=4.0.7
PULSAR_HOME=$DLQ_CACHE/pulsar-$PULSAR_VERSION
PULSAR_TEST_ROLE=dlq-test
PULSAR_ADMIN_ROLE=dlq-admin
PULSAR_ANONYMOUS_ROLE=anonymous
# Pulsar's own defaults (2 GB heap, 4 GB direct) do not fit a shared two-core machine.
PULSAR_MEM_OPTS=${DLQ_PULSAR_MEM_OPTS:--Xms256m -Xmx768m -XX:MaxDirectMemorySize=768m}
# C1 only: the broker is ready in about half the time (10-15 s instead of 18-27 s on two busy
# cores); set DLQ_PULSAR_JIT_OPTS= (empty) for the full JIT, e.g. for benchmarks.
PULSAR_JIT_OPTS=${DLQ_PULSAR_JIT_OPTS--XX:TieredStopAtLevel=1}
# The flags of Pulsar's bin/pulsar that matter on Java 17.
PULSAR_JVM_OPTS="$PULSAR_MEM_OPTS $PULSAR_JIT_OPTS -XX:+UseG1GC -XX:ParallelGCThreads=2 -XX:ConcGCThreads=1 -XX:CICompilerCount=2
 -Djava.net.preferIPv4Stack=true -Dio.netty.tryReflectionSetAccessible=true
 -Dio.netty.leakDetectionLevel=disabled -Dio.netty.recycler.maxCapacityPerThread=4096
 --add-opens java.base/java.lang=ALL-UNNAMED --add-opens java.base/sun.net=ALL-UNNAMED
 --add-opens java.base/java.nio=ALL-UNNAMED --add-opens java.base/jdk.internal.misc=ALL-UNNAMED
 --add-opens java.base/java.util.zip=ALL-UNNAMED
 --add-opens java.management/sun.management=ALL-UNNAMED
 --add-opens jdk.management/com.sun.management.internal=ALL-UNNAMED"

# Resolves the broker into $PULSAR_HOME/lib (first run: ~235 MB from Maven Central; later runs:
# nothing).
ensure_pulsar() {
  ensure_jars "Apache Pulsar $PULSAR_VERSION" "$PULSAR_HOME" "$DLQ_ROOT/scripts/java/pulsar-broker" \
    -Dpulsar.version="$PULSAR_VERSION"
}

pulsar_java() { # main-class args...: a JVM on Pulsar's classpath
  # shellcheck disable=SC2086
  java $PULSAR_JVM_OPTS -cp "$PULSAR_HOME/lib/*" "$@"
}

_b64url() { openssl base64 -A | tr '+/' '-_' | tr -d '='; }

# pulsar_jwt KEY_FILE SUBJECT: prints an HS256 token for SUBJECT signed with the raw key in
# KEY_FILE, as Pulsar's `tokens create --secret-key` does (header {"alg":"HS256"}, claim "sub",
# no expiry). A token signed with any other key is what "a wrong token" means to the broker.
pulsar_jwt() {
  local key=$1 sub=$2 hexkey head body sig
  hexkey=$(od -An -v -tx1 "$key" | tr -d ' \n')
  head=$(printf '{"alg":"HS256"}' | _b64url)
  body=$(printf '{"sub":"%s"}' "$sub" | _b64url)
  sig=$(printf '%s.%s' "$head" "$body" | openssl dgst -sha256 -mac HMAC -macopt "hexkey:$hexkey" -binary | _b64url)
  [ -n "$sig" ] || die "signing a JWT with $key failed"
  printf '%s.%s.%s\n' "$head" "$body" "$sig"
}

# pulsar_up STATE_DIR PORT: a fresh data folder STATE_DIR/pulsar, a standalone.conf of the
# project's own, and the broker started from there; returns once the admin REST API lists
# public/default. Writes STATE_DIR/pulsar.pid, STATE_DIR/pulsar.log and the files listed above.
pulsar_up() {
  local state=$1 port=$2
  local web=$((port + 1)) tls=$((port + 2)) webtls=$((port + 3)) dir=$1/pulsar
  local batch_index_ack=${DLQ_PULSAR_BATCH_INDEX_ACK:-true}
  local listeners=''
  # Only when asked: a listener list without pulsar+ssl:// would leave TLS clients no address.
  [ -n "${DLQ_PULSAR_ADVERTISED_PORT:-}" ] && listeners="advertisedListeners=internal:pulsar://127.0.0.1:$DLQ_PULSAR_ADVERTISED_PORT
internalListenerName=internal"
  rm -rf "$dir"; mkdir -p "$dir"
  state=$(cd "$state" && pwd)
  dir=$state/pulsar
  test_pki "$state/pki"
  # The HS256 key: 32 random bytes, read by the broker as tokenSecretKey=file://…
  head -c 32 /dev/urandom >"$state/pulsar-secret.key"
  pulsar_jwt "$state/pulsar-secret.key" "$PULSAR_TEST_ROLE" >"$state/pulsar-token"
  pulsar_jwt "$state/pulsar-secret.key" "$PULSAR_ADMIN_ROLE" >"$state/pulsar-admin-token"
  cat >"$dir/log4j2.properties" <<'LOG'
status = error
appender.console.type = Console
appender.console.name = console
appender.console.target = SYSTEM_OUT
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{ISO8601} [%t] %-5level %logger{36} - %msg%n
rootLogger.level = info
rootLogger.appenderRef.console.ref = console
logger.bk.name = org.apache.bookkeeper
logger.bk.level = warn
logger.rocks.name = org.apache.pulsar.metadata.impl.RocksdbMetadataStore
logger.rocks.level = warn
LOG
  cat >"$dir/standalone.conf" <<CONF
clusterName=standalone
bindAddress=127.0.0.1
advertisedAddress=127.0.0.1
brokerServicePort=$port
webServicePort=$web
brokerServicePortTls=$tls
webServicePortTls=$webtls
$listeners
# TLS served by the broker itself (PEM; the key is PKCS#8). Clients need not show a certificate.
tlsCertificateFilePath=$state/pki/broker.crt
tlsKeyFilePath=$state/pki/broker.key
tlsTrustCertsFilePath=$state/pki/ca.pem
tlsRequireTrustedClientCertOnConnect=false
tlsAllowInsecureConnection=false

# Token authentication; no credentials = role $PULSAR_ANONYMOUS_ROLE; authorization off.
authenticationEnabled=true
authenticationProviders=org.apache.pulsar.broker.authentication.AuthenticationProviderToken
tokenSecretKey=file://$state/pulsar-secret.key
anonymousUserRole=$PULSAR_ANONYMOUS_ROLE
authorizationEnabled=false
superUserRoles=$PULSAR_ADMIN_ROLE
brokerClientAuthenticationPlugin=org.apache.pulsar.client.impl.auth.AuthenticationToken
brokerClientAuthenticationParameters=file://$state/pulsar-admin-token

# One bookie, one copy.
managedLedgerDefaultEnsembleSize=1
managedLedgerDefaultWriteQuorum=1
managedLedgerDefaultAckQuorum=1
loadManagerClassName=org.apache.pulsar.broker.loadbalance.NoopLoadManager
loadBalancerEnabled=false

# Idle topics (dead-letter queues above all) must not vanish; subscriptions neither.
brokerDeleteInactiveTopicsEnabled=false
subscriptionExpirationTimeMinutes=0
allowAutoTopicCreation=true
allowAutoTopicCreationType=non-partitioned

# Off by default in 4.0 (on from 4.1); not dynamic (see the top of scripts/pulsar.sh).
acknowledgmentAtBatchIndexLevelEnabled=$batch_index_ack
transactionCoordinatorEnabled=false
webSocketServiceEnabled=false
functionsWorkerEnabled=false
systemTopicEnabled=true
topicLevelPoliciesEnabled=true

# Small: a test broker on a shared machine.
numIOThreads=2
numOrderedExecutorThreads=2
numExecutorThreadPoolSize=2
numCacheExecutorThreadPoolSize=2
managedLedgerNumSchedulerThreads=2
bookkeeperClientNumWorkerThreads=2
bookkeeperClientNumIoThreads=2
managedLedgerCacheSizeMB=32
managedLedgerCursorPositionFlushSeconds=1

# The bookie (read from this file too).
journalSyncData=${DLQ_PULSAR_JOURNAL_SYNC:-false}
journalMaxGroupWaitMSec=1
dbStorage_writeCacheMaxSizeMb=16
dbStorage_readAheadCacheMaxSizeMb=16
dbStorage_rocksDB_blockCacheSize=16777216
dbStorage_rocksDB_writeBufferSizeMB=4
numAddWorkerThreads=1
numReadWorkerThreads=2
numJournalCallbackThreads=1
diskUsageThreshold=0.99
diskUsageWarnThreshold=0.99
allowLoopback=true
CONF
  echo "${DLQ_PULSAR_BOOKIE_PORT:-0}" >"$dir/bookie-port"
  pulsar_start "$state" "$port"
}

# pulsar_start STATE_DIR PORT: starts the broker pulsar_up configured, on the data it has (after a
# stop or a SIGKILL: the fault tests restart it this way); returns once it is ready.
pulsar_start() {
  local state=$1 port=$2 dir=$1/pulsar
  local web=$((port + 1)) timeout=${DLQ_PULSAR_START_TIMEOUT:-180}
  [ -s "$state/pulsar.log" ] && mv "$state/pulsar.log" "$state/pulsar.log.prev"
  # shellcheck disable=SC2086
  (cd "$dir" && exec setsid java $PULSAR_JVM_OPTS -Dlog4j2.configurationFile="$dir/log4j2.properties" \
    -cp "$PULSAR_HOME/lib/*" org.apache.pulsar.PulsarStandaloneStarter \
    -c "$dir/standalone.conf" -nfw -nss --bookkeeper-port "$(cat "$dir/bookie-port")" \
    >"$state/pulsar.log" 2>&1 </dev/null) &
  echo $! >"$state/pulsar.pid"
  local pid deadline=$((SECONDS + timeout))
  pid=$(cat "$state/pulsar.pid")
  while [ "$SECONDS" -lt "$deadline" ]; do
    # Ask only once the broker says it is up: each earlier ask logs a "Tenant not found" error.
    # Listing the namespace is not enough after a SIGKILL: the bookie may not take writes yet
    # ("Not enough non-faulty bookies available"). The broker's health check writes and reads a
    # message through a new ledger, so ready means a topic can be loaded and written.
    if grep -q "messaging service is ready" "$state/pulsar.log" 2>/dev/null \
      && curl -sf --max-time 2 "http://127.0.0.1:$web/admin/v2/namespaces/public" 2>/dev/null \
      | grep -q '"public/default"' \
      && curl -sf --max-time 30 "http://127.0.0.1:$web/admin/v2/brokers/health" 2>/dev/null \
      | grep -qx 'ok'; then
      return 0
    fi
    kill -0 "$pid" 2>/dev/null || { tail -40 "$state/pulsar.log" >&2; die "Pulsar exited during start-up (log: $state/pulsar.log)"; }
    sleep 0.5
  done
  tail -40 "$state/pulsar.log" >&2
  # BookKeeper stops writing when its disk is over 99% full, and the broker then only says
  # "Not enough non-faulty bookies available": name the cause.
  if grep -q "DiskChecker - Space left on device" "$state/pulsar.log" 2>/dev/null; then
    die "Pulsar's bookie refuses to write: the disk holding $state is over 99% full (df -h $state); free some space and start again"
  fi
  die "Pulsar did not list public/default within $timeout s (log: $state/pulsar.log)"
}
