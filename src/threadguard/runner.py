"""The migration runner: a thin layer over yoyo's Python API.

`migrate` applies pending migrations (append-only, in migrations/) and then the
idempotent definitions in sql/ (functions first, then policies) in one
transaction as threadguard_owner, all under yoyo's lock. Connections use libpq
conninfo (a DATABASE_URL or the PG* variables), not yoyo's own URL parser.
"""

from __future__ import annotations

import functools
import hashlib
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql
from psycopg.types.json import Jsonb
from yoyo import read_migrations
from yoyo.backends.core.postgresql import PostgresqlPsycopgBackend
from yoyo.connections import parse_uri
from yoyo.exceptions import LockTimeout

from threadguard import roles as tg_roles
from threadguard.paths import migrations_dir, sql_dir
from threadguard.roles import Roles

LOCK_TIMEOUT_SECONDS = 600
# Every DDL statement waits at most this long for a table lock, so that a migrate
# never queues LangGraph's traffic behind a long transaction; a migration that
# gives up is rolled back whole and tried again, LOCK_ATTEMPTS times in all.
DDL_LOCK_TIMEOUT = "5s"
LOCK_ATTEMPTS = 5
LANGGRAPH_SCHEMA_VERSION = 9
STORE_SCHEMA_VERSION = 3
CHECKPOINT_TABLES = ("public.checkpoints", "public.checkpoint_blobs", "public.checkpoint_writes")
PROTECTED_TABLES = ("threadguard.conversations", *CHECKPOINT_TABLES, "public.store")
# LangGraph's version tables: no tenant data, readable by the application, changed by nobody.
VERSION_TABLES = ("public.checkpoint_migrations", "public.store_migrations")
_UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
# A store prefix someone owns: tenant_id.user_id.label... or tenant_id.shared.label... (its first
# 74 characters tell: 'tenant_id.user_id.' is 74 long).
STORE_NAMESPACE_PATTERN = rf"^{_UUID}[.]({_UUID}|shared)[.]"


class MigrationError(RuntimeError):
    """A migration or definition file failed; the message names it and the fix."""


@dataclass(frozen=True)
class MigrationState:
    id: str
    applied_at: datetime | None


# yoyo's bookkeeping tables live here, in a schema only the migrating role can write.
YOYO_SCHEMA = "threadguard_migrations"
_YOYO_TABLES = ("_yoyo_migration", "_yoyo_log", "_yoyo_version", "yoyo_lock")


class _Backend(PostgresqlPsycopgBackend):  # type: ignore[misc]
    """yoyo's psycopg 3 backend, connecting with a libpq conninfo string. Its sessions
    resolve names in pg_catalog first (implicitly), then yoyo's own schema, then pg_temp:
    nothing another role planted in public or pg_temp is reachable unqualified. Each of its
    transactions makes a non-superuser administrator a member of the install's roles (to create,
    give and drop objects of theirs), and takes that back before it commits."""

    conninfo = ""
    roles: list[Roles] = []
    _granted: list[str] = []
    _lent: list[tuple[str, str]] = []

    def connect(self, dburi):  # type: ignore[no-untyped-def]
        conn = psycopg.connect(self.conninfo, autocommit=True)
        conn.execute("select pg_catalog.set_config('lock_timeout', %s, false),"
                     " pg_catalog.set_config('search_path', %s, false)", (DDL_LOCK_TIMEOUT, f"{YOYO_SCHEMA}, pg_temp"))
        return conn

    def begin(self) -> None:
        super().begin()
        names = list(dict.fromkeys(name for roles in self.roles for name in roles.all))
        self._granted = tg_roles.elevate(self.connection, names)
        # The owner role takes LangGraph's tables over and the operator role its functions.
        self._lent = tg_roles.lend_create(self.connection, [("public", roles.owner) for roles in self.roles]
                                          + [("threadguard", roles.operator) for roles in self.roles])

    def commit(self) -> None:
        tg_roles.take_back_create(self.connection, self._lent)
        if self._granted:
            tg_roles.lower(self.connection, self._granted)
        self._granted, self._lent = [], []
        super().commit()

    def rollback(self) -> None:
        self._granted, self._lent = [], []
        super().rollback()


def _connect(conninfo: str, *, autocommit: bool = True) -> psycopg.Connection[Any]:
    """A session of the DBA's commands: names resolve in pg_catalog, then pg_temp, so
    nothing another role planted in public is reached unqualified."""
    conn = psycopg.connect(conninfo, autocommit=autocommit)
    conn.execute("select pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', false)")
    if not autocommit:
        conn.commit()  # keep the setting; the caller's transaction starts clean
    return conn


def _exists(conn: psycopg.Connection[Any], name: str) -> bool:
    """Whether relation `name` exists (to_regclass: no error when it does not)."""
    schema, _, table = name.partition(".")
    return bool(_one(conn, "select exists (select from pg_catalog.pg_class as c join pg_catalog.pg_namespace as n"
                      " on n.oid operator(pg_catalog.=) c.relnamespace"
                      " where n.nspname operator(pg_catalog.=) %s and c.relname operator(pg_catalog.=) %s)",
                (schema, table))[0])


def _prepare_yoyo_schema(conninfo: str) -> None:
    """yoyo's schema, owned by the migrating role, PUBLIC kept out; yoyo's tables of an
    installation made before it moved out of public."""
    with _connect(conninfo, autocommit=False) as conn:
        # Two migrate runs at once: one creates, the other waits and finds it (yoyo's own lock needs the schema).
        # Any login may take an advisory lock: wait a bounded time, then name who holds it.
        conn.execute("select pg_catalog.set_config('lock_timeout', %s, true)", (MIGRATE_LOCK_WAIT,))
        try:
            conn.execute("select pg_catalog.pg_advisory_xact_lock(%s, pg_catalog.hashtext(%s))", (_LOCK_SPACE, YOYO_SCHEMA))
        except psycopg.errors.LockNotAvailable:
            conn.rollback()
            raise MigrationError(f"another session has held threadguard's migration lock for more than {MIGRATE_LOCK_WAIT}: "
                                 f"{_lock_holder(conn)}; wait for it, or end it (select pg_terminate_backend(pid)) "
                                 "if it is not a threadguard migrate") from None
        conn.execute(f"create schema if not exists {YOYO_SCHEMA}")
        conn.execute(f"revoke all on schema {YOYO_SCHEMA} from public")
        for table in _YOYO_TABLES:
            if _exists(conn, f"public.{table}") and not _exists(conn, f"{YOYO_SCHEMA}.{table}"):
                conn.execute(f"alter table public.{table} set schema {YOYO_SCHEMA}")


# The advisory lock's key space (its first half), and how long migrate waits for it.
_LOCK_SPACE = 0x7467  # "tg"
MIGRATE_LOCK_WAIT = "60s"


def _lock_holder(conn: psycopg.Connection[Any]) -> str:
    """Who holds threadguard's advisory migration lock: role, pid, application, for how long."""
    row = conn.execute(
        "select a.usename::text, l.pid, a.application_name, pg_catalog.now() operator(pg_catalog.-) a.xact_start"
        " from pg_catalog.pg_locks as l join pg_catalog.pg_stat_activity as a on a.pid operator(pg_catalog.=) l.pid"
        " where l.locktype operator(pg_catalog.=) 'advisory' and l.granted and l.objsubid operator(pg_catalog.=) 2"
        " and l.classid operator(pg_catalog.=) %s::pg_catalog.oid"
        " and l.objid operator(pg_catalog.=) (pg_catalog.hashtext(%s)::bigint operator(pg_catalog.&) 4294967295)::pg_catalog.oid",
        (_LOCK_SPACE, YOYO_SCHEMA)).fetchone()
    if row is None:
        return "it has just been released"
    user, pid, application, held = row
    return f"role {user}, pid {pid}{f', application {application!r}' if application else ''}, in its transaction for {held}"


@contextmanager
def _backend(conninfo: str, roles: list[Roles]) -> Iterator[_Backend]:
    _prepare_yoyo_schema(conninfo)
    cls = type("Backend", (_Backend,), {"conninfo": conninfo, "roles": roles})
    backend = cls(parse_uri("postgresql+psycopg://"), "_yoyo_migration")
    try:
        backend.init_database()
        yield backend
    finally:
        backend.connection.close()


@contextmanager
def _locked(backend: _Backend) -> Iterator[None]:
    try:
        with backend.lock(timeout=LOCK_TIMEOUT_SECONDS):
            yield
    except LockTimeout as exc:
        raise MigrationError(
            f"another threadguard migrate or rollback has held the lock for {LOCK_TIMEOUT_SECONDS}s ({exc}); "
            "wait for it, or if that process is gone, run `yoyo break-lock` against this database"
        ) from exc


def _migrations(roles: Roles | None = None) -> Any:
    """The migrations, their SQL naming `roles` (as written when None: for their ids only)."""
    found = read_migrations(str(migrations_dir()))
    if roles is not None:
        for migration in found:
            migration.load()
            for wrapper in migration.steps:
                step = wrapper.step
                step._apply = roles.substitute(step._apply) if isinstance(step._apply, str) else step._apply
                step._rollback = roles.substitute(step._rollback) if isinstance(step._rollback, str) else step._rollback
    return found


def definition_files() -> list[Path]:
    """sql/functions/*.sql, then sql/policies/*.sql: policies call the functions."""
    root = sql_dir()
    return sorted((root / "functions").glob("*.sql")) + sorted((root / "policies").glob("*.sql"))


def definitions_digest() -> str:
    """SHA-256 of every definition file, path and content, in the order they apply."""
    digest = hashlib.sha256()
    for path in definition_files():
        digest.update(f"{path.parent.name}/{path.name}\0".encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


# What the definitions leave in the catalog, object by object: (name, md5 of its definition).
# Anything a policy, trigger, rule, grant or default can do to the protected tables is here.
_CATALOG_SQL = """
with protected(oid) as (
    select pg_catalog.to_regclass(t) from pg_catalog.unnest(%s::text[]) as t where pg_catalog.to_regclass(t) is not null)
select 'policy ' || p.polname || ' on ' || p.polrelid::pg_catalog.regclass::text,
       pg_catalog.md5(pg_catalog.concat_ws('|', p.polcmd, p.polpermissive, p.polroles::text,
                      pg_catalog.pg_get_expr(p.polqual, p.polrelid), pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid)))
  from pg_catalog.pg_policy as p join protected on protected.oid = p.polrelid
union all
select 'trigger ' || t.tgname || ' on ' || t.tgrelid::pg_catalog.regclass::text, pg_catalog.md5(pg_catalog.pg_get_triggerdef(t.oid))
  from pg_catalog.pg_trigger as t join protected on protected.oid = t.tgrelid where not t.tgisinternal
union all
select 'rule ' || r.rulename || ' on ' || r.ev_class::pg_catalog.regclass::text, pg_catalog.md5(pg_catalog.pg_get_ruledef(r.oid))
  from pg_catalog.pg_rewrite as r join protected on protected.oid = r.ev_class
union all
select 'table ' || c.oid::pg_catalog.regclass::text,
       pg_catalog.md5(pg_catalog.concat_ws('|', c.relacl::text, c.relrowsecurity, c.relforcerowsecurity, c.relowner))
  from pg_catalog.pg_class as c join protected on protected.oid = c.oid
union all
select 'column ' || a.attrelid::pg_catalog.regclass::text || '.' || a.attname,
       pg_catalog.md5(pg_catalog.concat_ws('|', a.attacl::text, pg_catalog.pg_get_expr(d.adbin, d.adrelid)))
  from pg_catalog.pg_attribute as a join protected on protected.oid = a.attrelid
  left join pg_catalog.pg_attrdef as d on d.adrelid = a.attrelid and d.adnum = a.attnum
 where a.attnum > 0 and not a.attisdropped and (a.attacl is not null or d.oid is not null)
union all
select 'function ' || p.oid::pg_catalog.regprocedure::text,
       pg_catalog.md5(pg_catalog.concat_ws('|', p.prosrc, p.prosecdef, p.provolatile, p.proconfig::text, p.proacl::text, p.proowner))
  from pg_catalog.pg_proc as p where p.pronamespace = 'threadguard'::pg_catalog.regnamespace
union all
select 'view ' || c.oid::pg_catalog.regclass::text,
       pg_catalog.md5(pg_catalog.concat_ws('|', pg_catalog.pg_get_viewdef(c.oid), c.relacl::text, c.reloptions::text))
  from pg_catalog.pg_class as c where c.relnamespace = 'threadguard'::pg_catalog.regnamespace and c.relkind = 'v'
"""


def catalog_fingerprint(conn: psycopg.Connection[Any]) -> dict[str, str]:
    """What the definitions left in the catalog, as verify compares it."""
    tables = [*PROTECTED_TABLES, *VERSION_TABLES]
    return {name: digest for name, digest in conn.execute(_CATALOG_SQL, (tables,)).fetchall()}


def definitions_current(conninfo: str, roles: Roles) -> bool:
    """Whether the database carries exactly these definitions, intact: the recorded
    digest matches and verify finds nothing that `threadguard migrate` would fix."""
    with _connect(conninfo) as conn:
        if not _exists(conn, "threadguard.definitions_applied"):
            return False
        with conn.transaction(force_rollback=True):
            tg_roles.elevate(conn, [roles.owner])
            conn.execute(sql.SQL("set local role {}").format(sql.Identifier(roles.owner)))
            row = conn.execute("select d.sha256 from threadguard.definitions_applied as d").fetchone()
    if row is None or row[0] != definitions_digest():
        return False
    return not any("threadguard migrate" in problem for problem in verify(conninfo, data=False))


def apply_definitions(conninfo: str, roles: Roles | None = None) -> None:
    """Apply every file in sql/ in one transaction, as the install's owner role (`roles`, by
    default those installed), and record their digest (when 0012 is applied)."""
    roles = roles or install_roles(conninfo)[1]
    with _connect(conninfo, autocommit=False) as conn:
        conn.execute("select pg_catalog.set_config('lock_timeout', %s, true)", (DDL_LOCK_TIMEOUT,))
        granted = tg_roles.elevate(conn, [roles.owner, roles.operator])
        lent = tg_roles.lend_create(conn, [("threadguard", roles.operator)])
        conn.execute(sql.SQL("set local role {}").format(sql.Identifier(roles.owner)))
        conn.execute("set local check_function_bodies = off")
        for path in definition_files():
            try:
                conn.execute(roles.substitute(path.read_text(encoding="utf-8")).encode())
            except psycopg.Error as exc:
                raise MigrationError(
                    f"definition file sql/{path.parent.name}/{path.name} failed: {exc}".rstrip()
                    + "\nNothing from sql/ was applied; fix the file and run `threadguard migrate` again."
                ) from exc
        conn.execute(sql.SQL("set local role {}").format(sql.Identifier(roles.owner)))
        if _exists(conn, "threadguard.definitions_applied"):
            conn.execute("delete from threadguard.definitions_applied")
            conn.execute("insert into threadguard.definitions_applied (sha256, catalog) values (%s, %s)",
                         (definitions_digest(), Jsonb(catalog_fingerprint(conn))))
        conn.execute("reset role")
        tg_roles.take_back_create(conn, lent)
        tg_roles.lower(conn, granted)


ROLES_MIGRATION = "0018_database_roles"


def install_roles(conninfo: str, prefix: str | None = None) -> tuple[Roles, Roles]:
    """(the roles the applied migrations name, the roles the install ends with): the same
    but for an install made with the cluster's shared threadguard_* roles, which
    0018_database_roles moves to this database's own."""
    applied = {m.id for m in status(conninfo) if m.applied_at is not None}
    with _connect(conninfo) as conn:
        current = tg_roles.installed(conn)
        if current is None:
            target = tg_roles.for_database(conn, prefix)
            current = target
        elif ROLES_MIGRATION not in applied:
            target = tg_roles.for_database(conn, prefix) if prefix else Roles(tg_roles.default_prefix(_database(conn)))
        else:
            if prefix is not None and prefix != current.prefix:
                raise MigrationError(f"this database's threadguard roles are {current.prefix}_owner, ... (role prefix "
                                     f"{current.prefix}); --role-prefix {prefix} cannot rename them")
            target = current
        _check_roles_free(conn, target)
    return current, target


def _installed(conn: psycopg.Connection[Any]) -> Roles:
    found = tg_roles.installed(conn)
    if found is None:
        raise MigrationError("threadguard is not installed in this database (run `threadguard migrate`)")
    return found


def installed_roles(conninfo: str) -> Roles | None:
    """The roles of the install in this database, or None."""
    with _connect(conninfo) as conn:
        return tg_roles.installed(conn)


def _database(conn: psycopg.Connection[Any]) -> str:
    return str(_one(conn, "select pg_catalog.current_database()")[0])


def _check_roles_free(conn: psycopg.Connection[Any], roles: Roles) -> None:
    """Refuse role names another database of the cluster already uses."""
    rows = conn.execute(
        "select r.rolname::text, d.datname::text from pg_catalog.pg_roles as r"
        " join pg_catalog.pg_shdepend as s on s.refobjid operator(pg_catalog.=) r.oid"
        "  and s.refclassid operator(pg_catalog.=) 'pg_catalog.pg_authid'::pg_catalog.regclass"
        " join pg_catalog.pg_database as d on d.oid operator(pg_catalog.=) s.dbid"
        " where r.rolname operator(pg_catalog.=) any(%s::text[]) and d.datname operator(pg_catalog.<>) pg_catalog.current_database()"
        " union"
        " select r.rolname::text, pg_catalog.substring(pg_catalog.shobj_description(r.oid, 'pg_authid'), 'role of database (.*), and of no other')"
        " from pg_catalog.pg_roles as r where r.rolname operator(pg_catalog.=) any(%s::text[])"
        " and pg_catalog.substring(pg_catalog.shobj_description(r.oid, 'pg_authid'), 'role of database (.*), and of no other')"
        "     operator(pg_catalog.<>) pg_catalog.current_database()"
        " order by 1 limit 1",
        (roles.all, roles.all),
    ).fetchall()
    if rows:
        role, database = rows[0]
        raise MigrationError(f"role {role} belongs to database {database} of this cluster, and threadguard's roles belong to "
                             f"one database: pass --role-prefix with another prefix (this install would name its roles {roles.prefix}_owner, ...)")


@dataclass(frozen=True)
class Plan:
    """What `threadguard migrate` would do now."""

    migrations: list[str]
    definitions: bool


def plan(conninfo: str) -> Plan:
    """What migrate would apply, read without taking any lock (for --dry-run)."""
    pending = [m.id for m in status(conninfo) if m.applied_at is None]
    return Plan(pending, bool(pending) or not definitions_current(conninfo, install_roles(conninfo)[0]))


def _with_lock_retries(step: Callable[[], None], what: str) -> None:
    """Run one transactional step; when it gives up waiting for a lock (it changed
    nothing then), wait a little and run it again, LOCK_ATTEMPTS times in all."""
    for attempt in range(1, LOCK_ATTEMPTS + 1):
        try:
            step()
            return
        except (psycopg.errors.LockNotAvailable, MigrationError) as exc:
            cause = exc if isinstance(exc, psycopg.errors.LockNotAvailable) else exc.__cause__
            if not isinstance(cause, psycopg.errors.LockNotAvailable):
                raise
            if attempt == LOCK_ATTEMPTS:
                raise MigrationError(
                    f"{what} could not take its locks within {DDL_LOCK_TIMEOUT}, {LOCK_ATTEMPTS} times, and changed "
                    f"nothing: a long transaction holds them ({cause.diag.message_primary}). Find it in pg_stat_activity, "
                    "then run `threadguard migrate` again."
                ) from cause
            time.sleep(attempt)


def migrate(conninfo: str, *, target: str | None = None, role_prefix: str | None = None) -> list[str]:
    """Apply pending migrations (up to and including `target`), then, once every
    migration is applied, the definitions. Returns the ids applied. A new install names
    its roles <role_prefix>_owner, ... (default: tg_<database>)."""
    current, final = install_roles(conninfo, role_prefix)
    with _backend(conninfo, [current, final]) as backend, _locked(backend):
        by_id = {m.id: m for m in _migrations(final)}
        # Every migration names the roles it was applied with; 0018 those the install ends with.
        pending = [by_id[m.id] if m.id == ROLES_MIGRATION else m for m in backend.to_apply(_migrations(current))]
        if target is not None:
            ids = [m.id for m in pending]
            if target not in ids:
                raise MigrationError(f"{target} is not a pending migration (pending: {', '.join(ids) or 'none'})")
            pending = pending[: ids.index(target) + 1]
            at_head = len(pending) == len(ids)
        else:
            at_head = True
        if {"0003_langgraph_tables", "0017_store"} & {m.id for m in pending}:
            _refuse_foreign_objects(conninfo)
        if "0011_app_creates_nothing" in {m.id for m in pending}:
            _refuse_app_members(conninfo, current)
        grants = _grants_before_adoption(conninfo) if "0003_langgraph_tables" in {m.id for m in pending} else {}
        for migration in pending:
            try:
                _with_lock_retries(functools.partial(backend.apply_one, migration), f"migration {migration.id}")
            except psycopg.Error as exc:
                diag = exc.diag
                hint = f"\nHINT: {diag.message_hint}" if diag.message_hint else ""
                raise MigrationError(
                    f"migration {migration.id} failed and was rolled back: {diag.message_primary or exc}{hint}"
                ) from exc
        if grants and "0013_previous_grants" in {m.id for m in pending}:
            _record_grants(conninfo, grants, final)
        if at_head and (pending or not definitions_current(conninfo, final)):
            _with_lock_retries(lambda: apply_definitions(conninfo, final), "the sql/ definitions")
        return [m.id for m in pending]


_LANGGRAPH_TABLES = ("checkpoint_migrations", "checkpoints", "checkpoint_blobs", "checkpoint_writes")


def check_rows(conn: Any, rule: str) -> list[tuple[str, str, str]]:
    """The rows (object, problem, fix) of the rule in sql/checks/<rule>.sql: empty when it holds."""
    text = (sql_dir() / "checks" / f"{rule}.sql").read_text(encoding="utf-8")
    roles = tg_roles.installed(conn)
    text = roles.substitute(text) if roles else text
    return [(str(o), str(p), str(f)) for o, p, f in conn.execute(text.encode()).fetchall()]


def _refuse_app_members(conninfo: str, roles: Roles) -> None:
    """Migrations 0003 to 0010 let the app role create in schema public (LangGraph's setup() needed
    it once; 0011 takes it back). A fresh install's app role has no member, so nobody can use that;
    refuse to run them while it has one."""
    with _connect(conninfo) as conn:
        members = [str(r[0]) for r in conn.execute(
            "select m.member::pg_catalog.regrole::text from pg_catalog.pg_auth_members as m"
            " where m.roleid operator(pg_catalog.=) pg_catalog.to_regrole(%s) order by 1", (roles.app,)).fetchall()]
    if members:
        raise MigrationError(f"{roles.app} has members ({', '.join(members)}) while migrations up to 0011_app_creates_nothing are "
                             f"pending, which let {roles.app} create in schema public until 0011: revoke {roles.app} from them, "
                             "run `threadguard migrate`, then grant it again")


def _refuse_foreign_objects(conninfo: str) -> None:
    """Before LangGraph's tables are taken over, nothing anyone else attached to them may remain:
    it would run with the rights of the migration and of every later writer."""
    with _connect(conninfo) as conn:
        rows = check_rows(conn, "foreign_objects_on_langgraph_tables")
    if rows:
        listed = "\n".join(f"  {obj}: {problem}\n    fix: {fix};" for obj, problem, fix in rows)
        raise MigrationError(
            f"LangGraph's tables carry {len(rows)} object(s) that neither LangGraph nor threadguard made, and threadguard "
            f"takes the tables over only clean (they would run with the rights of this migration and of every writer):\n{listed}\n"
            "Nothing was changed. Run the fixes as the tables' owner (after checking what each one did), then "
            "`threadguard migrate` again.")


def _grants_before_adoption(conninfo: str) -> dict[str, str]:
    """The grants (relacl, as text) of LangGraph's tables that exist before 0003 adopts them."""
    with _connect(conninfo) as conn:
        rows = conn.execute(
            "select c.relname::text, c.relacl::text from pg_catalog.pg_class as c"
            " where c.oid operator(pg_catalog.=) any(array(select pg_catalog.to_regclass('public.' operator(pg_catalog.||) t)"
            " from pg_catalog.unnest(%s::text[]) as t)) and c.relacl is not null",
            (list(_LANGGRAPH_TABLES),),
        ).fetchall()
    return {name: acl for name, acl in rows}


def _record_grants(conninfo: str, grants: dict[str, str], roles: Roles) -> None:
    """Record them where 0013's rollback finds them (as the owner role, whose table it is)."""
    with _connect(conninfo) as conn, tg_roles.acting_as(conn, roles, "owner"):
        for name, acl in grants.items():
            conn.execute("update threadguard.langgraph_tables set previous_acl = %s::pg_catalog.aclitem[]"
                         " where table_name operator(pg_catalog.=) %s", (acl, name))


def break_lock(conninfo: str) -> None:
    """Remove yoyo's lock left by a migrate or rollback that was killed."""
    with _backend(conninfo, []) as backend:
        backend.break_lock()


def rollback(conninfo: str, *, all_migrations: bool = False) -> list[str]:
    """Roll back the latest applied migration (or all of them). Returns the ids."""
    roles = install_roles(conninfo)[0]
    with _backend(conninfo, [roles]) as backend, _locked(backend):
        applied = list(backend.to_rollback(_migrations(roles)))
        chosen = applied if all_migrations else applied[:1]
        for migration in chosen:
            try:
                backend.rollback_one(migration)
            except psycopg.Error as exc:
                raise MigrationError(
                    f"rollback of migration {migration.id} failed and changed nothing: {exc}"
                ) from exc
    if "0001_roles" in {m.id for m in chosen}:
        _drop_roles(conninfo, roles)
    return [m.id for m in chosen]


def _drop_roles(conninfo: str, roles: Roles) -> None:
    """After 0001 is rolled back: the roles keep nothing in this database (a privilege an early
    migration granted and no rollback took back would keep them alive), then go, unless
    another database uses them."""
    with _connect(conninfo) as conn, conn.transaction():
        granted = tg_roles.elevate(conn, roles.all)
        for role in roles.all:
            if _one(conn, "select pg_catalog.to_regrole(%s) is not null", (role,))[0]:
                # Anything it still owns becomes the administrator's, never dropped with it.
                conn.execute(sql.SQL("reassign owned by {} to current_user").format(sql.Identifier(role)))
                conn.execute(sql.SQL("drop owned by {}").format(sql.Identifier(role)))
        for role in roles.all:
            if _one(conn, "select pg_catalog.to_regrole(%s) is not null", (role,))[0]:
                try:
                    with conn.transaction():
                        conn.execute(sql.SQL("drop role {}").format(sql.Identifier(role)))
                except psycopg.errors.DependentObjectsStillExist:
                    pass  # used in another database of the cluster: kept, as 0001's rollback keeps it
        tg_roles.lower(conn, granted)


def status(conninfo: str) -> list[MigrationState]:
    """Every known migration, with when it was applied (None: pending). Changes nothing:
    a database yoyo never touched has every migration pending."""
    with _connect(conninfo) as conn:
        rows = []
        for schema in (YOYO_SCHEMA, "public"):  # public: before this version moved yoyo's tables
            if _exists(conn, f"{schema}._yoyo_migration"):
                rows = conn.execute(f"select migration_id, applied_at_utc from {schema}._yoyo_migration").fetchall()
                break
    applied = {migration_id: at for migration_id, at in rows}
    return [MigrationState(m.id, applied.get(m.id)) for m in _migrations()]


_POLICY_RE = re.compile(r"create policy (\w+) on ([\w.]+)", re.IGNORECASE)


def expected_policies() -> set[tuple[str, str]]:
    """(table, policy) pairs that sql/policies defines."""
    found: set[tuple[str, str]] = set()
    for path in sorted((sql_dir() / "policies").glob("*.sql")):
        for name, table in _POLICY_RE.findall(path.read_text(encoding="utf-8")):
            found.add((table, name))
    return found


_DEFINED = re.compile(r"create (?:or replace )?(trigger|function) (?:threadguard\.)?(\w+)", re.IGNORECASE)


def _defined_objects() -> dict[str, set[str]]:
    """The triggers and functions sql/ defines, by name; it defines no rule."""
    found: dict[str, set[str]] = {"trigger": set(), "function": set(), "rule": set()}
    for path in definition_files():
        for kind, name in _DEFINED.findall(path.read_text(encoding="utf-8")):
            found[kind.lower()].add(name)
    return found


# A membership that lends privileges or SET ROLE; not the ADMIN-only one PostgreSQL 16+ gives
# a role's creator (the columns exist from 16 on: read through jsonb so one text fits 14-18).
_USABLE = ("(coalesce((pg_catalog.to_jsonb(m) operator(pg_catalog.->>) 'inherit_option')::boolean, true)"
           " or coalesce((pg_catalog.to_jsonb(m) operator(pg_catalog.->>) 'set_option')::boolean, true))")


def _current_user(conn: Any) -> str:
    return str(_one(conn, "select current_user::text")[0])


def pg_has_owner(conn: Any, roles: Roles) -> bool:
    """Whether the connected role may act as the install's owner role now."""
    return bool(_one(conn, "select pg_catalog.pg_has_role(current_user, %s, 'MEMBER')", (roles.owner,))[0])


class _Named:
    """A connection whose queries name the install's roles (written threadguard_owner, ...)."""

    def __init__(self, conn: psycopg.Connection[Any], roles: Roles) -> None:
        self._conn, self._roles = conn, roles

    def execute(self, query: str, params: Any = None) -> Any:
        return self._conn.execute(self._roles.substitute(query) if isinstance(query, str) else query, params)

    def transaction(self, **kwargs: Any) -> Any:
        return self._conn.transaction(**kwargs)

    def cursor(self, **kwargs: Any) -> Any:
        return self._conn.cursor(**kwargs)


def _one(conn: psycopg.Connection[tuple[Any, ...]], query: str, params: Any = None) -> tuple[Any, ...]:
    row = conn.execute(query, params).fetchone()
    if row is None:
        raise MigrationError(f"expected a row from: {query}")
    return tuple(row)


def verify(conninfo: str, *, data: bool = True) -> list[str]:
    """What the live database lacks of what threadguard requires; empty when all holds.
    data=False skips what needs a scan of a table (the store items nobody owns): what
    migrate asks before deciding whether to apply the definitions."""
    problems: list[str] = []
    pending = [m.id for m in status(conninfo) if m.applied_at is None]
    if pending:
        problems.append(f"migrations not applied: {', '.join(pending)} (run `threadguard migrate`)")
    with _connect(conninfo) as conn:
        roles = tg_roles.installed(conn)
        if roles is None:
            return [*problems, "threadguard is not installed in this database: schema threadguard does not exist (run `threadguard migrate`)"]
        conn = _Named(conn, roles)  # type: ignore[assignment]
        # Everything is read as a member of the owner role (an administrator is one for this
        # rolled-back transaction only): its schema and its tables are not readable otherwise.
        with conn.transaction(force_rollback=True):
            lent: list[str] = []
            try:
                with conn.transaction():
                    lent = tg_roles.elevate(conn, [roles.owner])
            except PermissionError as exc:
                problems.append(f"verify could not read everything it checks: {exc}")
            # What verify itself lent is no finding.
            problems += [p for p in _verify_installed(conn, roles, data)
                         if not (lent and p.startswith(f"{_current_user(conn)} can log in and is a member of {roles.owner},"))]
    return problems


def _verify_installed(conn: Any, roles: Roles, data: bool) -> list[str]:
    problems: list[str] = []
    for table in PROTECTED_TABLES:
        row = conn.execute(
            "select c.relrowsecurity, c.relforcerowsecurity, pg_catalog.pg_get_userbyid(c.relowner)"
            " from pg_catalog.pg_class c where c.oid = pg_catalog.to_regclass(%s)",
            (table,),
        ).fetchone()
        if row is None:
            problems.append(f"{table} does not exist (run `threadguard migrate`)")
            continue
        enabled, forced, owner = row
        if not enabled:
            problems.append(f"row-level security is disabled on {table} (run `threadguard migrate`)")
        if not forced:
            problems.append(f"row-level security is not forced on {table} (run `threadguard migrate`)")
        if owner != roles.owner:
            problems.append(f"{table} is owned by {owner}, not {roles.owner}")
    live = {
        (f"{schema}.{table}", name)
        for schema, table, name in conn.execute(
            "select schemaname, tablename, policyname from pg_catalog.pg_policies"
            " where schemaname in ('threadguard', 'public')"
        ).fetchall()
    }
    if _exists(conn, "threadguard.definitions_applied") and pg_has_owner(conn, roles):
        with conn.transaction():
            conn.execute(sql.SQL("set local role {}").format(sql.Identifier(roles.owner)))
            row = conn.execute("select d.catalog from threadguard.definitions_applied as d").fetchone()
            conn.execute("reset role")
        recorded = row[0] if row else {}
        now = catalog_fingerprint(conn)
        for name in sorted(recorded.keys() - now.keys()):
            problems.append(f"{name} is gone since threadguard migrate applied it (run `threadguard migrate`)")
        for name in sorted(k for k in now.keys() & recorded.keys() if now[k] != recorded[k]):
            problems.append(f"{name} was changed since threadguard migrate applied it (run `threadguard migrate`)")
    for (table,) in conn.execute(
        "select c.oid::pg_catalog.regclass::text from pg_catalog.pg_class as c"
        " where c.relkind in ('r', 'p', 'v', 'm')"
        " and (c.relname operator(pg_catalog.~~) 'checkpoint%%' or c.relname in ('store', 'store_migrations', 'store_vectors', 'vector_migrations'))"
        " and c.relnamespace <> 'pg_catalog'::pg_catalog.regnamespace"
        " and c.oid <> all(array(select pg_catalog.to_regclass(t) from pg_catalog.unnest(%s::text[]) as t"
        " where pg_catalog.to_regclass(t) is not null))",
        ([*PROTECTED_TABLES, *VERSION_TABLES],),
    ).fetchall():
        problems.append(f"{table} looks like a LangGraph table but threadguard does not protect it: any role that can read it "
                        "sees every tenant's rows (drop it, or move its rows into public's tables and adopt them)")
    defined = _defined_objects()
    for kind, name, table in conn.execute(
        "select 'trigger', t.tgname::text, t.tgrelid::pg_catalog.regclass::text from pg_catalog.pg_trigger as t"
        " where not t.tgisinternal and t.tgrelid = any(%(tables)s::pg_catalog.regclass[])"
        " union all select 'rule', r.rulename::text, r.ev_class::pg_catalog.regclass::text from pg_catalog.pg_rewrite as r"
        " where r.ev_class = any(%(tables)s::pg_catalog.regclass[])"
        " union all select 'function', p.proname::text, 'schema threadguard' from pg_catalog.pg_proc as p"
        " where p.pronamespace = 'threadguard'::pg_catalog.regnamespace",
        {"tables": [t for t in PROTECTED_TABLES if _one(conn, "select pg_catalog.to_regclass(%s)", (t,))[0]]},
    ).fetchall():
        if name not in defined[kind]:
            problems.append(f"{kind} {name} on {table} is not threadguard's: it runs with the rows of every tenant (drop it)")
    for obj, problem, fix in check_rows(conn, "foreign_objects_on_langgraph_tables"):
        problems.append(f"{obj}: {problem} (fix: {fix})")
    for table, name in sorted(expected_policies() - live):
        problems.append(f"policy {name} on {table} is missing (run `threadguard migrate`)")
    for table, name in sorted(live - expected_policies()):
        if table in PROTECTED_TABLES:
            problems.append(f"unexpected policy {name} on {table}: threadguard did not create it")
    for (signature,) in conn.execute(
        "select p.oid::regprocedure::text from pg_catalog.pg_proc p"
        " where p.pronamespace = 'threadguard'::regnamespace"
        " and pg_catalog.has_function_privilege('public', p.oid, 'execute')"
    ).fetchall():
        problems.append(f"PUBLIC may execute {signature} (run `threadguard migrate`)")
    for (signature,) in conn.execute(
        "select p.oid::regprocedure::text from pg_catalog.pg_proc p"
        " where p.pronamespace = 'threadguard'::regnamespace and p.prosecdef"
        " and not coalesce(p.proconfig @> array['search_path=pg_catalog, pg_temp'], false)"
    ).fetchall():
        problems.append(f"security definer function {signature} does not pin search_path")
    for role, bad in conn.execute(
        "select rolname, rolsuper or rolbypassrls from pg_catalog.pg_roles"
        " where rolname in ('threadguard_owner', 'threadguard_app', 'threadguard_admin')"
    ).fetchall():
        if bad:
            problems.append(f"role {role} is superuser or has BYPASSRLS: RLS does not bind it")
    if _one(conn, "select pg_catalog.has_database_privilege('public', pg_catalog.current_database(), 'CONNECT')")[0]:
        problems.append("PUBLIC may connect to this database: any login of the cluster reaches it (run `threadguard migrate`)")
    for role, problem in conn.execute(
        "with recursive members(oid) as ("
        " select m.member from pg_catalog.pg_auth_members m where m.roleid = 'threadguard_app'::pg_catalog.regrole and " + _USABLE +
        " union select m.member from pg_catalog.pg_auth_members m join members on m.roleid = members.oid where " + _USABLE + ")"
        " select r.rolname, v.problem from pg_catalog.pg_roles r join members on members.oid = r.oid,"
        " lateral (values"
        "  (case when r.rolsuper then 'is a superuser: RLS does not bind it' end),"
        "  (case when r.rolbypassrls then 'has BYPASSRLS: RLS does not bind it' end),"
        "  (case when pg_catalog.has_database_privilege(r.oid, pg_catalog.current_database(), 'CREATE')"
        "        then 'may create schemas in this database' end),"
        "  (case when pg_catalog.has_database_privilege(r.oid, pg_catalog.current_database(), 'TEMP')"
        "        then 'may create temporary tables, which shadow LangGraph''s tables for later clients of its server session' end),"
        "  ((select 'may create objects in schema ' || pg_catalog.string_agg(n.nspname::text, ', ')"
        "    from pg_catalog.pg_namespace n where pg_catalog.has_schema_privilege(r.oid, n.oid, 'CREATE'))),"
        "  (case when r.oid = (select d.datdba from pg_catalog.pg_database d where d.datname = pg_catalog.current_database())"
        "        then 'owns this database' end),"
        "  (case when r.oid = (select n.nspowner from pg_catalog.pg_namespace n where n.nspname = 'public')"
        "        then 'owns schema public' end)"
        " ) as v(problem) where v.problem is not null order by 1, 2"
    ).fetchall():
        problems.append(f"{role}, a member of {roles.app}, {problem} (revoke it: the application's role creates nothing)")
    for (role,) in conn.execute(
        "with recursive members(oid) as ("
        " select m.member from pg_catalog.pg_auth_members m where m.roleid = 'threadguard_owner'::pg_catalog.regrole and " + _USABLE +
        " union select m.member from pg_catalog.pg_auth_members m join members on m.roleid = members.oid where " + _USABLE + ")"
        " select r.rolname from pg_catalog.pg_roles r join members on members.oid = r.oid where r.rolcanlogin order by 1"
    ).fetchall():
        problems.append(f"{role} can log in and is a member of {roles.owner}, which owns the protected tables and may turn "
                        f"their row-level security off (revoke {roles.owner} from {role})")
    for table, privilege in conn.execute(
        "select t, p from pg_catalog.unnest(%s::text[]) t, pg_catalog.unnest(array['TRUNCATE', 'REFERENCES', 'TRIGGER']) p"
        " where pg_catalog.to_regclass(t) is not null"
        " and pg_catalog.has_table_privilege('threadguard_app', t, p)",
        (list(PROTECTED_TABLES),),
    ).fetchall():
        problems.append(f"{roles.app} has {privilege} on {table}")
    if _one(conn, "select pg_catalog.to_regclass('public.checkpoint_migrations')")[0]:
        (version,) = _one(conn, "select pg_catalog.max(v) from public.checkpoint_migrations")
        if version != LANGGRAPH_SCHEMA_VERSION:
            problems.append(
                f"LangGraph checkpoint schema version is {version}, threadguard knows {LANGGRAPH_SCHEMA_VERSION}"
            )
    else:
        problems.append("public.checkpoint_migrations does not exist (run `threadguard migrate`)")
    if _one(conn, "select pg_catalog.to_regclass('public.store_migrations')")[0]:
        (version,) = _one(conn, "select pg_catalog.max(v) from public.store_migrations")
        if version != STORE_SCHEMA_VERSION:
            problems.append(f"LangGraph store schema version is {version}, threadguard knows {STORE_SCHEMA_VERSION}")
    store, owner_idx = _one(conn, "select pg_catalog.to_regclass('public.store') is not null,"
                                  " pg_catalog.to_regclass('public.store_owner_idx') is not null")
    if store and not owner_idx:
        problems.append("public.store lacks store_owner_idx, without which every get reads its whole namespace and every "
                        "search the whole store (create index store_owner_idx on public.store (prefix collate \"C\"))")
    if data and store:
        # The pattern is tested once per distinct owner part (a regular expression per row
        # costs seconds on a million items), the grouping kept apart from the test.
        (nobodys,) = _one(conn, "with o as materialized (select pg_catalog.left(s.prefix, 74) as owner, pg_catalog.count(*) as n"
                                " from public.store as s group by 1)"
                                " select coalesce(pg_catalog.sum(o.n), 0) from o where not o.owner operator(pg_catalog.~) %s",
                          (STORE_NAMESPACE_PATTERN,))
        if nobodys:
            problems.append(f"{nobodys} item(s) of public.store are outside the namespace convention (tenant_id, user_id or "
                            "'shared', ...): no identity can read them (give them an owner with threadguard.assign_store_items)")
    for table in CHECKPOINT_TABLES:
        (count,) = _one(
            conn,
            "select pg_catalog.count(*) from pg_catalog.pg_attribute where attrelid = pg_catalog.to_regclass(%s)"
            " and attname in ('threadguard_tenant_id', 'threadguard_user_id') and not attisdropped",
            (table,),
        )
        if count != 2:
            problems.append(f"{table} lacks the threadguard owner columns (run `threadguard migrate`)")
        (stats,) = _one(
            conn,
            "select pg_catalog.count(*) from pg_catalog.pg_statistic_ext where stxrelid = pg_catalog.to_regclass(%s)"
            " and stxname = %s",
            (table, f"{table.split('.')[1]}_owner_stats"),
        )
        row = conn.execute(
            "select convalidated, confdeltype from pg_catalog.pg_constraint"
            " where conrelid = pg_catalog.to_regclass(%s) and conname = %s and contype = 'f'"
            " and confrelid = 'threadguard.conversations'::pg_catalog.regclass",
            (table, f"{table.split('.')[1]}_thread_owner_fkey"),
        ).fetchone()
        if row is None:
            problems.append(f"{table} lacks its ownership foreign key to threadguard.conversations (run `threadguard migrate`)")
        elif not row[0] or row[1] != "c":
            problems.append(f"{table}'s ownership foreign key is not validated or not ON DELETE CASCADE (run `threadguard migrate`)")
        if stats != 1:
            problems.append(
                f"{table} lacks its owner dependency statistics, which keep RLS from skewing plans "
                "(run `threadguard migrate`)"
            )
    return problems


@dataclass
class Adoption:
    """What `adopt` did: threads given an owner, rows stamped, threads skipped because
    they already had a conversation, ids that cannot become conversations, and the
    LangGraph threads that still have no owner afterwards."""

    adopted: int = 0
    stamped: int = 0
    already: int = 0
    invalid: list[str] = field(default_factory=list)
    unowned_left: int = 0


def adopt(conninfo: str, owners_sql: str, *, batch_size: int = 500,
          progress: Callable[[Adoption, int], None] | None = None) -> Adoption:
    """Give each thread of `owners_sql` (rows: thread_id, tenant_id, user_id[, title]) its
    conversation and stamp its unowned rows, `batch_size` threads per transaction, through
    threadguard.assign_thread, as the install's admin role. Resumable: threads that already
    have a conversation are skipped; rows that cannot be adopted are listed and skipped.
    Then ANALYZE the three tables (when the connected role may act as their owner)."""
    result = Adoption()
    with _connect(conninfo) as conn, _connect(conninfo) as writer:
        roles = _installed(conn)
        writer.execute("select pg_catalog.set_config('lock_timeout', %s, false)", (DDL_LOCK_TIMEOUT,))
        (total,) = _one(conn, f"select pg_catalog.count(*) from ({owners_sql}) as owners")  # the DBA's own query, run as written
        with conn.transaction(), conn.cursor(name="threadguard_owners") as owners:
            owners.itersize = batch_size
            owners.execute(f"select * from ({owners_sql}) as owners")
            while rows := owners.fetchmany(batch_size):
                _adopt_batch(writer, rows, result, roles)
                if progress:
                    progress(result, total)
        try:
            with conn.transaction():
                granted = tg_roles.elevate(conn, [roles.owner])
                for table in ("checkpoints", "checkpoint_blobs", "checkpoint_writes"):
                    conn.execute(f"analyze public.{table}")
                tg_roles.lower(conn, granted)
        except PermissionError:
            pass  # a login granted only the admin role: autovacuum analyzes the tables later
        with tg_roles.acting_as(conn, roles, "admin"):
            (result.unowned_left,) = _one(conn, "select threadguard.unowned_threads()")
    return result


def _adopt_batch(conn: psycopg.Connection[Any], rows: list[tuple[Any, ...]], result: Adoption, roles: Roles) -> None:
    with tg_roles.acting_as(conn, roles, "admin"):
        for row in rows:
            thread_id, tenant_id, user_id = str(row[0]), row[1], row[2]
            title = row[3] if len(row) > 3 else None
            try:
                with conn.transaction():  # a savepoint: one thread that cannot be adopted stops nothing else
                    (stamped,) = _one(conn, "select threadguard.assign_thread(%s, %s::uuid, %s::uuid, %s)",
                                      (thread_id, tenant_id, user_id, title))
            except psycopg.errors.UniqueViolation:
                result.already += 1
            except (psycopg.errors.InvalidParameterValue, psycopg.errors.InvalidTextRepresentation,
                    psycopg.errors.NullValueNotAllowed):
                result.invalid.append(thread_id)
            else:
                result.adopted += 1
                result.stamped += int(stamped)


@dataclass(frozen=True)
class Left:
    """What an erasure left, by table: all zero once it is complete."""

    conversations: int
    checkpoints: int
    checkpoint_blobs: int
    checkpoint_writes: int
    store_items: int


def erase(conninfo: str, tenant_id: str, user_id: str | None, reason: str, *, batch_size: int = 500,
          progress: Callable[[int, int], None] | None = None) -> Left:
    """Erase one user of a tenant (or the whole tenant) through threadguard.erase, one
    batch of conversations and store items per transaction, then prove it with threadguard.erasure_left.
    Runs as the install's admin role: a login granted it, or the administrator (SET ROLE)."""
    with _connect(conninfo) as conn:
        roles = _installed(conn)
        total = 0
        while True:
            with tg_roles.acting_as(conn, roles, "admin"):
                erased, remaining = _one(conn, "select e.erased, e.remaining from threadguard.erase(%s::uuid, %s::uuid, %s, %s) as e",
                                         (tenant_id, user_id, reason, batch_size))
            total += erased
            if progress:
                progress(total, remaining)
            if erased == 0 or remaining == 0:
                break
        with tg_roles.acting_as(conn, roles, "admin"):
            row = _one(conn, "select * from threadguard.erasure_left(%s::uuid, %s::uuid, %s)", (tenant_id, user_id, reason))
    return Left(*row)


def sweep_store(conninfo: str, *, batch_size: int = 10000, progress: Callable[[int, int], None] | None = None) -> int:
    """Delete every expired store item through threadguard.sweep_store, one batch per
    transaction; returns how many. Runs as the install's admin role (see erase)."""
    total = 0
    with _connect(conninfo) as conn:
        roles = _installed(conn)
        while True:
            with tg_roles.acting_as(conn, roles, "admin"):
                deleted, remaining = _one(conn, "select s.deleted, s.remaining from threadguard.sweep_store(%s) as s", (batch_size,))
            total += int(deleted)
            if progress:
                progress(total, int(remaining))
            if deleted == 0 or remaining == 0:
                return total


@dataclass
class Retention:
    """What apply_retention removed (or would, in a dry run), summed over its batches."""

    scanned: int = 0
    conversations: int = 0
    checkpoints: int = 0
    checkpoint_blobs: int = 0
    checkpoint_writes: int = 0


def retention(conninfo: str, *, batch_size: int = 500, dry_run: bool = False,
              progress: Callable[[Retention], None] | None = None) -> Retention:
    """Apply the retention policies to every conversation, one batch per transaction,
    through threadguard.apply_retention. Runs as the install's admin role (see erase)."""
    total = Retention()
    with _connect(conninfo) as conn:
        roles = _installed(conn)
        after = None
        while True:
            with tg_roles.acting_as(conn, roles, "admin"):
                row = _one(conn, "select * from threadguard.apply_retention(%s, %s::uuid, %s)", (batch_size, after, dry_run))
            after = row[0]
            for name, value in zip(("scanned", "conversations", "checkpoints", "checkpoint_blobs", "checkpoint_writes"), row[1:], strict=True):
                setattr(total, name, getattr(total, name) + value)
            if progress:
                progress(total)
            if after is None:
                return total
