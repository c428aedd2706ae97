#!/usr/bin/env bash
# The whole suite against DATABASE_URL, a superuser connection that may create
# databases and roles: pgTAP (pg_prove, verbose) in a fresh migrated database,
# then pytest, which makes its own databases. Nothing else is touched.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
py=${PYTHON:-$top/.venv/bin/python}

db="threadguard_pgtap_$$"
url=$("$py" -c 'import sys, psycopg.conninfo as c; print(c.make_conninfo(sys.argv[1], dbname=sys.argv[2]))' "$DATABASE_URL" "$db")
psql "$DATABASE_URL" -qAtX -v ON_ERROR_STOP=1 -c "create database $db" >/dev/null
trap 'psql "$DATABASE_URL" -qAtX -c "drop database if exists $db with (force)" >/dev/null 2>&1 || true' EXIT

"$py" -m threadguard.cli --database "$url" migrate >/dev/null
# The pgTAP files name the roles as migrations/ and sql/ write them (threadguard_app, ...):
# run copies that name this database's own.
pgtap=$(mktemp -d)
trap 'rm -rf "$pgtap"; psql "$DATABASE_URL" -qAtX -c "drop database if exists $db with (force)" >/dev/null 2>&1 || true' EXIT
"$py" - "$url" tests/pgtap "$pgtap" <<'PY'
import sys
from pathlib import Path
import psycopg
from threadguard.roles import installed
with psycopg.connect(sys.argv[1]) as conn:
    roles = installed(conn)
source, dest = Path(sys.argv[2]), Path(sys.argv[3])
for path in source.rglob("*.sql"):
    out = dest / path.relative_to(source)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(roles.substitute(path.read_text(encoding="utf-8")), encoding="utf-8")
PY
psql "$url" -qX -v ON_ERROR_STOP=1 -f "$pgtap/load.sql" >/dev/null
status=0
# pg_prove takes no conninfo string: hand it the connection as PG* variables.
pgenv=$("$py" -c '
import shlex, sys, psycopg.conninfo as c
names = {"host": "PGHOST", "port": "PGPORT", "user": "PGUSER", "password": "PGPASSWORD",
         "dbname": "PGDATABASE", "sslmode": "PGSSLMODE"}
for key, value in c.conninfo_to_dict(sys.argv[1]).items():
    if key in names:
        print("export " + names[key] + "=" + shlex.quote(str(value)))
' "$url")
(eval "$pgenv"; cd "$pgtap"; exec pg_prove --verbose --failures --ext .sql --recurse structure isolation api operations) || status=1

"$py" -m pytest -q "$@" || status=1
exit $status
