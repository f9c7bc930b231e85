#!/usr/bin/env bash
# A second, throwaway single-node Kafka (KRaft) whose client listener is SASL_PLAINTEXT with
# the PLAIN and SCRAM-SHA-256 mechanisms, for testing Strata's Kafka SASL settings against a real
# broker. Uses the jars tools/stack already cached (.stack/cache/kafka-<version>/libs).
#
#   bash tools/security/kafka-sasl.sh up     # start (idempotent), wait for the port; prints env lines
#   bash tools/security/kafka-sasl.sh env    # KAFKA_SASL_BROKERS=... KAFKA_SASL_USERNAME=strata KAFKA_SASL_PASSWORD=...
#   bash tools/security/kafka-sasl.sh down   # stop and delete its data
#
# Ports: STRATA_KAFKA_SASL_PORT (default 29092), controller +1. State: .stack/security/kafka-sasl.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PORT="${STRATA_KAFKA_SASL_PORT:-29092}"
CPORT=$((PORT + 1))
DIR="${STRATA_KAFKA_SASL_DIR:-$ROOT/.stack/security/kafka-sasl}"
LIBS="$(ls -d "$ROOT"/.stack/cache/kafka-*/libs 2>/dev/null | sort -V | tail -n1)"
log() { echo "kafka-sasl: $*" >&2; }
die() { log "error: $*"; exit 1; }
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
alive() { [ -f "$DIR/pid" ] && kill -0 "$(cat "$DIR/pid")" 2>/dev/null; }

print_env() {
  echo "KAFKA_SASL_BROKERS=127.0.0.1:$PORT"
  echo "KAFKA_SASL_USERNAME=strata"
  echo "KAFKA_SASL_PASSWORD=$(cat "$DIR/pw")"
}

up() {
  [ -n "$LIBS" ] && [ -d "$LIBS" ] || die "Kafka jars not found under .stack/cache (run 'npm run stack:up' once)"
  if alive && port_open "$PORT"; then print_env; return 0; fi
  mkdir -p "$DIR/data"
  [ -f "$DIR/pw" ] || { node -e "process.stdout.write(require('crypto').randomBytes(18).toString('base64url'))" >"$DIR/pw"; chmod 600 "$DIR/pw"; }
  local pw; pw="$(cat "$DIR/pw")"
  cat >"$DIR/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$CPORT
listeners=SASL_PLAINTEXT://127.0.0.1:$PORT,CONTROLLER://127.0.0.1:$CPORT
advertised.listeners=SASL_PLAINTEXT://127.0.0.1:$PORT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT
controller.listener.names=CONTROLLER
inter.broker.listener.name=SASL_PLAINTEXT
sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-256
sasl.mechanism.inter.broker.protocol=PLAIN
listener.name.sasl_plaintext.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="strata" password="$pw" user_strata="$pw";
listener.name.sasl_plaintext.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
log.dirs=$DIR/data
num.partitions=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=true
num.network.threads=1
num.io.threads=2
PROPS
  local java="${JAVA_HOME:+$JAVA_HOME/bin/}java"
  local log4j="-Dlog4j2.configurationFile=$ROOT/tools/stack/kafka/log4j2.properties"
  if [ ! -f "$DIR/data/meta.properties" ]; then
    # a cluster id starting with '-' is read as an option by the storage tool (1 in 64: a CI flake)
    local cid; cid="$(node -e "let c; do c = require('crypto').randomBytes(16).toString('base64url'); while (c.startsWith('-')); process.stdout.write(c)")"
    # SCRAM credentials are bootstrapped into the metadata log at format time.
    "$java" -Xmx256m "$log4j" -cp "$LIBS/*" kafka.tools.StorageTool format -t "$cid" -c "$DIR/server.properties" \
      --add-scram "SCRAM-SHA-256=[name=strata,password=$pw]" >"$DIR/format.log" 2>&1 \
      || { tail -n 20 "$DIR/format.log" >&2; die "formatting failed"; }
  fi
  setsid nohup "$java" -Xms128m -Xmx384m -XX:+UseSerialGC -Djava.awt.headless=true "$log4j" -cp "$LIBS/*" \
    kafka.Kafka "$DIR/server.properties" >>"$DIR/kafka.log" 2>&1 </dev/null &
  echo $! >"$DIR/pid"
  local i
  for ((i = 0; i < 240; i++)); do
    port_open "$PORT" && { log "up on 127.0.0.1:$PORT (SASL_PLAINTEXT: PLAIN, SCRAM-SHA-256)"; print_env; return 0; }
    alive || { tail -n 30 "$DIR/kafka.log" >&2; die "Kafka exited during start"; }
    sleep 0.25
  done
  die "Kafka (SASL) did not open port $PORT within 60 s"
}

down() {
  if alive; then
    local pid; pid="$(cat "$DIR/pid")"
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 120; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -rf "$DIR"
  log "down"
}

# shellcheck source=tools/security/up-env-down.sh
. "$ROOT/tools/security/up-env-down.sh"
up_env_down_main "$@"
