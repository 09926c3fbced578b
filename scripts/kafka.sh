# Apache Kafka (KRaft, one combined broker+controller node) from Maven Central jars: installed into
# $DLQ_CACHE by scripts/java/kafka-broker/pom.xml and started from a state folder of its own.
# Sourced by scripts/brokers.sh (and usable alone); defines functions only. Needs lib.sh first.
#
# One broker serves four listeners on consecutive ports from $1 of kafka_up:
#   PORT    PLAINTEXT             what the tests and the quickstart use
#   PORT+1  CONTROLLER            KRaft, the node's own
#   PORT+2  SASL_PLAINTEXT        SCRAM-SHA-512, user $KAFKA_SCRAM_USER (created at format time)
#   PORT+3  SSL                   mutual TLS: the client must show a certificate of the test CA

KAFKA_VERSION=${DLQ_KAFKA_VERSION:-4.4.0}
KAFKA_HOME=$DLQ_CACHE/kafka-$KAFKA_VERSION
KAFKA_SCRAM_USER=dlq-test
KAFKA_SCRAM_PASSWORD=dlq-test-scram-secret
# A shared machine with two cores: a small heap, and no more GC threads than cores.
KAFKA_JVM_OPTS=${DLQ_KAFKA_JVM_OPTS:--Xms256m -Xmx512m -XX:+UseG1GC -XX:ParallelGCThreads=2 -XX:CICompilerCount=2}

# Resolves the broker and its tools into $KAFKA_HOME/lib (first run: ~120 MB from Maven Central;
# later runs: nothing).
ensure_kafka() {
  ensure_jars "Apache Kafka $KAFKA_VERSION" "$KAFKA_HOME" "$DLQ_ROOT/scripts/java/kafka-broker" \
    -Dkafka.version="$KAFKA_VERSION"
}

# The Kafka Connect worker scripts/seed/connect_dlq.sh runs: a folder of its own
# (scripts/java/kafka-connect), of the last release whose connect-file Maven Central serves here;
# a client, so it works against any broker the scripts start.
KAFKA_CONNECT_VERSION=${DLQ_KAFKA_CONNECT_VERSION:-4.1.1}
KAFKA_CONNECT_HOME=$DLQ_CACHE/kafka-connect-$KAFKA_CONNECT_VERSION
ensure_kafka_connect() {
  ensure_jars "Kafka Connect $KAFKA_CONNECT_VERSION" "$KAFKA_CONNECT_HOME" "$DLQ_ROOT/scripts/java/kafka-connect" \
    -Dconnect.version="$KAFKA_CONNECT_VERSION"
}

kafka_java() { # main-class args...: a JVM on Kafka's classpath
  # shellcheck disable=SC2086
  java $KAFKA_JVM_OPTS -cp "$KAFKA_HOME/lib/*" "$@"
}

# kafka_up STATE_DIR PORT: formats a fresh log directory and starts the broker; returns once it
# logs "Kafka Server started". Writes STATE_DIR/kafka.pid and STATE_DIR/kafka.log.
# DLQ_KAFKA_ADVERTISED_PORT: the PLAINTEXT port clients are told to use (default PORT); the
# fault tests put a TCP proxy of their own there, to cut the network without a reset.
kafka_up() {
  local state=$1 port=$2
  local ctrl=$((port + 1)) sasl=$((port + 2)) ssl=$((port + 3)) dir=$1/kafka
  local advertised=${DLQ_KAFKA_ADVERTISED_PORT:-$port}
  rm -rf "$dir"; mkdir -p "$dir"
  test_pki "$state/pki"
  cat >"$dir/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$ctrl
controller.listener.names=CONTROLLER
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$ctrl,SASL_PLAINTEXT://127.0.0.1:$sasl,SSL://127.0.0.1:$ssl
advertised.listeners=PLAINTEXT://127.0.0.1:$advertised,SASL_PLAINTEXT://127.0.0.1:$sasl,SSL://127.0.0.1:$ssl
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT,SSL:SSL
inter.broker.listener.name=PLAINTEXT
sasl.enabled.mechanisms=SCRAM-SHA-512
listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
listener.name.ssl.ssl.keystore.type=PEM
listener.name.ssl.ssl.keystore.location=$state/pki/broker.pem
listener.name.ssl.ssl.truststore.type=PEM
listener.name.ssl.ssl.truststore.location=$state/pki/ca.pem
listener.name.ssl.ssl.client.auth=required
log.dirs=$dir/data
num.partitions=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=4
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=4
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
group.consumer.min.session.timeout.ms=6000
group.consumer.session.timeout.ms=6000
group.consumer.min.heartbeat.interval.ms=500
group.consumer.heartbeat.interval.ms=1000
log.segment.bytes=16777216
log.retention.check.interval.ms=3600000
num.network.threads=2
num.io.threads=2
background.threads=2
PROPS
  local cluster
  cluster=$(kafka_java kafka.tools.StorageTool random-uuid 2>/dev/null | tail -1)
  [ -n "$cluster" ] || die "kafka-storage random-uuid printed nothing"
  kafka_java kafka.tools.StorageTool format -t "$cluster" -c "$dir/server.properties" \
    --add-scram "SCRAM-SHA-512=[name=$KAFKA_SCRAM_USER,password=$KAFKA_SCRAM_PASSWORD]" \
    >"$dir/format.log" 2>&1 || { cat "$dir/format.log" >&2; die "formatting Kafka's log directory failed"; }
  kafka_start "$state"
}

# kafka_start STATE_DIR: starts the broker kafka_up configured, on the data it has (after a stop
# or a SIGKILL: the fault tests restart it this way).
kafka_start() {
  local state=$1 dir=$1/kafka
    [ -s "$state/kafka.log" ] && mv "$state/kafka.log" "$state/kafka.log.prev"
  (cd "$dir" && exec setsid java $KAFKA_JVM_OPTS -Dorg.slf4j.simpleLogger.showDateTime=true \
    -cp "$KAFKA_HOME/lib/*" kafka.Kafka server.properties >"$state/kafka.log" 2>&1 </dev/null) &
  echo $! >"$state/kafka.pid"
  local pid i
  pid=$(cat "$state/kafka.pid")
  for i in $(seq 1 1200); do
    grep -q "Kafka Server started" "$state/kafka.log" 2>/dev/null && return 0
    kill -0 "$pid" 2>/dev/null || { tail -30 "$state/kafka.log" >&2; die "Kafka exited during start-up (log: $state/kafka.log)"; }
    sleep 0.1
  done
  tail -30 "$state/kafka.log" >&2; die "Kafka did not start within 120 s (log: $state/kafka.log)"
}
