"""Bind the current identity (tenant, user) to the connections LangGraph's saver uses.

The identity lives in a `contextvars.ContextVar`, set by `acting_as(...)`. It
follows the code that runs inside the block: threads LangGraph starts with a
copied context, asyncio tasks, and LangGraph's background checkpoint writers.

`BoundConnection` / `AsyncBoundConnection` are psycopg connections whose cursors
make the session carry exactly the current identity before each statement they
send (`set_config('app.tenant_id', ..., false)` with bound parameters; the same
value goes to `threadguard.bound_tenant_id`, which lets the database skip its
character checks for a value this module formatted). The
connection remembers what it last set, so nothing is sent while the identity
stays the same. When it must be sent, it never costs a round trip of its own:
on an idle autocommit connection it goes out in one pipeline with the statement
(one implicit transaction, so it is remembered only if that commits); inside
the saver's pipelines it is queued with the writes. It is sent alone only
before COPY or stream (which cannot be pipelined) and inside an explicit
transaction; there it is not trusted afterwards, since a rollback would undo it. Outside any `acting_as` block the
identity is cleared: nothing is visible and nothing can be written (fail closed).

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

# Each value also goes to threadguard.bound_*: set_config returns what it set, and
# equal strings tell threadguard.current_tenant_id()/current_user_id() the value
# is a uuid this module formatted, which spares them their character checks.
SET_IDENTITY_SQL = (
    "select set_config('threadguard.bound_tenant_id', set_config('app.tenant_id', %s, false), false),"
    " set_config('threadguard.bound_user_id', set_config('app.user_id', %s, false), false)"
)

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


# How the identity travels with a statement (see _plan).
_NOTHING, _WITH_STATEMENT, _QUEUED, _SEPARATE = "nothing", "with statement", "queued", "separate"


class _Bound:
    """What a bound connection knows of the identity its session carries."""

    threadguard_identity: object = _UNKNOWN
    _threadguard_pipelines = 0
    _threadguard_queued: object = _UNKNOWN

    def _plan(self) -> tuple[str, Identity | None]:
        """Whether, and how, the current identity must go out before the next statement:
        nothing when the session already carries it; inside a pipeline, queued with the
        statements already there; on an idle autocommit connection, in one pipeline with
        the statement (one round trip for both); in an open transaction, on its own."""
        want = _identity.get()
        carried = self.threadguard_identity
        if self._threadguard_pipelines and self._threadguard_queued is not _UNKNOWN:
            carried = self._threadguard_queued  # what this pipeline set last, not what was committed
        if carried is not _UNKNOWN and carried == want:
            return _NOTHING, want
        if self._threadguard_pipelines:
            return _QUEUED, want
        if _settled(self):  # type: ignore[arg-type]
            return _WITH_STATEMENT, want
        return _SEPARATE, want

    def _sent(self, mode: str, want: Identity | None) -> None:
        if mode == _QUEUED:
            self._threadguard_queued = want
        elif mode == _SEPARATE:
            # Inside a transaction a rollback would undo it: trust it no further.
            self.threadguard_identity = want if _settled(self) else _UNKNOWN  # type: ignore[arg-type]

    def _pipeline_entered(self) -> None:
        self._threadguard_pipelines += 1

    def _pipeline_left(self, ok: bool) -> None:
        self._threadguard_pipelines -= 1
        if self._threadguard_pipelines:
            return
        queued, self._threadguard_queued = self._threadguard_queued, _UNKNOWN
        if not ok:
            self.threadguard_identity = _UNKNOWN
        elif queued is not _UNKNOWN:
            self.threadguard_identity = queued if _settled(self) else _UNKNOWN  # type: ignore[arg-type]


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
        with _statement(self.connection):
            return super().execute(query, params, **kwargs)

    def executemany(self, query: Any, params_seq: Any, **kwargs: Any) -> None:
        with _statement(self.connection):
            super().executemany(query, params_seq, **kwargs)

    def stream(self, query: Any, params: Any = None, **kwargs: Any) -> Iterator[Any]:
        _ensure_alone(self.connection)  # streaming cannot run in a pipeline
        return super().stream(query, params, **kwargs)

    @contextlib.contextmanager
    def copy(self, statement: Any, params: Any = None, **kwargs: Any) -> Iterator[psycopg.Copy]:
        _ensure_alone(self.connection)  # COPY cannot run in a pipeline
        with super().copy(statement, params, **kwargs) as copy:
            yield copy


class BoundConnection(_Bound, psycopg.Connection[Any]):
    """A psycopg connection that always runs statements as the current identity."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.cursor_factory = BoundCursor

    @contextlib.contextmanager
    def pipeline(self) -> Iterator[psycopg.Pipeline]:
        # A pipeline reports a refused write when it syncs, after the statement.
        self._pipeline_entered()
        ok = False
        try:
            with _clear_errors(), super().pipeline() as pipe:
                yield pipe
            ok = True
        finally:
            self._pipeline_left(ok)


def _send(conn: psycopg.Connection[Any], want: Identity | None) -> None:
    with psycopg.Cursor(conn) as cur:
        cur.execute(SET_IDENTITY_SQL, _params(want))


@contextlib.contextmanager
def _statement(conn: Any) -> Iterator[None]:
    """Run the statement in the block as the current identity."""
    if not isinstance(conn, BoundConnection):
        with _clear_errors():
            yield
        return
    mode, want = conn._plan()
    if mode == _WITH_STATEMENT:
        # set_config and the statement in one round trip and one implicit
        # transaction: the setting is kept only if the pipeline commits.
        with conn.pipeline():
            _send(conn, want)
            conn._sent(_QUEUED, want)
            yield
        return
    if mode != _NOTHING:
        _send(conn, want)
        conn._sent(mode, want)
    with _clear_errors():
        yield


def _ensure_alone(conn: Any) -> None:
    if isinstance(conn, BoundConnection):
        mode, want = conn._plan()
        if mode != _NOTHING:
            _send(conn, want)
            conn._sent(_QUEUED if mode == _QUEUED else _SEPARATE, want)


def clear_identity(conn: psycopg.Connection[Any]) -> None:
    """Pool `reset` callback: the connection goes back to the pool carrying no identity."""
    if isinstance(conn, BoundConnection) and conn.threadguard_identity is None:
        return
    _send(conn, None)
    if isinstance(conn, BoundConnection):
        conn._sent(_SEPARATE, None)


def connect(conninfo: str = "", **kwargs: Any) -> BoundConnection:
    """One bound connection, set up as LangGraph's saver expects (autocommit, dict rows)."""
    return BoundConnection.connect(conninfo, **{**SAVER_CONNECTION_KWARGS, **kwargs})


def saver_pool(conninfo: str = "", *, min_size: int = 1, max_size: int | None = None, **kwargs: Any) -> ConnectionPool[Any]:
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
        async with _astatement(self.connection):
            return await super().execute(query, params, **kwargs)

    async def executemany(self, query: Any, params_seq: Any, **kwargs: Any) -> None:
        async with _astatement(self.connection):
            await super().executemany(query, params_seq, **kwargs)

    async def stream(self, query: Any, params: Any = None, **kwargs: Any) -> AsyncIterator[Any]:
        await _aensure_alone(self.connection)
        async for row in super().stream(query, params, **kwargs):
            yield row

    @contextlib.asynccontextmanager
    async def copy(self, statement: Any, params: Any = None, **kwargs: Any) -> AsyncIterator[psycopg.AsyncCopy]:
        await _aensure_alone(self.connection)
        async with super().copy(statement, params, **kwargs) as copy:
            yield copy


class AsyncBoundConnection(_Bound, psycopg.AsyncConnection[Any]):
    """An async psycopg connection that always runs statements as the current identity."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.cursor_factory = AsyncBoundCursor

    @contextlib.asynccontextmanager
    async def pipeline(self) -> AsyncIterator[psycopg.AsyncPipeline]:
        self._pipeline_entered()
        ok = False
        try:
            with _clear_errors():
                async with super().pipeline() as pipe:
                    yield pipe
            ok = True
        finally:
            self._pipeline_left(ok)


async def _asend(conn: psycopg.AsyncConnection[Any], want: Identity | None) -> None:
    async with psycopg.AsyncCursor(conn) as cur:
        await cur.execute(SET_IDENTITY_SQL, _params(want))


@contextlib.asynccontextmanager
async def _astatement(conn: Any) -> AsyncIterator[None]:
    if not isinstance(conn, AsyncBoundConnection):
        with _clear_errors():
            yield
        return
    mode, want = conn._plan()
    if mode == _WITH_STATEMENT:
        async with conn.pipeline():
            await _asend(conn, want)
            conn._sent(_QUEUED, want)
            yield
        return
    if mode != _NOTHING:
        await _asend(conn, want)
        conn._sent(mode, want)
    with _clear_errors():
        yield


async def _aensure_alone(conn: Any) -> None:
    if isinstance(conn, AsyncBoundConnection):
        mode, want = conn._plan()
        if mode != _NOTHING:
            await _asend(conn, want)
            conn._sent(_QUEUED if mode == _QUEUED else _SEPARATE, want)


async def aclear_identity(conn: psycopg.AsyncConnection[Any]) -> None:
    """Async pool `reset` callback: the connection goes back carrying no identity."""
    if isinstance(conn, AsyncBoundConnection) and conn.threadguard_identity is None:
        return
    await _asend(conn, None)
    if isinstance(conn, AsyncBoundConnection):
        conn._sent(_SEPARATE, None)


async def aconnect(conninfo: str = "", **kwargs: Any) -> AsyncBoundConnection:
    """One bound async connection, set up as LangGraph's saver expects."""
    return await AsyncBoundConnection.connect(conninfo, **{**SAVER_CONNECTION_KWARGS, **kwargs})


def async_saver_pool(
    conninfo: str = "", *, min_size: int = 1, max_size: int | None = None, **kwargs: Any
) -> AsyncConnectionPool[Any]:
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
