"""Sealed identity, the DBA's side (docs/sealed.md): the keys tokens are verified with, how their
claims map to a tenant and user, and `seal` / `unseal`, which switch what the policies read
(threadguard.context: the settings, or the verified token of the transaction) by applying sql/
again as the owner role, in the same transaction as the switch."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from psycopg import sql

from threadguard import roles as tg_roles
from threadguard import runner
from threadguard.runner import Locks
from threadguard.session import connect, one


def add_keys(conninfo: str, jwks: dict[str, Any]) -> int:
    """Add the signing keys of a JWKS (or one JWK) through threadguard.add_token_keys; how many."""
    with connect(conninfo) as conn:
        roles = tg_roles.required(conn)
        with tg_roles.acting_as(conn, roles, "admin"):
            return int(one(conn, "select threadguard.add_token_keys(%s::jsonb)", (json.dumps(jwks),))[0])


def remove_key(conninfo: str, kid: str) -> bool:
    """Remove key `kid` (revoking every token it verified); False when there is none."""
    with connect(conninfo) as conn:
        roles = tg_roles.required(conn)
        with tg_roles.acting_as(conn, roles, "admin"):
            return bool(one(conn, "select threadguard.remove_token_key(%s)", (kid,))[0])


def keys(conninfo: str) -> list[tuple[str, str, datetime]]:
    """(kid, alg, added_at) of every configured key, oldest first."""
    with connect(conninfo) as conn:
        roles = tg_roles.required(conn)
        with tg_roles.acting_as(conn, roles, "admin"):
            return [(str(k), str(a), t) for k, a, t in
                    conn.execute("select kid, alg, added_at from threadguard.token_keys order by added_at, kid").fetchall()]


def configure(conninfo: str, *, issuer: str | None, audience: str | None, tenant_claim: str = "tenant_id",
              user_claim: str = "sub", claims_as: str = "uuid", leeway: timedelta = timedelta(seconds=30)) -> None:
    """How tokens are checked and mapped (threadguard.configure_tokens; audited)."""
    with connect(conninfo) as conn:
        roles = tg_roles.required(conn)
        with tg_roles.acting_as(conn, roles, "admin"):
            conn.execute("select threadguard.configure_tokens(%s, %s, %s, %s, %s, %s::interval)",
                         (issuer, audience, tenant_claim, user_claim, claims_as, leeway))


def seal(conninfo: str, sealed: bool = True, *, locks: Locks | None = None) -> bool:
    """Seal the database (policies and the SQL API take the identity only from a verified token)
    or unseal it; returns whether anything changed. Refuses to seal without a key."""
    locks = locks or Locks()
    with connect(conninfo) as conn:
        roles = tg_roles.required(conn)
        runner.refuse_pending(conn)
        with conn.transaction():
            conn.execute("select pg_catalog.set_config('lock_timeout', %s, true)", (locks.timeout,))
            granted = tg_roles.elevate(conn, [roles.owner])
            conn.execute(sql.SQL("set local role {}").format(sql.Identifier(roles.owner)))
            was, keys_configured = one(conn, "select s.sealed, exists (select from threadguard.token_keys)"
                                             " from threadguard.token_settings as s for update")
            if sealed and not keys_configured:
                raise runner.MigrationError("no key is configured: add the identity provider's keys first "
                                            "(threadguard keys add jwks.json), or every transaction would see nothing")
            conn.execute("update threadguard.token_settings set sealed = %s", (sealed,))
            tg_roles.lower(conn, granted)
            if was != sealed:
                runner._apply_definitions_on(conn, roles, locks)  # threadguard.context follows token_settings.sealed
        return bool(was != sealed)
