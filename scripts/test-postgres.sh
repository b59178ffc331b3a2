#!/usr/bin/env bash
# Starts or stops a throwaway Postgres cluster for tests and benchmarks.
#
#   eval "$(scripts/test-postgres.sh start)"   # prints export lines: TEST_DATABASE_URL, TASKER_TEST_PG_DIR
#   scripts/test-postgres.sh stop               # stops the cluster in $TASKER_TEST_PG_DIR and deletes it
#
# The cluster lives in a fresh temp directory, listens on 127.0.0.1 on a free port, trusts local
# connections and is owned by the `postgres` user when run as root (initdb refuses to run as root).
set -euo pipefail

find_bindir() {
  if [ -n "${PG_BINDIR:-}" ]; then echo "$PG_BINDIR"; return; fi
  for v in 15 16 17 18 14; do
    if [ -x "/usr/lib/postgresql/$v/bin/pg_ctl" ]; then echo "/usr/lib/postgresql/$v/bin"; return; fi
  done
  if command -v pg_ctl >/dev/null 2>&1; then dirname "$(command -v pg_ctl)"; return; fi
  echo "test-postgres: no Postgres server binaries found (install postgresql-15)" >&2
  exit 1
}

as_owner() {
  if [ "$(id -u)" = "0" ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

start() {
  local bindir dir port
  bindir=$(find_bindir)
  dir=$(mktemp -d /tmp/tasker-pg.XXXXXX)
  chmod 755 "$dir"
  if [ "$(id -u)" = "0" ]; then chown postgres:postgres "$dir"; fi
  as_owner "$bindir/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; exit 1; }
  port=$(free_port)
  as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=300" >/dev/null \
    || { cat "$dir/server.log" >&2; exit 1; }
  as_owner "$bindir/createdb" -h 127.0.0.1 -p "$port" -U postgres tasker_test
  echo "export TEST_DATABASE_URL=postgres://postgres@127.0.0.1:$port/tasker_test"
  echo "export TASKER_TEST_PG_DIR=$dir"
}

stop() {
  local dir=${1:-${TASKER_TEST_PG_DIR:-}}
  if [ -z "$dir" ] || [ ! -d "$dir/data" ]; then
    echo "test-postgres: nothing to stop (TASKER_TEST_PG_DIR not set or not a cluster)" >&2
    return 0
  fi
  as_owner "$(find_bindir)/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}

case "${1:-}" in
  start) start ;;
  stop) stop "${2:-}" ;;
  *) echo "usage: $0 start|stop [dir]" >&2; exit 2 ;;
esac
