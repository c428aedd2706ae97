#!/usr/bin/env bash
# Makes sure the machine has what the tests need beyond Python: PostgreSQL's
# server binaries (only when DATABASE_URL is unset), pgTAP, pg_prove, plpgsql_check, pg_cron, PgBouncer, jq and npm.
# As root on Debian it installs them; otherwise it says exactly what to install.
set -euo pipefail

need=()
if [ -z "${DATABASE_URL:-}" ] && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && ! command -v initdb >/dev/null 2>&1; then
    need+=(postgresql-15)
fi
if ! ls /usr/share/postgresql/*/extension/pgtap.control >/dev/null 2>&1; then
    need+=(postgresql-15-pgtap)
fi
if ! command -v pg_prove >/dev/null 2>&1; then
    need+=(libtap-parser-sourcehandler-pgtap-perl)
fi
if ! ls /usr/share/postgresql/*/extension/plpgsql_check.control >/dev/null 2>&1; then
    need+=(postgresql-15-plpgsql-check)   # static checks of every PL/pgSQL function
fi
if [ ! -f /usr/lib/postgresql/15/lib/pg_cron.so ] \
        && { ls /usr/lib/postgresql/15/bin/initdb >/dev/null 2>&1 || [[ " ${need[*]:-} " == *" postgresql-15 "* ]]; }; then
    need+=(postgresql-15-cron)   # scheduled retention, run by real pg_cron in the tests
fi
if ! command -v pgbouncer >/dev/null 2>&1 && [ ! -x /usr/sbin/pgbouncer ]; then
    need+=(pgbouncer)   # the tests run the saver through it in transaction mode
fi
if ! command -v jq >/dev/null 2>&1; then
    need+=(jq)   # docs/operations.md's export transcript reads the export with jq
fi
if ! command -v npm >/dev/null 2>&1; then
    need+=(npm)   # make test-matrix unpacks other PostgreSQL versions from the npm registry
fi
[ ${#need[@]} -eq 0 ] && exit 0

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing ${need[*]} (apt-get)" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
else
    echo "Missing: ${need[*]}" >&2
    echo "  Debian/Ubuntu: sudo apt-get install ${need[*]}" >&2
    echo "  (pgTAP must match the server's major version; pg_prove comes from TAP::Parser::SourceHandler::pgTAP)" >&2
    exit 1
fi
