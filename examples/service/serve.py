"""`make serve`: migrate the database DATABASE_URL names (a superuser connection), give the
service a login of its own granted threadguard_app, and run the reference service on it.
THREADGUARD_SEALED=1: seal the database with the keys of a local test issuer (threadguard.issuer)
and print a token for each of two test users (docs/sealed.md)."""

from __future__ import annotations

import os
import sys
import uuid

import psycopg
import uvicorn
from psycopg import sql
from psycopg.conninfo import make_conninfo

from threadguard import cli, runner, sealing
from threadguard.issuer import Issuer, RsaKey
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
    if os.environ.get("THREADGUARD_SEALED"):
        seal_with_test_issuer(admin, port)
    print(f"threadguard reference service on http://127.0.0.1:{port} (try: {CURL_HINT.format(port=port)})", file=sys.stderr)
    uvicorn.run("examples.service.app:app", host="127.0.0.1", port=port)
    return 0


def seal_with_test_issuer(admin: str, port: int) -> None:
    """A local issuer's RS256 key, the seal, and a token (one hour) for each of two test users."""
    issuer = Issuer(audience="threadguard-service", keys=[RsaKey.generate(f"service-{uuid.uuid4().hex[:8]}")])
    sealing.add_keys(admin, issuer.jwks())
    sealing.configure(admin, issuer=issuer.issuer, audience=issuer.audience)
    sealing.seal(admin)
    for name in ("alice", "bob"):
        tenant, user = uuid.uuid4(), uuid.uuid4()
        print(f"sealed: {name} = -H 'x-tenant-id: {tenant}' -H 'x-user-id: {user}' "
              f"-H 'authorization: Bearer {issuer.token(tenant, user, ttl=3600)}'", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
