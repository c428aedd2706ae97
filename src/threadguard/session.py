"""The DBA's sessions, shared by the migration runner, adoption, the operator commands and verify:
connections whose names resolve in pg_catalog first, and two small helpers."""

from __future__ import annotations

from typing import Any

import psycopg

# The tables threadguard protects (the rules themselves are in sql/checks/).
PROTECTED_TABLES = ("threadguard.conversations", "public.checkpoints", "public.checkpoint_blobs",
                    "public.checkpoint_writes", "public.store")


def connect(conninfo: str, *, autocommit: bool = True) -> psycopg.Connection[Any]:
    """A session of the DBA's commands: names resolve in pg_catalog, then pg_temp, so
    nothing another role planted in public is reached unqualified."""
    conn = psycopg.connect(conninfo, autocommit=autocommit)
    conn.execute("select pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', false)")
    if not autocommit:
        conn.commit()  # keep the setting; the caller's transaction starts clean
    return conn


def one(conn: psycopg.Connection[tuple[Any, ...]], query: str, params: Any = None) -> tuple[Any, ...]:
    row = conn.execute(query, params).fetchone()
    if row is None:
        raise RuntimeError(f"expected a row from: {query}")
    return tuple(row)


def exists(conn: psycopg.Connection[Any], name: str) -> bool:
    """Whether relation `name` exists (to_regclass: no error when it does not)."""
    schema, _, table = name.partition(".")
    return bool(one(conn, "select exists (select from pg_catalog.pg_class as c join pg_catalog.pg_namespace as n"
                      " on n.oid operator(pg_catalog.=) c.relnamespace"
                      " where n.nspname operator(pg_catalog.=) %s and c.relname operator(pg_catalog.=) %s)",
                (schema, table))[0])
