"""Namespaces of LangGraph's store under threadguard.

The protected store (`PostgresStore` / `AsyncPostgresStore` on a bound connection or
pool) gives each item to the namespace it is in: `(tenant_id, user_id, label, ...)` is
that user's, `(tenant_id, "shared", label, ...)` is shared by every user of the tenant,
and anything else is nobody's (no identity reads or writes it). Ids are written as
`str(uuid.UUID(...))` writes them. Two users can never meet on a key: their namespaces
differ. These helpers build the namespaces for the identity bound by `acting_as`.

In async code, wrap the store with `async_store(pool)`: AsyncPostgresStore's own
aget/aput/... run in a background task shared by every caller, which no caller's
identity reaches.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from langgraph.store.base import BaseStore, Op, Result, TTLConfig
from langgraph.store.postgres.aio import AsyncPostgresStore

from threadguard.binding import Identity, VectorSearchUnsupportedError, current_identity

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


class AsyncStore(BaseStore):
    """An AsyncPostgresStore whose every operation runs in the caller's own task, as the
    identity `acting_as` bound there: its `abatch` (LangGraph's own statements and
    connection handling, unchanged) called directly. AsyncPostgresStore's aget/aput/...
    go through a background task shared by every caller instead, where no caller's
    identity reaches (threadguard refuses those with SharedBatcherError)."""

    supports_ttl = True

    def __init__(self, store: AsyncPostgresStore) -> None:
        if store.index_config:
            raise VectorSearchUnsupportedError(
                "threadguard: the protected store has no vector search: create the AsyncPostgresStore without index=..."
            )
        self.store = store
        self.ttl_config = store.ttl_config

    async def abatch(self, ops: Iterable[Op]) -> list[Result]:
        return await self.store.abatch(ops)

    def batch(self, ops: Iterable[Op]) -> list[Result]:
        raise TypeError("threadguard.AsyncStore is asynchronous: use aget/aput/asearch/... (or a PostgresStore in sync code)")


def async_store(conn: Any, *, ttl: TTLConfig | None = None) -> AsyncStore:
    """LangGraph's AsyncPostgresStore on a bound async connection or pool
    (threadguard.aconnect / threadguard.async_saver_pool), each operation run as the
    caller's identity. Call it with an event loop running (in a lifespan, say)."""
    return AsyncStore(AsyncPostgresStore(conn, ttl=ttl))
