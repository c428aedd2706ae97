"""The optional partitioned layout: `threadguard partition --partitions N` rebuilds LangGraph's three
checkpoint tables hash-partitioned by thread_id (threadguard.partition_checkpoint_tables, as the
install's owner role), then applies sql/ in the same transaction, so the parents get their grants,
policies and forced RLS back before anyone sees them. One transaction, every row kept; the tables
are locked (lock_timeout first) for as long as the copy takes (docs/scale.md)."""

from __future__ import annotations

from collections.abc import Callable

import psycopg
from psycopg import sql

from threadguard import roles as tg_roles
from threadguard import runner
from threadguard.runner import Locks
from threadguard.session import connect


def partition(conninfo: str, partitions: int, *, locks: Locks | None = None,
              progress: Callable[[str], None] | None = None) -> None:
    """Partition the checkpoint tables in `partitions` hash partitions (nothing to do when they are)."""
    locks = locks or Locks()
    with connect(conninfo) as conn:
        roles = tg_roles.required(conn)
        runner.refuse_pending(conn)
        if progress is not None:
            conn.add_notice_handler(lambda notice: progress((notice.message_primary or "").removeprefix("threadguard: "))
                                    if (notice.message_primary or "").startswith("threadguard: ") else None)
        with conn.transaction():
            conn.execute("select pg_catalog.set_config('lock_timeout', %s, true)", (locks.timeout,))
            granted = tg_roles.elevate(conn, [roles.owner])
            # The owner role creates the new tables in public, which no role of the install may do otherwise.
            lent = tg_roles.lend_create(conn, [("public", roles.owner)], as_role=True)
            conn.execute(sql.SQL("set local role {}").format(sql.Identifier(roles.owner)))
            # LIKE copies the tables' defaults, checks and indexes, and the copy runs them as the owner role:
            # as for adoption, nothing anyone else attached to the tables may be there (checked under the lock).
            conn.execute("lock table public.checkpoints, public.checkpoint_blobs, public.checkpoint_writes in access exclusive mode")
            runner._refuse_foreign_objects(conn)
            try:
                conn.execute("call threadguard.partition_checkpoint_tables(%s)", (partitions,))
            except psycopg.errors.UndefinedFunction:
                raise runner.MigrationError("this install predates the partitioned layout: run `threadguard migrate` first") from None
            conn.execute("analyze public.checkpoints, public.checkpoint_blobs, public.checkpoint_writes")
            conn.execute("reset role")
            tg_roles.take_back_create(conn, lent)
            tg_roles.lower(conn, granted)
            runner._apply_definitions_on(conn, roles, locks)  # the parents' grants, policies and RLS, same transaction
