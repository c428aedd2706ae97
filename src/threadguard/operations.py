"""The operator commands (run by the install's admin role, each audited by the SQL function it calls):
erase a user or tenant with proof, sweep the store's expired items, apply retention, and count
rows per table and tenant (the restore proof). One batch per transaction, with progress."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from uuid import UUID

from threadguard import roles as tg_roles
from threadguard.session import connect, one


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
    with connect(conninfo) as conn:
        roles = tg_roles.required(conn)
        total = 0
        while True:
            with tg_roles.acting_as(conn, roles, "admin"):
                erased, remaining = one(conn, "select e.erased, e.remaining from threadguard.erase(%s::uuid, %s::uuid, %s, %s) as e",
                                         (tenant_id, user_id, reason, batch_size))
            total += erased
            if progress:
                progress(total, remaining)
            if erased == 0 or remaining == 0:
                break
        with tg_roles.acting_as(conn, roles, "admin"):
            row = one(conn, "select * from threadguard.erasure_left(%s::uuid, %s::uuid, %s)", (tenant_id, user_id, reason))
    return Left(*row)


def sweep_store(conninfo: str, *, batch_size: int = 10000, progress: Callable[[int, int], None] | None = None) -> int:
    """Delete every expired store item through threadguard.sweep_store, one batch per
    transaction; returns how many. Runs as the install's admin role (see erase)."""
    total = 0
    with connect(conninfo) as conn:
        roles = tg_roles.required(conn)
        while True:
            with tg_roles.acting_as(conn, roles, "admin"):
                deleted, remaining = one(conn, "select s.deleted, s.remaining from threadguard.sweep_store(%s) as s", (batch_size,))
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
    with connect(conninfo) as conn:
        roles = tg_roles.required(conn)
        after, reported = None, -1
        while True:
            with tg_roles.acting_as(conn, roles, "admin"):
                row = one(conn, "select * from threadguard.apply_retention(%s, %s::uuid, %s)", (batch_size, after, dry_run))
            after = row[0]
            for name, value in zip(("scanned", "conversations", "checkpoints", "checkpoint_blobs", "checkpoint_writes"), row[1:], strict=True):
                setattr(total, name, getattr(total, name) + value)
            if progress and total.scanned != reported:  # the batch that finds the end scans nothing new: no repeated line
                progress(total)
                reported = total.scanned
            if after is None:
                return total


_COUNTS = "select c.table_name, c.tenant_id, c.row_count from threadguard.row_counts(%s) as c"


def row_counts(conninfo: str, reason: str) -> list[tuple[str, UUID | None, int]]:
    """(table, tenant or None for rows nobody owns yet, rows), sorted."""
    with connect(conninfo) as conn:
        roles = tg_roles.required(conn)
        with tg_roles.acting_as(conn, roles, "admin"):
            return [(str(t), tenant, int(n)) for t, tenant, n in conn.execute(_COUNTS, (reason,)).fetchall()]


def lines(counts: list[tuple[str, UUID | None, int]]) -> list[str]:
    """The lines `threadguard row-counts` prints: table, tenant ('-' for nobody), rows."""
    return [f"{table}\t{tenant or '-'}\t{n}" for table, tenant, n in counts]
