"""Namespaces of LangGraph's store under threadguard.

The protected store (`PostgresStore` / `AsyncPostgresStore` on a bound connection or
pool) gives each item to the namespace it is in: `(tenant_id, user_id, label, ...)` is
that user's, `(tenant_id, "shared", label, ...)` is shared by every user of the tenant,
and anything else is nobody's (no identity reads or writes it). Ids are written as
`str(uuid.UUID(...))` writes them. Two users can never meet on a key: their namespaces
differ. These helpers build the namespaces for the identity bound by `acting_as`.
"""

from __future__ import annotations

from threadguard.binding import Identity, current_identity

SHARED = "shared"


def _bound() -> Identity:
    identity = current_identity()
    if identity is None:
        raise LookupError("threadguard: no identity is bound: build store namespaces inside threadguard.acting_as(tenant_id, user_id)")
    return identity


def _labels(labels: tuple[str, ...]) -> tuple[str, ...]:
    if not labels:
        raise ValueError("threadguard: a store namespace needs at least one label after the owner, e.g. user_namespace(\"memories\")")
    return labels


def user_namespace(*labels: str) -> tuple[str, ...]:
    """The current user's own namespace: (tenant_id, user_id, *labels)."""
    identity = _bound()
    return (str(identity.tenant_id), str(identity.user_id), *_labels(labels))


def tenant_namespace(*labels: str) -> tuple[str, ...]:
    """The current tenant's shared namespace, which every user of the tenant reads and
    writes: (tenant_id, "shared", *labels)."""
    return (str(_bound().tenant_id), SHARED, *_labels(labels))
