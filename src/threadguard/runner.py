"""The migration runner over yoyo's Python API: migrate, rollback, status, break-lock, and the
checks migrate makes before it adopts LangGraph's tables (adoption itself: threadguard.adoption;
the operator commands: threadguard.operations; the DBA's sessions: threadguard.session).

`migrate` applies pending migrations (append-only, in migrations/) and then the idempotent
definitions in sql/ (functions first, then policies) in one transaction as the install's owner
role, all under yoyo's lock, naming the database's own roles (threadguard.roles). It runs as the
database's administrator, superuser or not: the roles are lent to it inside each transaction only.
verify's rules are in sql/checks/ (threadguard.checks). Connections use libpq conninfo (a
DATABASE_URL or the PG* variables), not yoyo's own URL parser.
"""

from __future__ import annotations

import functools
import hashlib
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql
from yoyo import read_migrations
from yoyo.backends.core.postgresql import PostgresqlPsycopgBackend
from yoyo.connections import parse_uri
from yoyo.exceptions import LockTimeout

from threadguard import roles as tg_roles
from threadguard.paths import migrations_dir, sql_dir
from threadguard.roles import Roles
from threadguard.session import connect, exists, one

LOCK_TIMEOUT_SECONDS = 600
# Every DDL statement waits at most this long for a table lock, so that a migrate
# never queues LangGraph's traffic behind a long transaction; a migration that
# gives up is rolled back whole and tried again, LOCK_ATTEMPTS times in all.
DDL_LOCK_TIMEOUT = "5s"
LOCK_ATTEMPTS = 5


@dataclass(frozen=True)
class Locks:
    """How long each DDL statement waits for a table lock (`lock_timeout`), and how many times a
    migration that gave up is tried again: `threadguard migrate --lock-timeout/--lock-attempts`."""

    timeout: str = DDL_LOCK_TIMEOUT
    attempts: int = LOCK_ATTEMPTS


class Migrated(list[str]):
    """What migrate did, decided under its lock: the migrations it applied (the list) and whether
    it (re-)applied the sql/ definitions. A migrate that waited for another finds both done."""

    definitions: bool = False
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
    lock_timeout = DDL_LOCK_TIMEOUT
    roles: list[Roles] = []
    _granted: list[str] = []
    _lent: list[tuple[str, str]] = []

    def connect(self, dburi):  # type: ignore[no-untyped-def]
        conn = psycopg.connect(self.conninfo, autocommit=True)
        conn.execute("select pg_catalog.set_config('lock_timeout', %s, false),"
                     " pg_catalog.set_config('search_path', %s, false)", (self.lock_timeout, f"{YOYO_SCHEMA}, pg_temp"))
        return conn

    def begin(self) -> None:
        super().begin()
        self._granted, self._lent = [], []
        self.lend()

    def lend(self) -> None:
        """Lend what this transaction does not hold yet (roles a migration of it just created)."""
        names = list(dict.fromkeys(name for roles in self.roles for name in roles.all))
        self._granted += tg_roles.elevate(self.connection, names)
        # The owner role takes LangGraph's tables over and the operator role its functions.
        self._lent += tg_roles.lend_create(self.connection, [("public", roles.owner) for roles in self.roles]
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


def _prepare_yoyo_schema(conn: psycopg.Connection[Any]) -> None:
    """yoyo's schema, owned by the migrating role, PUBLIC kept out; yoyo's tables of an
    installation made before it moved out of public."""
    with conn.transaction():
        # Two migrate runs at once: one creates, the other waits and finds it (yoyo's own lock needs the schema).
        # Any login may take an advisory lock: wait a bounded time, then name who holds it.
        conn.execute("select pg_catalog.set_config('lock_timeout', %s, true)", (MIGRATE_LOCK_WAIT,))
        try:
            conn.execute("select pg_catalog.pg_advisory_xact_lock(%s, pg_catalog.hashtext(%s))", (_LOCK_SPACE, YOYO_SCHEMA))
        except psycopg.errors.LockNotAvailable:
            raise _LockHeld from None  # rolls this transaction back; _backend names the holder
        conn.execute(f"create schema if not exists {YOYO_SCHEMA}")
        conn.execute(f"revoke all on schema {YOYO_SCHEMA} from public")
        for table in _YOYO_TABLES:
            if exists(conn, f"public.{table}") and not exists(conn, f"{YOYO_SCHEMA}.{table}"):
                conn.execute(f"alter table public.{table} set schema {YOYO_SCHEMA}")


class _LockHeld(Exception):
    """Raised inside _prepare_yoyo_schema's transaction to roll it back; named outside it."""


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
def _backend(conn: psycopg.Connection[Any], conninfo: str, roles: list[Roles], locks: Locks = Locks()) -> Iterator[_Backend]:
    try:
        _prepare_yoyo_schema(conn)
    except _LockHeld:
        raise MigrationError(f"another session has held threadguard's migration lock for more than {MIGRATE_LOCK_WAIT}: "
                             f"{_lock_holder(conn)}; wait for it, or end it (select pg_terminate_backend(pid)) "
                             "if it is not a threadguard migrate") from None
    cls = type("Backend", (_Backend,), {"conninfo": conninfo, "roles": roles, "lock_timeout": locks.timeout})
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


def _definitions_current_on(conn: psycopg.Connection[Any], roles: Roles) -> bool:
    """Whether the database carries exactly these definitions, intact: the recorded
    digest matches and verify finds nothing that `threadguard migrate` would fix."""
    if not exists(conn, "threadguard.definitions_applied"):
        return False
    with conn.transaction(force_rollback=True):
        tg_roles.elevate(conn, [roles.owner])
        conn.execute(sql.SQL("set local role {}").format(sql.Identifier(roles.owner)))
        row = conn.execute("select d.sha256 from threadguard.definitions_applied as d").fetchone()
    if row is None or row[0] != definitions_digest():
        return False
    from threadguard.checks import inspect_on  # the rules import this module

    # A line instead of findings (not installed, migrations pending) is no proof either.
    return not any(isinstance(f, str) or f.repairable for f in inspect_on(conn, states(conn), data=False))


def _nothing_to_do(conn: psycopg.Connection[Any], role_prefix: str | None) -> bool:
    """Whether migrate has nothing to do, read without any lock: every migration applied and the
    definitions current and intact (else migrate takes its lock and looks again)."""
    roles = tg_roles.installed(conn)
    if roles is None or role_prefix not in (None, roles.prefix):
        return False
    if any(state.applied_at is None for state in states(conn)):
        return False
    return _definitions_current_on(conn, roles)


def apply_definitions(conninfo: str, roles: Roles | None = None, locks: Locks = Locks()) -> None:
    """Apply every file in sql/ in one transaction, as the install's owner role (`roles`, by
    default those installed), and record their digest (when 0012 is applied)."""
    with connect(conninfo) as conn:
        _apply_definitions_on(conn, roles or _install_roles_on(conn)[1], locks)


def _apply_definitions_on(conn: psycopg.Connection[Any], roles: Roles, locks: Locks) -> None:
    with conn.transaction():
        conn.execute("select pg_catalog.set_config('lock_timeout', %s, true)", (locks.timeout,))
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
        if exists(conn, "threadguard.definitions_applied"):
            conn.execute("delete from threadguard.definitions_applied")
            conn.execute("insert into threadguard.definitions_applied (sha256, catalog)"
                         " select %s, threadguard.catalog_fingerprint()", (definitions_digest(),))
        conn.execute("reset role")
        tg_roles.take_back_create(conn, lent)
        tg_roles.lower(conn, granted)


ROLES_MIGRATION = "0018_database_roles"


def install_roles(conninfo: str, prefix: str | None = None) -> tuple[Roles, Roles]:
    """(the roles the applied migrations name, the roles the install ends with): the same
    but for an install made with the cluster's shared threadguard_* roles, which
    0018_database_roles moves to this database's own."""
    with connect(conninfo) as conn:
        return _install_roles_on(conn, prefix)


def _install_roles_on(conn: psycopg.Connection[Any], prefix: str | None = None) -> tuple[Roles, Roles]:
    applied = {m.id for m in states(conn) if m.applied_at is not None}
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


def installed_roles(conninfo: str) -> Roles | None:
    """The roles of the install in this database, or None."""
    with connect(conninfo) as conn:
        return tg_roles.installed(conn)


def _database(conn: psycopg.Connection[Any]) -> str:
    return str(one(conn, "select pg_catalog.current_database()")[0])


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
    with connect(conninfo) as conn:
        pending = [m.id for m in states(conn) if m.applied_at is None]
        return Plan(pending, bool(pending) or not _definitions_current_on(conn, _install_roles_on(conn)[0]))


def _with_lock_retries(step: Callable[[], None], what: str, locks: Locks) -> None:
    """Run one transactional step; when it gives up waiting for a lock (it changed
    nothing then), wait a little and run it again, locks.attempts times in all."""
    for attempt in range(1, locks.attempts + 1):
        try:
            step()
            return
        except (psycopg.errors.LockNotAvailable, MigrationError) as exc:
            cause = exc if isinstance(exc, psycopg.errors.LockNotAvailable) else exc.__cause__
            if not isinstance(cause, psycopg.errors.LockNotAvailable):
                raise
            if attempt == locks.attempts:
                raise MigrationError(
                    f"{what} could not take its locks within {locks.timeout}, {locks.attempts} times, and changed "
                    f"nothing: a long transaction holds them ({cause.diag.message_primary}). Find it in pg_stat_activity, "
                    "then run `threadguard migrate` again."
                ) from cause
            time.sleep(attempt)


def migrate(conninfo: str, *, target: str | None = None, role_prefix: str | None = None, locks: Locks = Locks()) -> Migrated:
    """Apply pending migrations (up to and including `target`), then, once every
    migration is applied, the definitions. Returns the ids applied, and whether the definitions
    were applied (both decided under the lock). A new install names its roles
    <role_prefix>_owner, ... (default: tg_<database>). With nothing to do it reads, on one
    connection, and takes no lock."""
    with connect(conninfo) as conn:
        if target is None and _nothing_to_do(conn, role_prefix):
            return Migrated()
        return _migrate_on(conn, conninfo, target, role_prefix, locks)


def _migrate_on(conn: psycopg.Connection[Any], conninfo: str, target: str | None, role_prefix: str | None,
                locks: Locks) -> Migrated:
    """migrate's work: its own reads and the definitions on `conn`; yoyo's on its connections."""
    current, final = _install_roles_on(conn, role_prefix)
    with _backend(conn, conninfo, [current, final], locks) as backend, _locked(backend):
        by_id = {m.id: m for m in _migrations(final)}
        # Every migration names the roles it was applied with: those before 0018 the install's
        # roles of then, 0018 and later those the install ends with.
        pending = [by_id[m.id] if m.id >= ROLES_MIGRATION else m for m in backend.to_apply(_migrations(current))]
        if target is not None:
            ids = [m.id for m in pending]
            if target not in ids:
                raise MigrationError(f"{target} is not a pending migration (pending: {', '.join(ids) or 'none'})")
            pending = pending[: ids.index(target) + 1]
            at_head = len(pending) == len(ids)
        else:
            at_head = True
        if {"0003_langgraph_tables", "0017_store"} & {m.id for m in pending}:
            _refuse_foreign_objects(conn)
        if "0011_app_creates_nothing" in {m.id for m in pending}:
            _refuse_app_members(conn, current)
        grants = _grants_before_adoption(conn) if "0003_langgraph_tables" in {m.id for m in pending} else {}
        for group in _units(conn, pending):
            what = f"migration {group[0].id}" if len(group) == 1 else f"migrations {group[0].id} to {group[-1].id}"
            try:
                _with_lock_retries(functools.partial(_apply_together, backend, group), what, locks)
            except psycopg.Error as exc:
                diag = exc.diag
                hint = f"\nHINT: {diag.message_hint}" if diag.message_hint else ""
                raise MigrationError(f"{what} failed and was rolled back: {diag.message_primary or exc}{hint}") from exc
        if grants and "0013_previous_grants" in {m.id for m in pending}:
            _record_grants(conn, grants, final)
        done = Migrated(m.id for m in pending)
        if at_head and (pending or not _definitions_current_on(conn, final)):
            _with_lock_retries(lambda: _apply_definitions_on(conn, final, locks), "the sql/ definitions", locks)
            done.definitions = True
        return done


_LANGGRAPH_TABLES = ("checkpoint_migrations", "checkpoints", "checkpoint_blobs", "checkpoint_writes")

def _units(conn: psycopg.Connection[Any], pending: list[Any]) -> list[list[Any]]:
    """The pending migrations in the transactions they apply in. A fresh install with nothing to
    adopt commits as one transaction: no other session ever sees a state in between (0003 lets
    the app role create in public until 0011, and on PostgreSQL 14 PUBLIC may until 0018). An
    adoption goes one migration at a time, so that locks on LangGraph's live tables stay short
    (and _refuse_app_members keeps the app role memberless meanwhile)."""
    fresh = bool(pending) and pending[0].id == "0001_roles"
    adopting = any(exists(conn, f"public.{t}") for t in (*_LANGGRAPH_TABLES, "store", "store_migrations"))
    if fresh and not adopting:
        return [pending]
    return [[m] for m in pending]


def _apply_together(backend: _Backend, migrations: list[Any]) -> None:
    """Apply and record `migrations` in one transaction (yoyo applies each in its own)."""
    if len(migrations) == 1:
        backend.apply_one(migrations[0])
        return
    with backend.copy() as unit:
        unit.begin()
        try:
            for migration in migrations:
                migration.process_steps(unit, "apply")  # its steps run in savepoints of this transaction
                unit.execute("reset role")  # each starts, as in a transaction of its own, as the administrator
                unit.lend()  # the roles 0001 just created, say
                unit.log_migration(migration, "apply")
                unit.mark_one(migration, log=False)
        except BaseException:
            unit.rollback()
            raise
        unit.commit()


def _refuse_app_members(conn: psycopg.Connection[Any], roles: Roles) -> None:
    """Migrations 0003 to 0010 let the app role create in schema public (LangGraph's setup() needed
    it once; 0011 takes it back). A fresh install commits them together, and an adopting one runs
    them before its app role can have a member; refuse to run them while it has one."""
    members = [str(r[0]) for r in conn.execute(
        "select m.member::pg_catalog.regrole::text from pg_catalog.pg_auth_members as m"
        " where m.roleid operator(pg_catalog.=) pg_catalog.to_regrole(%s) order by 1", (roles.app,)).fetchall()]
    if members:
        raise MigrationError(f"{roles.app} has members ({', '.join(members)}) while migrations up to 0011_app_creates_nothing are "
                             f"pending, which let {roles.app} create in schema public until 0011: revoke {roles.app} from them, "
                             "run `threadguard migrate`, then grant it again")


def _refuse_foreign_objects(conn: psycopg.Connection[Any]) -> None:
    """Before LangGraph's tables are taken over, nothing anyone else attached to them may remain:
    it would run with the rights of the migration and of every later writer."""
    from threadguard.checks import findings  # the rules import this module

    rows = findings(conn, tg_roles.installed(conn) or Roles("threadguard"), rules=["foreign_objects_on_langgraph_tables"])
    if rows:
        listed = "\n".join(f"  {f.object}: {f.problem}\n    fix: {f.fix};" for f in rows)
        raise MigrationError(
            f"LangGraph's tables carry {len(rows)} object(s) that neither LangGraph nor threadguard made, and threadguard "
            f"takes the tables over only clean (they would run with the rights of this migration and of every writer):\n{listed}\n"
            "Nothing was changed. Run the fixes as the tables' owner (after checking what each one did), then "
            "`threadguard migrate` again.")


def _grants_before_adoption(conn: psycopg.Connection[Any]) -> dict[str, str]:
    """The grants (relacl, as text) of LangGraph's tables that exist before 0003 adopts them."""
    rows = conn.execute(
        "select c.relname::text, c.relacl::text from pg_catalog.pg_class as c"
        " where c.oid operator(pg_catalog.=) any(array(select pg_catalog.to_regclass('public.' operator(pg_catalog.||) t)"
        " from pg_catalog.unnest(%s::text[]) as t)) and c.relacl is not null",
        (list(_LANGGRAPH_TABLES),),
    ).fetchall()
    return {name: acl for name, acl in rows}


def _record_grants(conn: psycopg.Connection[Any], grants: dict[str, str], roles: Roles) -> None:
    """Record them where 0013's rollback finds them (as the owner role, whose table it is)."""
    with tg_roles.acting_as(conn, roles, "owner"):
        for name, acl in grants.items():
            conn.execute("update threadguard.langgraph_tables set previous_acl = %s::pg_catalog.aclitem[]"
                         " where table_name operator(pg_catalog.=) %s", (acl, name))


def break_lock(conninfo: str) -> None:
    """Remove yoyo's lock left by a migrate or rollback that was killed."""
    with connect(conninfo) as conn, _backend(conn, conninfo, []) as backend:
        backend.break_lock()


def rollback(conninfo: str, *, all_migrations: bool = False) -> list[str]:
    """Roll back the latest applied migration (or all of them). Returns the ids."""
    with connect(conninfo) as conn:
        roles = _install_roles_on(conn)[0]
        chosen = _rollback_on(conn, conninfo, roles, all_migrations)
        if "0001_roles" in {m.id for m in chosen}:
            _drop_roles(conn, roles)
    return [m.id for m in chosen]


def _rollback_on(conn: psycopg.Connection[Any], conninfo: str, roles: Roles, all_migrations: bool) -> list[Any]:
    with _backend(conn, conninfo, [roles]) as backend, _locked(backend):
        applied = list(backend.to_rollback(_migrations(roles)))
        chosen = applied if all_migrations else applied[:1]
        for migration in chosen:
            try:
                backend.rollback_one(migration)
            except psycopg.Error as exc:
                raise MigrationError(
                    f"rollback of migration {migration.id} failed and changed nothing: {exc}"
                ) from exc
    return chosen


def _drop_roles(conn: psycopg.Connection[Any], roles: Roles) -> None:
    """After 0001 is rolled back: the roles keep nothing in this database (a privilege an early
    migration granted and no rollback took back would keep them alive), then go, unless
    another database uses them."""
    with conn.transaction():
        granted = tg_roles.elevate(conn, roles.all)
        for role in roles.all:
            if one(conn, "select pg_catalog.to_regrole(%s) is not null", (role,))[0]:
                # Anything it still owns becomes the administrator's, never dropped with it.
                conn.execute(sql.SQL("reassign owned by {} to current_user").format(sql.Identifier(role)))
                conn.execute(sql.SQL("drop owned by {}").format(sql.Identifier(role)))
        for role in roles.all:
            if one(conn, "select pg_catalog.to_regrole(%s) is not null", (role,))[0]:
                try:
                    with conn.transaction():
                        conn.execute(sql.SQL("drop role {}").format(sql.Identifier(role)))
                except psycopg.errors.DependentObjectsStillExist:
                    pass  # used in another database of the cluster: kept, as 0001's rollback keeps it
        tg_roles.lower(conn, granted)


def status(conninfo: str) -> list[MigrationState]:
    """Every known migration, with when it was applied (None: pending). Changes nothing:
    a database yoyo never touched has every migration pending."""
    with connect(conninfo) as conn:
        return states(conn)


def states(conn: psycopg.Connection[Any]) -> list[MigrationState]:
    """status() on an open DBA connection."""
    rows: list[Any] = []
    for schema in (YOYO_SCHEMA, "public"):  # public: before this version moved yoyo's tables
        if exists(conn, f"{schema}._yoyo_migration"):
            rows = conn.execute(f"select migration_id, applied_at_utc from {schema}._yoyo_migration").fetchall()
            break
    applied = {migration_id: at for migration_id, at in rows}
    return [MigrationState(m.id, applied.get(m.id)) for m in _migrations()]


def refuse_pending(conn: psycopg.Connection[Any]) -> None:
    """MigrationError naming the pending migrations, for commands that need the current schema."""
    pending = [s.id for s in states(conn) if s.applied_at is None]
    if pending:
        raise MigrationError(f"migrations are pending ({', '.join(pending)}): run `threadguard migrate` first")


def verify(conninfo: str, *, data: bool = True) -> list[str]:
    """threadguard.checks.verify: the rules of sql/checks/, one line per problem."""
    from threadguard.checks import verify as run  # the rules import this module

    return run(conninfo, data=data)
