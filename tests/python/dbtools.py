"""Throwaway databases and login roles for the Python tests (never mocks).

DATABASE_URL names a superuser connection (tests/with_db.sh provides one);
every test database is created fresh and dropped afterwards.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo
from psycopg_pool import AsyncConnectionPool, ConnectionPool

import threadguard as tg
from threadguard import runner
from threadguard.paths import migrations_dir
from threadguard.roles import Roles, installed

APP_LOGIN = "threadguard_test_app"
APP_PASSWORD = "threadguard-test-only"


def admin_conninfo() -> str:
    url = os.environ.get("DATABASE_URL")
    if not url:
        raise RuntimeError(
            "DATABASE_URL is not set: run the tests with `make test` (it starts a throwaway "
            "PostgreSQL), or set DATABASE_URL to a superuser connection"
        )
    return url


@contextmanager
def fresh_database(prefix: str = "tg") -> Iterator[str]:
    """A new empty database; yields its superuser conninfo and drops it afterwards."""
    name = f"{prefix}_{secrets.token_hex(4)}"
    admin = admin_conninfo()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("create database {}").format(sql.Identifier(name)))
    try:
        yield make_conninfo(admin, dbname=name)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name)))


def installed_or_none(conninfo: str) -> Roles | None:
    with psycopg.connect(conninfo, autocommit=True) as conn:
        return installed(conn)


def roles_of(conninfo: str) -> Roles:
    """The threadguard roles of the database `conninfo` names (it must be migrated)."""
    with psycopg.connect(conninfo, autocommit=True) as conn:
        found = installed(conn)
    if found is None:
        raise RuntimeError(f"threadguard is not installed in {conninfo}")
    return found


def ensure_app_login(conninfo: str) -> None:
    """The application's login role: LOGIN, granted the database's app role (when threadguard
    is installed there), nothing else."""
    with psycopg.connect(conninfo, autocommit=True) as conn:
        exists = conn.execute("select 1 from pg_roles where rolname = %s", (APP_LOGIN,)).fetchone()
        if not exists:
            conn.execute(
                sql.SQL("create role {} login nosuperuser nobypassrls password {}").format(
                    sql.Identifier(APP_LOGIN), sql.Literal(APP_PASSWORD)
                )
            )
        roles = installed(conn)
        if roles is not None:
            conn.execute(sql.SQL("grant {} to {}").format(sql.Identifier(roles.app), sql.Identifier(APP_LOGIN)))


def app_conninfo(conninfo: str) -> str:
    """The same database, as the application's login role."""
    return make_conninfo(conninfo, user=APP_LOGIN, password=APP_PASSWORD)


OPERATOR_LOGIN = "threadguard_test_operator"


def operator_conninfo(conninfo: str) -> str:
    """A login granted threadguard_admin (the operators' role), created when missing, as
    conninfo to the same database."""
    with psycopg.connect(admin_conninfo(), autocommit=True) as conn:
        if not conn.execute("select 1 from pg_roles where rolname = %s", (OPERATOR_LOGIN,)).fetchone():
            conn.execute(sql.SQL("create role {} login password 'operator'").format(sql.Identifier(OPERATOR_LOGIN)))
        conn.execute(sql.SQL("grant {} to {}").format(sql.Identifier(roles_of(conninfo).admin), sql.Identifier(OPERATOR_LOGIN)))
    return make_conninfo(conninfo, user=OPERATOR_LOGIN, password="operator")


def legacy_login(conninfo: str) -> tuple[str, str]:
    """A new login that may create in schema public, as the application's role was before
    threadguard (it ran LangGraph's setup()): its name and its conninfo to the same database."""
    role = f"tg_legacy_{secrets.token_hex(4)}"
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(sql.SQL("create role {} login password 'legacy'").format(sql.Identifier(role)))
        conn.execute(sql.SQL("grant create on schema public to {}").format(sql.Identifier(role)))
    return role, make_conninfo(conninfo, user=role, password="legacy")


def pg_dump_binary() -> str:
    found = shutil.which("pg_dump")
    if not found:
        raise RuntimeError("pg_dump not found: install postgresql-client-15")
    return found


_NOISE = re.compile(r"^(--.*|SET .*|SELECT pg_catalog\.set_config.*|\\(un)?restrict .*)$")


def _as_written(conninfo: str, text: str) -> str:
    """`text` naming the database's roles as migrations/ and sql/ write them."""
    roles = installed_or_none(conninfo)
    if roles is None:
        return text
    return re.sub(rf"\b{re.escape(roles.prefix)}_(owner|app|admin|operator|support)\b", r"threadguard_\1", text)


def pg_dump_mismatch(conninfo: str) -> str | None:
    """Why the machine's pg_dump cannot dump this server (a newer major), or None."""
    client = subprocess.run([pg_dump_binary(), "--version"], check=True, capture_output=True, text=True).stdout
    client_major = int(re.findall(r"(\d+)(?:\.\d+)+", client)[0].split(".")[0])
    with psycopg.connect(conninfo) as conn:
        server_major = conn.info.server_version // 10000
    if client_major == server_major:
        return None
    return f"pg_dump {client_major} does not dump PostgreSQL {server_major} exactly (only Debian's client for {client_major} is here)"


# What the schema is, read from the catalog: used instead of pg_dump where no pg_dump of the
# server's major version exists, to compare two states of one database.
_CATALOG_DUMP = """
select pg_catalog.string_agg(line, E'\n' order by line) from (
  select 'relation ' || c.oid::regclass || ' ' || c.relkind::text || ' owner=' || pg_get_userbyid(c.relowner)
         || ' acl=' || coalesce(c.relacl::text, '') || ' rls=' || c.relrowsecurity || '/' || c.relforcerowsecurity as line
    from pg_class c where c.relnamespace in ('public'::regnamespace, 'threadguard'::regnamespace)
  union all
  select 'column ' || a.attrelid::regclass || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
         || ' notnull=' || a.attnotnull || ' default=' || coalesce(pg_get_expr(d.adbin, d.adrelid), '') || ' acl=' || coalesce(a.attacl::text, '')
    from pg_attribute a join pg_class c on c.oid = a.attrelid
    left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
   where c.relnamespace in ('public'::regnamespace, 'threadguard'::regnamespace) and a.attnum > 0 and not a.attisdropped
  union all
  select 'constraint ' || conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid)
    from pg_constraint where connamespace in ('public'::regnamespace, 'threadguard'::regnamespace)
  union all
  select 'index ' || pg_get_indexdef(indexrelid) from pg_index i join pg_class c on c.oid = i.indexrelid
   where c.relnamespace in ('public'::regnamespace, 'threadguard'::regnamespace)
  union all
  select 'policy ' || polrelid::regclass || ' ' || polname || ' ' || polcmd::text || ' ' || polpermissive || ' '
         || array(select r::regrole::text from unnest(polroles) r order by 1)::text || ' '
         || coalesce(pg_get_expr(polqual, polrelid), '') || ' / ' || coalesce(pg_get_expr(polwithcheck, polrelid), '')
    from pg_policy
  union all
  select 'trigger ' || pg_get_triggerdef(oid) from pg_trigger where not tgisinternal
  union all
  select 'function ' || p.oid::regprocedure || ' owner=' || pg_get_userbyid(p.proowner) || ' acl=' || coalesce(p.proacl::text, '')
         || ' ' || md5(pg_get_functiondef(p.oid))
    from pg_proc p where p.pronamespace in ('public'::regnamespace, 'threadguard'::regnamespace) and p.prokind <> 'a'
  union all
  select 'schema ' || nspname || ' owner=' || pg_get_userbyid(nspowner) || ' acl=' || coalesce(nspacl::text, '')
    from pg_namespace where nspname in ('public', 'threadguard')
  union all
  select 'comment on ' || pg_describe_object(classoid, objoid, objsubid) || ': ' || description from pg_description
   where classoid in ('pg_class'::regclass, 'pg_proc'::regclass, 'pg_policy'::regclass, 'pg_namespace'::regclass)
     and (objoid in (select oid from pg_class where relnamespace in ('public'::regnamespace, 'threadguard'::regnamespace))
          or objoid in (select oid from pg_proc where pronamespace in ('public'::regnamespace, 'threadguard'::regnamespace))
          or classoid = 'pg_policy'::regclass)
) as lines
"""


def schema_dump(conninfo: str) -> str:
    """A normalised `pg_dump --schema-only`, without yoyo's bookkeeping schema; on a server
    the machine's pg_dump cannot dump, the catalog's own description of the same objects."""
    if pg_dump_mismatch(conninfo):
        with psycopg.connect(conninfo) as conn:
            out = str(conn.execute("select pg_catalog.to_regnamespace('threadguard') is not null").fetchone()[0]) + "\n"
            if conn.execute("select pg_catalog.to_regnamespace('threadguard') is not null").fetchone()[0]:
                out += str(conn.execute(_CATALOG_DUMP).fetchone()[0])
            else:
                out += str(conn.execute(_CATALOG_DUMP.replace(", 'threadguard'::regnamespace", "")).fetchone()[0])
        return _as_written(conninfo, out)
    params = conninfo_to_dict(conninfo)
    env = dict(os.environ)
    for key, var in (("host", "PGHOST"), ("port", "PGPORT"), ("user", "PGUSER"),
                     ("password", "PGPASSWORD"), ("dbname", "PGDATABASE")):
        if key in params:
            env[var] = str(params[key])
    out = subprocess.run(
        [pg_dump_binary(), "--schema-only", "--exclude-schema=threadguard_migrations"],
        env=env, check=True, capture_output=True, text=True,
    ).stdout
    out = _as_written(conninfo, out)
    lines = [line.rstrip() for line in out.splitlines() if not _NOISE.match(line)]
    text = "\n".join(lines)
    text = re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"
    return text


def thread_rows(conninfo: str, thread_id: str) -> int:
    """How many checkpoint, blob and write rows thread_id has, seen by `conninfo`
    (a superuser's connection: every row, whoever owns it)."""
    with psycopg.connect(conninfo) as conn:
        return conn.execute(
            "select (select count(*) from public.checkpoints where thread_id = %(t)s)"
            " + (select count(*) from public.checkpoint_blobs where thread_id = %(t)s)"
            " + (select count(*) from public.checkpoint_writes where thread_id = %(t)s)",
            {"t": thread_id},
        ).fetchone()[0]


@dataclass(frozen=True)
class Route:
    """How the application reaches the database: directly (with or without prepared statements), or
    through a transaction pooler (PgBouncer without prepared statements: prepare_threshold=None)."""

    name: str
    conninfo: str
    kwargs: dict[str, Any] = field(default_factory=dict)

    def connect(self) -> tg.BoundConnection:
        return tg.connect(self.conninfo, **self.kwargs)

    async def aconnect(self) -> tg.AsyncBoundConnection:
        return await tg.aconnect(self.conninfo, **self.kwargs)

    def pool(self, **kwargs: Any) -> ConnectionPool[Any]:
        return tg.saver_pool(self.conninfo, kwargs=self.kwargs, **kwargs)

    def apool(self, **kwargs: Any) -> AsyncConnectionPool[Any]:
        return tg.async_saver_pool(self.conninfo, kwargs=self.kwargs, **kwargs)


ROOT = Path(__file__).resolve().parents[2]
MIGRATION_IDS = [p.stem for p in sorted(migrations_dir().glob("*.sql")) if not p.stem.endswith(".rollback")]


def count_rows(conninfo: str, table: str) -> int:
    with psycopg.connect(conninfo) as conn:
        return conn.execute(sql.SQL("select count(*) from {}").format(sql.Identifier(*table.split(".")))).fetchone()[0]


def fresh_install_schema(like: str) -> str:
    """schema.sql where the machine's pg_dump fits the server; else a fresh install's catalog dump."""
    if not pg_dump_mismatch(like):
        return (ROOT / "schema.sql").read_text(encoding="utf-8")
    with fresh_database("tg_reference") as conninfo:
        runner.migrate(conninfo)
        return schema_dump(conninfo)
