#!/usr/bin/env bash
# Runs a command with DATABASE_URL naming a PostgreSQL superuser connection.
# When DATABASE_URL is already set it is used as is; otherwise a throwaway cluster
# is started from the machine's PostgreSQL binaries in .tmp/pg (unix socket only,
# no TCP port; as the postgres user when run as root) and stopped afterwards.
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

base="$top/.tmp/pg"
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
rm -rf "$base"
mkdir -p "$data" "$sock"
if [ "$(id -u)" = 0 ]; then
    chown -R postgres: "$base"
fi

"${as_pg[@]}" "$bindir/initdb" -D "$data" -U postgres -A trust --no-sync -E UTF8 --locale=C >"$base/initdb.log" 2>&1 \
    || { cat "$base/initdb.log" >&2; exit 1; }
trap stop_cluster EXIT
"${as_pg[@]}" "$bindir/pg_ctl" -D "$data" -l "$base/server.log" -w \
    -o "-c listen_addresses='' -k $sock -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
    start >/dev/null || { cat "$base/server.log" >&2; exit 1; }
"${as_pg[@]}" "$bindir/psql" -h "$sock" -U postgres -d postgres -qAtX -c "create database threadguard" >/dev/null

export DATABASE_URL="postgresql://postgres@/threadguard?host=$sock"
export PATH="$bindir:$PATH"
"$@"
