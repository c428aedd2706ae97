"""Thin wrappers over threadguard's SQL API: one SQL call each, bound parameters,
typed rows. The caller passes the connection; the identity is whatever the
connection carries (a BoundConnection inside `acting_as`, or the app's own
`set_config`). Without one, PostgreSQL raises 42501 (psycopg InsufficientPrivilege).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

import psycopg
from psycopg.rows import class_row
from psycopg.types.json import Jsonb

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
    # The application's own labels (set_conversation_metadata); empty on an install before migration 0020.
    metadata: dict[str, Any] = field(default_factory=dict)


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


@dataclass(frozen=True, slots=True)
class ConversationMatch:
    """A row of search_conversations: a conversation, its labels and activity (no checkpoint)."""

    thread_id: UUID
    title: str | None
    metadata: dict[str, Any]
    created_at: datetime
    updated_at: datetime


_CREATE = "select * from threadguard.create_conversation(%s::text, %s::uuid)"
_LIST = "select * from threadguard.list_conversations(%s::integer, %s::timestamptz, %s::uuid)"
_GET = "select * from threadguard.get_conversation(%s::uuid)"
_DELETE = "select threadguard.delete_conversation(%s::uuid) as deleted"
_RENAME = "select threadguard.rename_conversation(%s::uuid, %s::text) as renamed"
_DELETE_NAMESPACE = "select threadguard.delete_namespace(%s::uuid, %s::text) as deleted"
_COPY = "select threadguard.copy_conversation(%s::uuid, %s::uuid, %s::text) as copied"
_DELETE_RUNS = "select threadguard.delete_runs(%s::text[]) as deleted"
_SET_METADATA = "select threadguard.set_conversation_metadata(%s::uuid, %s::jsonb) as set"
_SEARCH = "select * from threadguard.search_conversations(%s::text, %s::jsonb, %s::integer, %s::timestamptz, %s::uuid)"


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


def copy_conversation(
    conn: psycopg.Connection[Any], thread_id: UUID | str, new_thread_id: UUID | str | None = None, title: str | None = None
) -> UUID | None:
    """Copy one of the caller's conversations, every checkpoint, blob and pending write, into a new
    conversation of theirs (`new_thread_id`, default a fresh one); its id, or None when the source is
    absent or someone else's. A taken `new_thread_id` raises psycopg.errors.UniqueViolation."""
    with conn.cursor() as cur:
        row = cur.execute(_COPY, (_thread(thread_id), _thread(new_thread_id), title)).fetchone()
    return _first(row)  # type: ignore[no-any-return]


def delete_runs(conn: psycopg.Connection[Any], run_ids: list[str]) -> int:
    """Delete the checkpoints these runs wrote in the caller's conversations; how many went."""
    with conn.cursor() as cur:
        row = cur.execute(_DELETE_RUNS, ([str(r) for r in run_ids],)).fetchone()
    return int(_first(row))


def set_conversation_metadata(conn: psycopg.Connection[Any], thread_id: UUID | str, metadata: dict[str, Any]) -> bool:
    """Replace the labels (a JSON object, at most 8 kB) of one of the caller's conversations; False
    when absent or someone else's."""
    with conn.cursor() as cur:
        row = cur.execute(_SET_METADATA, (_thread(thread_id), Jsonb(metadata))).fetchone()
    return bool(_first(row))


def search_conversations(
    conn: psycopg.Connection[Any],
    title_contains: str | None = None,
    metadata: dict[str, Any] | None = None,
    limit: int = 50,
    before: ConversationMatch | None = None,
) -> list[ConversationMatch]:
    """The caller's conversations whose title contains `title_contains` (any case) and whose labels
    contain `metadata`, newest activity first; pass the last row of a page as `before` for the next."""
    with conn.cursor(row_factory=class_row(ConversationMatch)) as cur:
        return cur.execute(_SEARCH, _search_params(title_contains, metadata, limit, before)).fetchall()


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


async def acopy_conversation(
    conn: psycopg.AsyncConnection[Any], thread_id: UUID | str, new_thread_id: UUID | str | None = None, title: str | None = None
) -> UUID | None:
    async with conn.cursor() as cur:
        row = await (await cur.execute(_COPY, (_thread(thread_id), _thread(new_thread_id), title))).fetchone()
    return _first(row)  # type: ignore[no-any-return]


async def adelete_runs(conn: psycopg.AsyncConnection[Any], run_ids: list[str]) -> int:
    async with conn.cursor() as cur:
        row = await (await cur.execute(_DELETE_RUNS, ([str(r) for r in run_ids],))).fetchone()
    return int(_first(row))


async def aset_conversation_metadata(conn: psycopg.AsyncConnection[Any], thread_id: UUID | str, metadata: dict[str, Any]) -> bool:
    async with conn.cursor() as cur:
        row = await (await cur.execute(_SET_METADATA, (_thread(thread_id), Jsonb(metadata)))).fetchone()
    return bool(_first(row))


async def asearch_conversations(
    conn: psycopg.AsyncConnection[Any],
    title_contains: str | None = None,
    metadata: dict[str, Any] | None = None,
    limit: int = 50,
    before: ConversationMatch | None = None,
) -> list[ConversationMatch]:
    async with conn.cursor(row_factory=class_row(ConversationMatch)) as cur:
        return await (await cur.execute(_SEARCH, _search_params(title_contains, metadata, limit, before))).fetchall()


def _search_params(title_contains: str | None, metadata: dict[str, Any] | None, limit: int,
                   before: ConversationMatch | None) -> tuple[Any, ...]:
    cursor = (before.updated_at, before.thread_id) if before else (None, None)
    return (title_contains, None if metadata is None else Jsonb(metadata), limit, *cursor)


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
