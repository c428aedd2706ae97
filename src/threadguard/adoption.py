"""`threadguard adopt`: after migrate has taken an existing LangGraph database over, its threads have
no owner; adopt gives each one its owner from the application's own records, in batches, as the
install's admin role. Also what migrate and verify say about it (how many threads await owners)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import psycopg

from threadguard import roles as tg_roles
from threadguard.roles import Roles
from threadguard.runner import DDL_LOCK_TIMEOUT, MigrationError
from threadguard.session import connect, exists, one


def adoption_preview(conninfo: str) -> int | None:
    """How many LangGraph threads a migrate would adopt (LangGraph's tables exist, threadguard has not
    taken them yet), or None when there is nothing to adopt or the tables cannot be read."""
    with connect(conninfo) as conn:
        if not exists(conn, "public.checkpoints") or tg_roles.installed(conn) is not None and exists(
                conn, "threadguard.langgraph_tables"):
            return None
        try:
            with conn.transaction():
                return int(one(conn, "select pg_catalog.count(distinct c.thread_id) from public.checkpoints as c")[0])
        except psycopg.Error:
            return None


def unowned_threads(conninfo: str) -> int:
    """How many LangGraph threads have rows nobody owns (threadguard.unowned_threads, as the admin role)."""
    with connect(conninfo) as conn:
        roles = tg_roles.required(conn)
        with tg_roles.acting_as(conn, roles, "admin"):
            return int(one(conn, "select threadguard.unowned_threads()")[0])


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
    with connect(conninfo) as conn, connect(conninfo) as writer:
        roles = tg_roles.required(conn)
        writer.execute("select pg_catalog.set_config('lock_timeout', %s, false)", (DDL_LOCK_TIMEOUT,))
        (total,) = one(conn, f"select pg_catalog.count(*) from ({owners_sql}) as owners")  # the DBA's own query, run as written
        with conn.transaction(), conn.cursor(name="threadguard_owners") as owners:
            owners.itersize = batch_size
            owners.execute(f"select * from ({owners_sql}) as owners")
            if owners.description is None or not 3 <= len(owners.description) <= 4:
                got = 0 if owners.description is None else len(owners.description)
                raise MigrationError(f"the --owners query returns {got} column(s); it must return thread_id, tenant_id, "
                                     "user_id and, optionally, title, in that order")
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
            (result.unowned_left,) = one(conn, "select threadguard.unowned_threads()")
    return result


def _adopt_batch(conn: psycopg.Connection[Any], rows: list[tuple[Any, ...]], result: Adoption, roles: Roles) -> None:
    with tg_roles.acting_as(conn, roles, "admin"):
        for row in rows:
            thread_id, tenant_id, user_id = str(row[0]), row[1], row[2]
            title = row[3] if len(row) > 3 else None
            try:
                with conn.transaction():  # a savepoint: one thread that cannot be adopted stops nothing else
                    (stamped,) = one(conn, "select threadguard.assign_thread(%s, %s::uuid, %s::uuid, %s)",
                                      (thread_id, tenant_id, user_id, title))
            except psycopg.errors.UniqueViolation:
                result.already += 1
            except (psycopg.errors.InvalidParameterValue, psycopg.errors.InvalidTextRepresentation,
                    psycopg.errors.NullValueNotAllowed):
                result.invalid.append(thread_id)
            else:
                result.adopted += 1
                result.stamped += int(stamped)
