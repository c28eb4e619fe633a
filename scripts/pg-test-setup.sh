#!/usr/bin/env bash
# Start a throwaway PostgreSQL on loopback for the endpoint's test suite and print its URL:
#   export SOTTO_TEST_PG_URL=$(scripts/pg-test-setup.sh)
# Installs Debian's postgresql when it is missing. Idempotent: a running cluster is reused.
set -euo pipefail

PORT="${SOTTO_PG_PORT:-54329}"
DIR="${SOTTO_PG_DIR:-/tmp/sotto-pg}"
DB="${SOTTO_PG_DB:-sotto_test}"

pg_bin() {
  local d
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
  [ -n "$d" ] && echo "$d"
}

if [ -z "$(pg_bin)" ]; then
  echo "installing postgresql…" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq postgresql >&2
fi
BIN=$(pg_bin)

# The server refuses to run as root; use the postgres system user when we are root.
as_pg() {
  if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --home "$DIR" postgres
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

mkdir -p "$DIR"
[ "$(id -u)" = 0 ] && chown postgres "$DIR"
if [ ! -f "$DIR/PG_VERSION" ]; then
  as_pg "$BIN/initdb" -D "$DIR" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >&2
fi
if ! as_pg "$BIN/pg_ctl" -D "$DIR" status >/dev/null 2>&1; then
  as_pg "$BIN/pg_ctl" -D "$DIR" -l "$DIR/server.log" -w \
    -o "-p $PORT -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" start >&2
fi
if ! as_pg "$BIN/psql" -h 127.0.0.1 -p "$PORT" -U postgres -tAc "select 1 from pg_database where datname='$DB'" | grep -q 1; then
  as_pg "$BIN/psql" -h 127.0.0.1 -p "$PORT" -U postgres -c "create database $DB" >&2
fi
echo "postgres://postgres@127.0.0.1:$PORT/$DB"
