#!/usr/bin/env bash
# A second, throwaway PostgreSQL that ONLY accepts TLS connections, with a generated CA and server
# certificate (openssl), for testing Strata's PostgreSQL TLS settings against a real server.
#
#   bash tools/security/tls-postgres.sh up     # start (idempotent); prints the env lines below
#   bash tools/security/tls-postgres.sh env    # PG_TLS_URL=... PG_TLS_CA_FILE=... PG_TLS_WRONG_CA_FILE=...
#   bash tools/security/tls-postgres.sh down   # stop and delete its data
#
# Port: STRATA_PG_TLS_PORT (default 29432). State: .stack/security/pg-tls. Role strata_tls with a
# random password (file pw, mode 600). pg_hba: hostssl scram-sha-256; hostnossl rejected.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PORT="${STRATA_PG_TLS_PORT:-29432}"
DIR="${STRATA_PG_TLS_DIR:-$ROOT/.stack/security/pg-tls}"
PG_BIN="${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)}"
log() { echo "tls-postgres: $*" >&2; }
die() { log "error: $*"; exit 1; }
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

certs() {
  [ -f "$DIR/certs/server.crt" ] && return 0
  mkdir -p "$DIR/certs"
  local c="$DIR/certs"
  openssl req -x509 -newkey rsa:2048 -nodes -days 3 -subj "/CN=strata-test-ca" -keyout "$c/ca.key" -out "$c/ca.crt" >/dev/null 2>&1
  openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" -keyout "$c/server.key" -out "$c/server.csr" >/dev/null 2>&1
  printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >"$c/san.ext"
  openssl x509 -req -in "$c/server.csr" -CA "$c/ca.crt" -CAkey "$c/ca.key" -CAcreateserial -days 3 -extfile "$c/san.ext" -out "$c/server.crt" >/dev/null 2>&1
  # an unrelated CA: verify-full against it must fail
  openssl req -x509 -newkey rsa:2048 -nodes -days 3 -subj "/CN=strata-wrong-ca" -keyout "$c/wrong-ca.key" -out "$c/wrong-ca.crt" >/dev/null 2>&1
  chmod 600 "$c"/*.key
}

ready() { as_pg "$PG_BIN/pg_isready" -q -h "$DIR" -p "$PORT" 2>/dev/null; }

print_env() {
  local pw; pw="$(cat "$DIR/pw")"
  echo "PG_TLS_URL=postgres://strata_tls:${pw}@127.0.0.1:${PORT}/strata_tls"
  echo "PG_TLS_CA_FILE=$DIR/certs/ca.crt"
  echo "PG_TLS_WRONG_CA_FILE=$DIR/certs/wrong-ca.crt"
}

up() {
  [ -x "$PG_BIN/initdb" ] || die "PostgreSQL server binaries not found (PG_BIN=$PG_BIN)"
  if [ -f "$DIR/data/postmaster.pid" ] && ready; then print_env; return 0; fi
  mkdir -p "$DIR"
  certs
  if [ ! -f "$DIR/data/PG_VERSION" ]; then
    node -e "process.stdout.write(require('crypto').randomBytes(18).toString('base64url'))" >"$DIR/pw"
    chmod 600 "$DIR/pw"
    printf 'postgres-%s\n' "$(cat "$DIR/pw")" >"$DIR/su.pw"
    [ "$(id -u)" = 0 ] && chown -R postgres "$DIR"
    as_pg "$PG_BIN/initdb" -D "$DIR/data" -U postgres --pwfile="$DIR/su.pw" --auth-local=trust --auth-host=reject --no-sync -E UTF8 >"$DIR/initdb.log" 2>&1 \
      || { tail -n 20 "$DIR/initdb.log" >&2; die "initdb failed"; }
    cat >"$DIR/data/pg_hba.conf" <<HBA
local   all all                trust
hostssl all all 127.0.0.1/32   scram-sha-256
hostnossl all all 0.0.0.0/0    reject
HBA
  fi
  [ "$(id -u)" = 0 ] && chown -R postgres "$DIR"
  as_pg "$PG_BIN/pg_ctl" -D "$DIR/data" -l "$DIR/postgres.log" -w -t 30 start \
    -o "-c listen_addresses=127.0.0.1 -p $PORT -k $DIR -c fsync=off -c ssl=on -c ssl_cert_file=$DIR/certs/server.crt -c ssl_key_file=$DIR/certs/server.key -c max_connections=20 -c shared_buffers=16MB" \
    >/dev/null || { tail -n 20 "$DIR/postgres.log" >&2; die "PostgreSQL (TLS) did not start"; }
  local pw; pw="$(cat "$DIR/pw")"
  as_pg psql -h "$DIR" -p "$PORT" -U postgres -qAt -v ON_ERROR_STOP=1 >/dev/null <<SQL
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'strata_tls') THEN CREATE ROLE strata_tls LOGIN PASSWORD '${pw}'; END IF;
END \$\$;
SELECT 'CREATE DATABASE strata_tls OWNER strata_tls' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'strata_tls')\gexec
SQL
  log "up on 127.0.0.1:$PORT (TLS only)"
  print_env
}

down() {
  if [ -f "$DIR/data/postmaster.pid" ]; then as_pg "$PG_BIN/pg_ctl" -D "$DIR/data" -m fast -w -t 30 stop >/dev/null 2>&1 || true; fi
  rm -rf "$DIR"
  log "down"
}

# shellcheck source=tools/security/up-env-down.sh
. "$ROOT/tools/security/up-env-down.sh"
up_env_down_main "$@"
