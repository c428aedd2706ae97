"""`make serve`: migrate the database DATABASE_URL names (a superuser connection), give the
service a login of its own granted threadguard_app, and run the reference service on it."""

from __future__ import annotations

import os
import sys

import psycopg
import uvicorn
from psycopg import sql
from psycopg.conninfo import make_conninfo

from threadguard import cli, runner
from threadguard.roles import app_role

LOGIN, PASSWORD = "threadguard_service", "threadguard-service-example"
# The first request to try, printed at start (tests/python/test_service.py runs it).
CURL_HINT = ("curl -H 'x-tenant-id: <uuid>' -H 'x-user-id: <uuid>' -H 'content-type: application/json' "
             "-X POST localhost:{port}/conversations -d '{{}}'")


def main() -> int:
    admin = cli.conninfo(None)
    runner.migrate(admin)
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("select 1 from pg_roles where rolname = %s", (LOGIN,)).fetchone():
            conn.execute(sql.SQL("create role {} login password {}").format(sql.Identifier(LOGIN), sql.Literal(PASSWORD)))
        conn.execute(sql.SQL("grant {} to {}").format(sql.Identifier(app_role(conn)), sql.Identifier(LOGIN)))
    os.environ["DATABASE_URL"] = make_conninfo(admin, user=LOGIN, password=PASSWORD)
    port = int(os.environ.get("PORT", "8000"))
    print(f"threadguard reference service on http://127.0.0.1:{port} (try: {CURL_HINT.format(port=port)})", file=sys.stderr)
    uvicorn.run("examples.service.app:app", host="127.0.0.1", port=port)
    return 0


if __name__ == "__main__":
    sys.exit(main())
