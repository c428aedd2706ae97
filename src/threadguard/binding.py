"""Bind the current identity (tenant, user) to the connections LangGraph's saver uses.

The identity lives in a `contextvars.ContextVar`, set by `acting_as(...)`. It
follows the code that runs inside the block: threads LangGraph starts with a
copied context, asyncio tasks, and LangGraph's background checkpoint writers.

`BoundConnection` / `AsyncBoundConnection` are psycopg connections whose cursors
make the session carry exactly the current identity right before each statement
they send (`set_config('app.tenant_id', ..., false)` with bound parameters). The
connection remembers what it last set, so the round trip is paid only when the
identity changes; inside a transaction or a pipeline the setting is sent along
(queued, in a pipeline) and not trusted afterwards, since a rollback would
undo it. Outside any `acting_as` block the identity is cleared: nothing is
visible and nothing can be written (fail closed).

Pools built by `saver_pool` / `async_saver_pool` use these connections and a
`reset` callback that clears the identity when a connection comes back, so no
idle connection carries a previous borrower's identity (psycopg_pool runs
`reset` in its worker, off the caller's path).
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import psycopg
from psycopg import pq
from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool, ConnectionPool

SET_IDENTITY_SQL = "select set_config('app.tenant_id', %s, false), set_config('app.user_id', %s, false)"

# The settings every LangGraph Postgres saver expects of its connections.
SAVER_CONNECTION_KWARGS: dict[str, Any] = {"autocommit": True, "prepare_threshold": 0, "row_factory": dict_row}


@dataclass(frozen=True, slots=True)
class Identity:
    """Who the current code acts for: one user of one tenant."""

    tenant_id: UUID
    user_id: UUID


_identity: ContextVar[Identity | None] = ContextVar("threadguard_identity", default=None)
_UNKNOWN = object()  # what a connection carries before threadguard set anything on it


def current_identity() -> Identity | None:
    """The identity bound by the innermost `acting_as` block, or None."""
    return _identity.get()


@contextlib.contextmanager
def acting_as(tenant_id: UUID | str, user_id: UUID | str) -> Iterator[Identity]:
    """Everything in this block (sync or async, and LangGraph's background writes)
    runs as this tenant and user. Raises ValueError for ids that are not uuids."""
    identity = Identity(_as_uuid(tenant_id, "tenant_id"), _as_uuid(user_id, "user_id"))
    token = _identity.set(identity)
    try:
        yield identity
    finally:
        _identity.reset(token)


def _as_uuid(value: UUID | str, name: str) -> UUID:
    if isinstance(value, UUID):
        result = value
    else:
        try:
            result = UUID(str(value))
        except ValueError:
            raise ValueError(f"threadguard: {name} must be a uuid, got {value!r}") from None
    if result.int == 0:
        raise ValueError(f"threadguard: {name} must not be the nil uuid")
    return result


def _params(identity: Identity | None) -> tuple[str, str]:
    if identity is None:
        return ("", "")
    return (str(identity.tenant_id), str(identity.user_id))


def _settled(conn: psycopg.BaseConnection[Any]) -> bool:
    """True when a setting sent now commits at once and stays: an autocommit
    connection, idle, outside any pipeline."""
    return (
        conn.autocommit
        and conn.info.transaction_status == pq.TransactionStatus.IDLE
        and conn.pgconn.pipeline_status == pq.PipelineStatus.OFF
    )


class _Bound:
    """What a bound connection knows of the identity its session carries."""

    threadguard_identity: object = _UNKNOWN

    def _identity_to_send(self) -> tuple[bool, Identity | None]:
        want = _identity.get()
        return (self.threadguard_identity is _UNKNOWN or self.threadguard_identity != want), want

    def _identity_sent(self, want: Identity | None, settled: bool) -> None:
        # Inside a transaction or a pipeline a rollback would undo the setting:
        # remember nothing, so that the next statement sends it again.
        self.threadguard_identity = want if settled else _UNKNOWN


# --- errors -----------------------------------------------------------------

_RLS_WRITE = "new row violates row-level security policy for table"
_CHECKPOINT_TABLES = ("checkpoints", "checkpoint_blobs", "checkpoint_writes")


class ThreadNotOwnedError(psycopg.errors.InsufficientPrivilege):
    """LangGraph tried to write to a thread the current identity does not own
    (no conversation, someone else's, deleted, or no identity bound). SQLSTATE 42501."""


def _translate(exc: psycopg.errors.InsufficientPrivilege) -> psycopg.Error:
    message = exc.diag.message_primary or str(exc)
    if not message.startswith(_RLS_WRITE) or not any(f'"{t}"' in message for t in _CHECKPOINT_TABLES):
        return exc
    identity = _identity.get()
    who = (
        f"tenant {identity.tenant_id}, user {identity.user_id}"
        if identity
        else "no identity (the code ran outside threadguard.acting_as)"
    )
    return ThreadNotOwnedError(
        f"threadguard: refused a LangGraph write ({message}): the thread is not a conversation of {who}. "
        "Create the conversation first (threadguard.create_conversation(conn, thread_id=...)), use its id "
        "as the thread_id, and run the graph inside threadguard.acting_as(tenant_id, user_id)."
    )


@contextlib.contextmanager
def _clear_errors() -> Iterator[None]:
    try:
        yield
    except psycopg.errors.InsufficientPrivilege as exc:
        translated = _translate(exc)
        if translated is exc:
            raise
        raise translated from exc


# --- sync -------------------------------------------------------------------


class BoundCursor(psycopg.Cursor[Any]):
    """A cursor that binds the current identity before every statement it sends."""

    def execute(self, query: Any, params: Any = None, **kwargs: Any) -> BoundCursor:
        _ensure(self.connection)
        with _clear_errors():
            return super().execute(query, params, **kwargs)

    def executemany(self, query: Any, params_seq: Any, **kwargs: Any) -> None:
        _ensure(self.connection)
        with _clear_errors():
            super().executemany(query, params_seq, **kwargs)

    def stream(self, query: Any, params: Any = None, **kwargs: Any) -> Iterator[Any]:
        _ensure(self.connection)
        return super().stream(query, params, **kwargs)


class BoundConnection(_Bound, psycopg.Connection[Any]):
    """A psycopg connection that always runs statements as the current identity."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.cursor_factory = BoundCursor

    @contextlib.contextmanager
    def pipeline(self) -> Iterator[psycopg.Pipeline]:
        # A pipeline reports a refused write when it syncs, after the statement.
        with _clear_errors(), super().pipeline() as pipe:
            yield pipe


def _ensure(conn: Any) -> None:
    if not isinstance(conn, BoundConnection):
        return
    send, want = conn._identity_to_send()
    if send:
        settled = _settled(conn)
        with psycopg.Cursor(conn) as cur:
            cur.execute(SET_IDENTITY_SQL, _params(want))
        conn._identity_sent(want, settled)


def clear_identity(conn: psycopg.Connection[Any]) -> None:
    """Pool `reset` callback: the connection goes back to the pool carrying no identity."""
    if isinstance(conn, BoundConnection) and conn.threadguard_identity is None:
        return
    with psycopg.Cursor(conn) as cur:
        cur.execute(SET_IDENTITY_SQL, _params(None))
    if isinstance(conn, BoundConnection):
        conn._identity_sent(None, _settled(conn))


def connect(conninfo: str = "", **kwargs: Any) -> BoundConnection:
    """One bound connection, set up as LangGraph's saver expects (autocommit, dict rows)."""
    return BoundConnection.connect(conninfo, **{**SAVER_CONNECTION_KWARGS, **kwargs})


def saver_pool(conninfo: str = "", *, min_size: int = 1, max_size: int | None = None, **kwargs: Any) -> ConnectionPool:
    """A pool for `PostgresSaver(pool)`: bound connections, cleared when returned.
    Extra keyword arguments go to `ConnectionPool` (open it, or use it as a context manager)."""
    connection_kwargs = {**SAVER_CONNECTION_KWARGS, **kwargs.pop("kwargs", {})}
    return ConnectionPool(
        conninfo,
        min_size=min_size,
        max_size=max_size,
        connection_class=BoundConnection,
        kwargs=connection_kwargs,
        reset=clear_identity,
        open=kwargs.pop("open", False),
        **kwargs,
    )


# --- async ------------------------------------------------------------------


class AsyncBoundCursor(psycopg.AsyncCursor[Any]):
    """An async cursor that binds the current identity before every statement it sends."""

    async def execute(self, query: Any, params: Any = None, **kwargs: Any) -> AsyncBoundCursor:
        await _aensure(self.connection)
        with _clear_errors():
            return await super().execute(query, params, **kwargs)

    async def executemany(self, query: Any, params_seq: Any, **kwargs: Any) -> None:
        await _aensure(self.connection)
        with _clear_errors():
            await super().executemany(query, params_seq, **kwargs)

    async def stream(self, query: Any, params: Any = None, **kwargs: Any) -> AsyncIterator[Any]:
        await _aensure(self.connection)
        async for row in super().stream(query, params, **kwargs):
            yield row


class AsyncBoundConnection(_Bound, psycopg.AsyncConnection[Any]):
    """An async psycopg connection that always runs statements as the current identity."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.cursor_factory = AsyncBoundCursor

    @contextlib.asynccontextmanager
    async def pipeline(self) -> AsyncIterator[psycopg.AsyncPipeline]:
        with _clear_errors():
            async with super().pipeline() as pipe:
                yield pipe


async def _aensure(conn: Any) -> None:
    if not isinstance(conn, AsyncBoundConnection):
        return
    send, want = conn._identity_to_send()
    if send:
        settled = _settled(conn)
        async with psycopg.AsyncCursor(conn) as cur:
            await cur.execute(SET_IDENTITY_SQL, _params(want))
        conn._identity_sent(want, settled)


async def aclear_identity(conn: psycopg.AsyncConnection[Any]) -> None:
    """Async pool `reset` callback: the connection goes back carrying no identity."""
    if isinstance(conn, AsyncBoundConnection) and conn.threadguard_identity is None:
        return
    async with psycopg.AsyncCursor(conn) as cur:
        await cur.execute(SET_IDENTITY_SQL, _params(None))
    if isinstance(conn, AsyncBoundConnection):
        conn._identity_sent(None, _settled(conn))


async def aconnect(conninfo: str = "", **kwargs: Any) -> AsyncBoundConnection:
    """One bound async connection, set up as LangGraph's saver expects."""
    return await AsyncBoundConnection.connect(conninfo, **{**SAVER_CONNECTION_KWARGS, **kwargs})


def async_saver_pool(
    conninfo: str = "", *, min_size: int = 1, max_size: int | None = None, **kwargs: Any
) -> AsyncConnectionPool:
    """A pool for `AsyncPostgresSaver(pool)`: bound connections, cleared when returned."""
    connection_kwargs = {**SAVER_CONNECTION_KWARGS, **kwargs.pop("kwargs", {})}
    return AsyncConnectionPool(
        conninfo,
        min_size=min_size,
        max_size=max_size,
        connection_class=AsyncBoundConnection,
        kwargs=connection_kwargs,
        reset=aclear_identity,
        open=kwargs.pop("open", False),
        **kwargs,
    )
