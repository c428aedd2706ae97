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
# TG_CLUSTERS=N starts N independent clusters (DIR, DIR-2, ...): tests/run.sh gives each
# pytest worker its own, so parallel tests share no roles, logins or pg_cron jobs.
count=${TG_CLUSTERS:-1}
as_pg=()
if [ "$(id -u)" = 0 ]; then
    as_pg=(runuser -u postgres --)
fi
psql_bin="$bindir/psql"
[ -x "$psql_bin" ] || psql_bin=$(command -v psql)   # server-only builds (tests/embedded_pg.sh) bring no client
# pg_cron (Debian's postgresql-15-cron, where this server has it) runs its jobs over libpq through
# the socket; its extension lives in the postgres database (tests/python/test_schedule.py).
has_cron=0
[ -f "$bindir/../lib/pg_cron.so" ] && has_cron=1

stop_cluster() {   # $1: the cluster's directory
    if [ -f "$1/data/postmaster.pid" ]; then
        "${as_pg[@]}" "$bindir/pg_ctl" -D "$1/data" -m fast -w stop >/dev/null 2>&1 || true
    fi
}

start_cluster() {   # $1: the cluster's directory; prints nothing, fails loudly
    local dir=$1 data="$1/data" sock="$1/run" fresh=1 cron=""
    stop_cluster "$dir"   # a leftover from an interrupted run
    if [ "$keep" = 1 ] && [ -f "$data/PG_VERSION" ]; then
        fresh=0
    else
        rm -rf "$dir"
    fi
    mkdir -p "$data" "$sock"
    if [ "$(id -u)" = 0 ]; then
        chown -R postgres: "$dir"
    fi
    if [ "$fresh" = 1 ]; then
        "${as_pg[@]}" "$bindir/initdb" -D "$data" -U postgres -A trust --no-sync -E UTF8 --locale=C >"$dir/initdb.log" 2>&1 \
            || { cat "$dir/initdb.log" >&2; return 1; }
    fi
    if [ "$has_cron" = 1 ]; then
        cron="-c shared_preload_libraries=pg_cron -c cron.database_name=postgres -c cron.host=$sock"
    fi
    # wal_level=logical: tests/python/test_replication.py subscribes one test database to another.
    "${as_pg[@]}" "$bindir/pg_ctl" -D "$data" -l "$dir/server.log" -w \
        -o "-c listen_addresses='' -k $sock -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200 -c wal_level=logical $cron ${TG_PG_OPTS:-}" \
        start >/dev/null || { cat "$dir/server.log" >&2; return 1; }
    if [ "$fresh" = 1 ]; then
        "${as_pg[@]}" "$psql_bin" -h "$sock" -U postgres -d postgres -qAtX -c "create database threadguard" >/dev/null
    fi
}

dirs=("$base")
for ((i = 2; i <= count; i++)); do
    dirs+=("$base-$i")
done
stop_all() {
    for dir in "${dirs[@]}"; do stop_cluster "$dir"; done
}
trap stop_all EXIT
pids=()
for dir in "${dirs[@]}"; do
    start_cluster "$dir" & pids+=($!)
done
for pid in "${pids[@]}"; do
    wait "$pid" || exit 1
done

urls=() logs=()
for dir in "${dirs[@]}"; do
    urls+=("postgresql://postgres@/threadguard?host=$dir/run")
    logs+=("$dir/server.log")
done
export DATABASE_URL="${urls[0]}"
export TG_SERVER_LOG="${logs[0]}"   # the tests read the audit lines the server logs
export TG_DATABASE_URLS="${urls[*]}" TG_SERVER_LOGS="${logs[*]}"   # every cluster, for parallel workers
export PATH="$bindir:$PATH"
"$@"
