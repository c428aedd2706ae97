#!/usr/bin/env bash
# The whole suite (pgTAP as a superuser, pytest with its superuser and managed-administrator
# tests) on each PostgreSQL major of PG_VERSIONS (default 14 16 17 18), one throwaway cluster
# each, from the pinned server binaries tests/embedded_pg.sh unpacks. Debian's pg_dump and
# plpgsql_check exist only for 15: the tests that need them say so and skip elsewhere.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
unset DATABASE_URL
status=0
for major in ${PG_VERSIONS:-14 16 17 18}; do
    bindir=$(tests/embedded_pg.sh "$major")
    echo "== PostgreSQL $major ($("$bindir/postgres" --version))"
    PG_BINDIR=$bindir TG_CLUSTER_DIR=.tmp/pg-$major TG_CLUSTERS=${TG_CLUSTERS:-3} tests/with_db.sh tests/run.sh "$@" || { status=1; echo "== PostgreSQL $major: FAILED"; }
done
exit $status
