"""`threadguard row-counts`: rows per protected table and tenant, every tenant's (threadguard.row_counts,
audited), one tab-separated line each, so that the output taken before a dump and after its restore
(or a copy) can be compared with `diff`: a restore that lost rows, e.g. a dump taken by a role without
BYPASSRLS, shows up as lines that differ. Runs as the install's admin role."""

from __future__ import annotations

from uuid import UUID

from threadguard.roles import acting_as, required
from threadguard.runner import _connect

_COUNTS = "select c.table_name, c.tenant_id, c.row_count from threadguard.row_counts(%s) as c"


def row_counts(conninfo: str, reason: str) -> list[tuple[str, UUID | None, int]]:
    """(table, tenant or None for rows nobody owns yet, rows), sorted."""
    with _connect(conninfo) as conn:
        roles = required(conn)
        with acting_as(conn, roles, "admin"):
            return [(str(t), tenant, int(n)) for t, tenant, n in conn.execute(_COUNTS, (reason,)).fetchall()]


def lines(counts: list[tuple[str, UUID | None, int]]) -> list[str]:
    """The lines `threadguard row-counts` prints: table, tenant ('-' for nobody), rows."""
    return [f"{table}\t{tenant or '-'}\t{n}" for table, tenant, n in counts]
