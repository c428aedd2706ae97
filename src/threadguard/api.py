"""Thin wrappers over threadguard's SQL API: one SQL call each, bound parameters,
typed rows. The caller passes the connection; the identity is whatever the
connection carries (a BoundConnection inside `acting_as`, or the app's own
`set_config`). Without one, PostgreSQL raises 42501 (psycopg InsufficientPrivilege).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

import psycopg
from psycopg.rows import class_row

from threadguard.binding import canonical_thread_id


@dataclass(frozen=True, slots=True)
class Conversation:
    """A row of threadguard.conversations."""

    id: UUID
    tenant_id: UUID
    user_id: UUID
    title: str | None
    created_at: datetime
    updated_at: datetime
    thread_id: str  # the id as LangGraph's `configurable.thread_id` (canonical text)


@dataclass(frozen=True, slots=True)
class ConversationSummary:
    """A row of list_conversations: a conversation and its latest root checkpoint."""

    thread_id: UUID
    title: str | None
    created_at: datetime
    updated_at: datetime
    checkpoint_id: str | None
    metadata: dict[str, Any] | None


@dataclass(frozen=True, slots=True)
class ConversationDetail(ConversationSummary):
    """The row of get_conversation: a summary plus the latest root checkpoint itself."""

    checkpoint: dict[str, Any] | None


_CREATE = "select * from threadguard.create_conversation(%s::text, %s::uuid)"
_LIST = "select * from threadguard.list_conversations(%s::integer, %s::timestamptz, %s::uuid)"
_GET = "select * from threadguard.get_conversation(%s::uuid)"
_DELETE = "select threadguard.delete_conversation(%s::uuid) as deleted"
_RENAME = "select threadguard.rename_conversation(%s::uuid, %s::text) as renamed"
_DELETE_NAMESPACE = "select threadguard.delete_namespace(%s::uuid, %s::text) as deleted"


def _thread(thread_id: UUID | str | None) -> UUID | str | None:
    """A thread id as the SQL API takes it: a string must be the canonical spelling LangGraph
    stores, like every entry point (threadguard.binding.canonical_thread_id)."""
    if isinstance(thread_id, str):
        canonical_thread_id(thread_id)
    return thread_id


def create_conversation(
    conn: psycopg.Connection[Any], title: str | None = None, thread_id: UUID | str | None = None
) -> Conversation:
    with conn.cursor(row_factory=class_row(Conversation)) as cur:
        row = cur.execute(_CREATE, (title, _thread(thread_id))).fetchone()
    _require_row(row)
    return row  # type: ignore[return-value]


def list_conversations(
    conn: psycopg.Connection[Any],
    limit: int = 50,
    before: ConversationSummary | None = None,
) -> list[ConversationSummary]:
    """One page, newest activity first; pass the last row of a page as `before` for the next."""
    cursor = (before.updated_at, before.thread_id) if before else (None, None)
    with conn.cursor(row_factory=class_row(ConversationSummary)) as cur:
        return cur.execute(_LIST, (limit, *cursor)).fetchall()


def get_conversation(conn: psycopg.Connection[Any], thread_id: UUID | str) -> ConversationDetail | None:
    """None when the conversation does not exist or is someone else's (indistinguishable)."""
    with conn.cursor(row_factory=class_row(ConversationDetail)) as cur:
        return cur.execute(_GET, (_thread(thread_id),)).fetchone()


def delete_conversation(conn: psycopg.Connection[Any], thread_id: UUID | str) -> bool:
    """True when deleted with all its checkpoints; False when absent or someone else's."""
    with conn.cursor() as cur:
        row = cur.execute(_DELETE, (_thread(thread_id),)).fetchone()
    return bool(_first(row))


def rename_conversation(conn: psycopg.Connection[Any], thread_id: UUID | str, title: str | None) -> bool:
    """True when renamed; False when absent or someone else's."""
    with conn.cursor() as cur:
        row = cur.execute(_RENAME, (_thread(thread_id), title)).fetchone()
    return bool(_first(row))


def delete_namespace(conn: psycopg.Connection[Any], thread_id: UUID | str, checkpoint_ns: str) -> int | None:
    """Delete one subgraph namespace (and those nested under it) of one of the caller's
    conversations; how many rows went, None when the conversation is absent or someone else's."""
    with conn.cursor() as cur:
        row = cur.execute(_DELETE_NAMESPACE, (_thread(thread_id), checkpoint_ns)).fetchone()
    return _first(row)  # type: ignore[no-any-return]


async def acreate_conversation(
    conn: psycopg.AsyncConnection[Any], title: str | None = None, thread_id: UUID | str | None = None
) -> Conversation:
    async with conn.cursor(row_factory=class_row(Conversation)) as cur:
        row = await (await cur.execute(_CREATE, (title, _thread(thread_id)))).fetchone()
    _require_row(row)
    return row  # type: ignore[return-value]


async def alist_conversations(
    conn: psycopg.AsyncConnection[Any],
    limit: int = 50,
    before: ConversationSummary | None = None,
) -> list[ConversationSummary]:
    cursor = (before.updated_at, before.thread_id) if before else (None, None)
    async with conn.cursor(row_factory=class_row(ConversationSummary)) as cur:
        return await (await cur.execute(_LIST, (limit, *cursor))).fetchall()


async def aget_conversation(conn: psycopg.AsyncConnection[Any], thread_id: UUID | str) -> ConversationDetail | None:
    async with conn.cursor(row_factory=class_row(ConversationDetail)) as cur:
        return await (await cur.execute(_GET, (_thread(thread_id),))).fetchone()


async def adelete_conversation(conn: psycopg.AsyncConnection[Any], thread_id: UUID | str) -> bool:
    async with conn.cursor() as cur:
        row = await (await cur.execute(_DELETE, (_thread(thread_id),))).fetchone()
    return bool(_first(row))


async def arename_conversation(conn: psycopg.AsyncConnection[Any], thread_id: UUID | str, title: str | None) -> bool:
    async with conn.cursor() as cur:
        row = await (await cur.execute(_RENAME, (_thread(thread_id), title))).fetchone()
    return bool(_first(row))


async def adelete_namespace(conn: psycopg.AsyncConnection[Any], thread_id: UUID | str, checkpoint_ns: str) -> int | None:
    async with conn.cursor() as cur:
        row = await (await cur.execute(_DELETE_NAMESPACE, (_thread(thread_id), checkpoint_ns))).fetchone()
    return _first(row)  # type: ignore[no-any-return]


def _require_row(row: object) -> None:
    """create_conversation always returns its row; anything else is a broken install."""
    if row is None:
        raise RuntimeError("threadguard.create_conversation returned no row: run `threadguard verify`")


def _first(row: Any) -> Any:
    if row is None:
        return None
    if isinstance(row, dict):
        return next(iter(row.values()))
    return row[0]
