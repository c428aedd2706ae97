#!/usr/bin/env bash
# Runs a command with DATABASE_URL naming a PostgreSQL superuser connection.
# When DATABASE_URL is already set it is used as is; otherwise a throwaway cluster
# is started from the machine's PostgreSQL binaries in .tmp/pg (unix socket only,
# no TCP port; as the postgres user when run as root) and stopped afterwards.
# TG_CLUSTER_DIR=DIR TG_KEEP_CLUSTER=1 keeps the cluster's data in DIR between
# runs (the benchmarks reuse their datasets); TG_PG_OPTS adds server options.
set -euo pipefail

if [ -n "${DATABASE_URL:-}" ]; then
    exec "$@"
fi

top=$(cd "$(dirname "$0")/.." && pwd)
bindir=${PG_BINDIR:-}
if [ -z "$bindir" ]; then
    bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
fi
if [ -z "$bindir" ] && command -v initdb >/dev/null 2>&1; then
    bindir=$(dirname "$(command -v initdb)")
fi
if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ] || [ ! -x "$bindir/pg_ctl" ]; then
    echo "with_db.sh: PostgreSQL server binaries not found (initdb, pg_ctl)." >&2
    echo "  Debian/Ubuntu: apt-get install postgresql-15  (or set PG_BINDIR, or DATABASE_URL to a superuser connection)" >&2
    exit 1
fi

base="${TG_CLUSTER_DIR:-$top/.tmp/pg}"
case "$base" in /*) ;; *) base="$top/$base" ;; esac
keep=${TG_KEEP_CLUSTER:-0}
data="$base/data"
sock="$base/run"
as_pg=()
if [ "$(id -u)" = 0 ]; then
    as_pg=(runuser -u postgres --)
fi

stop_cluster() {
    if [ -f "$data/postmaster.pid" ]; then
        "${as_pg[@]}" "$bindir/pg_ctl" -D "$data" -m fast -w stop >/dev/null 2>&1 || true
    fi
}
stop_cluster   # a leftover from an interrupted run
fresh=1
if [ "$keep" = 1 ] && [ -f "$data/PG_VERSION" ]; then
    fresh=0
else
    rm -rf "$base"
fi
mkdir -p "$data" "$sock"
if [ "$(id -u)" = 0 ]; then
    chown -R postgres: "$base"
fi

if [ "$fresh" = 1 ]; then
    "${as_pg[@]}" "$bindir/initdb" -D "$data" -U postgres -A trust --no-sync -E UTF8 --locale=C >"$base/initdb.log" 2>&1 \
        || { cat "$base/initdb.log" >&2; exit 1; }
fi
trap stop_cluster EXIT
# pg_cron (Debian's postgresql-15-cron, where this server has it) runs its jobs over libpq through
# the socket; its extension lives in the postgres database (tests/python/test_schedule.py).
cron=""
if [ -f "$bindir/../lib/pg_cron.so" ]; then
    cron="-c shared_preload_libraries=pg_cron -c cron.database_name=postgres -c cron.host=$sock"
fi
# wal_level=logical: tests/python/test_replication.py subscribes one test database to another.
"${as_pg[@]}" "$bindir/pg_ctl" -D "$data" -l "$base/server.log" -w \
    -o "-c listen_addresses='' -k $sock -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200 -c wal_level=logical $cron ${TG_PG_OPTS:-}" \
    start >/dev/null || { cat "$base/server.log" >&2; exit 1; }
psql_bin="$bindir/psql"
[ -x "$psql_bin" ] || psql_bin=$(command -v psql)   # server-only builds (tests/embedded_pg.sh) bring no client
if [ "$fresh" = 1 ]; then
    "${as_pg[@]}" "$psql_bin" -h "$sock" -U postgres -d postgres -qAtX -c "create database threadguard" >/dev/null
fi

export DATABASE_URL="postgresql://postgres@/threadguard?host=$sock"
export TG_SERVER_LOG="$base/server.log"   # the tests read the audit lines the server logs
export PATH="$bindir:$PATH"
"$@"
