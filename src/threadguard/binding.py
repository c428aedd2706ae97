"""Carry the current identity (threadguard.identity) into every transaction LangGraph's saver runs.

`BoundConnection` / `AsyncBoundConnection` are psycopg connections whose cursors
put `select set_config('app.tenant_id', %s, true), set_config('app.user_id', %s, true)` (and an
empty `app.token`) in front of every statement they send, in the same round trip and the same
transaction. A statement outside any pipeline goes out with it and one Sync in a single flush of
libpq's own pipeline mode, entered for that exchange (adapters.execute_with_identity_gen: an
autocommit statement and its identity are one implicit transaction, answered in one wait).
Inside a psycopg pipeline it is queued once per Sync group (the saver's put and
delete_thread are several statements and one implicit transaction), and again
after any Sync or transaction-control statement.
The settings are transaction-local: they end with the transaction, so a server
session handed to someone else (a pool, a transaction-mode pooler such as
PgBouncer) carries nothing, and nothing is remembered on the client. Outside
any `acting_as` block the identity sent is empty: nothing is visible and
nothing can be written (fail closed). Statements that only control the
transaction (BEGIN, SET TRANSACTION, COMMIT, ...) go out as they are, so that
`SET TRANSACTION ISOLATION LEVEL` stays the first statement of its transaction.
Named cursors are declared inside a transaction, just after the identity. No statement is
ever prepared under a name (see SAVER_CONNECTION_KWARGS), so a neighbour behind a pooler
has none to replace. PostgreSQL's refusals are raised as threadguard's errors
(threadguard.errors); what this module reads in LangGraph's and psycopg's code is in
threadguard.adapters, with the releases it was checked against.
"""

from __future__ import annotations

import contextlib
import functools
import re
from collections.abc import AsyncIterator, Iterator
from typing import Any, cast

import psycopg
from psycopg import pq, sql
from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool, ConnectionPool

from threadguard.adapters import (
    IdentityStatement,
    _check_thread_param,
    _in_shared_batcher,
    _SyncGroup,
    _without_setup_ddl,
    canonical_thread_id,
    enqueue_identity,
    execute_with_identity_gen,
)
from threadguard.errors import (
    NamespaceNotOwnedError,
    SetupBelongsToMigrateError,
    SharedBatcherError,
    ThreadNotOwnedError,
    VectorSearchUnsupportedError,
    _raise_refusal,
    _refusals,
    is_refused_write,
)
from threadguard.identity import Identity, _identity_params, _identity_wire, acting_as, current_identity
from threadguard.upstream import require_supported

__all__ = [  # what the binding's users import from here
    "Identity", "NamespaceNotOwnedError", "SetupBelongsToMigrateError", "SharedBatcherError", "ThreadNotOwnedError",
    "VectorSearchUnsupportedError", "acting_as", "canonical_thread_id", "current_identity", "is_refused_write",
    "BoundConnection", "AsyncBoundConnection", "SetLocalBoundConnection", "AsyncSetLocalBoundConnection",
    "BoundCursor", "AsyncBoundCursor", "BoundServerCursor", "AsyncBoundServerCursor",
    "connect", "aconnect", "saver_pool", "async_saver_pool", "SAVER_CONNECTION_KWARGS", "SET_IDENTITY_SQL", "PRESENT_TOKEN_SQL",
]

# It also empties app.token: a token some earlier client left in the server session (a session-level SET)
# must not speak for this transaction in a sealed database.
SET_IDENTITY_SQL = ("select pg_catalog.set_config('app.tenant_id', %s, true), pg_catalog.set_config('app.user_id', %s, true),"
                    " pg_catalog.set_config('app.token', '', true)")
# A sealed identity's: the token, which the database checks and takes the ids from (docs/sealed.md).
PRESENT_TOKEN_SQL = "select threadguard.present_token(%s)"
# The same statements as the binding sends them itself (adapters.enqueue_identity, execute_with_identity_gen).
# The ids' statement may be prepared where psycopg keeps plans (the login may act for anyone anyway); the
# token's never is: a sealed database is defended against the login, and a prepared name is one a pooled
# neighbour could re-PREPARE, so the statement that opens rows goes out as text every time.
_SET_IDENTITY = IdentityStatement(SET_IDENTITY_SQL.replace("%s", "$1", 1).replace("%s", "$2", 1).encode(), (25, 25))
_PRESENT_TOKEN = IdentityStatement(PRESENT_TOKEN_SQL.replace("%s", "$1").encode(), (25,), keep=False)


def _identity_statement(wire: tuple[bytes, ...]) -> IdentityStatement:
    return _PRESENT_TOKEN if len(wire) == 1 else _SET_IDENTITY

# The settings every LangGraph Postgres saver expects of its connections, but one: no named
# prepared statement, ever (prepare_threshold=None). Behind a transaction-mode pooler a named
# statement lives in a server session other clients share, and a neighbour can DEALLOCATE and
# re-PREPARE it under the same name: the next execute would run the neighbour's SQL. Pass
# prepare_threshold=0 only on a connection known to be direct, or through a pooler that keeps
# each client's prepared statements apart (PgBouncer 1.21+ with max_prepared_statements).
SAVER_CONNECTION_KWARGS: dict[str, Any] = {"autocommit": True, "prepare_threshold": None, "row_factory": dict_row}

# Statements that carry no identity: they only open, end or shape a transaction.
_TRANSACTION_CONTROL = re.compile(
    r"\s*(begin|start\s+transaction|commit|end|rollback|abort|savepoint|release|prepare\s+transaction"
    r"|set\s+transaction|set\s+session\s+characteristics)\b",
    re.IGNORECASE,
)


def _carries_identity(query: Any, conn: psycopg.BaseConnection[Any]) -> bool:
    if isinstance(query, str):
        return _text_carries_identity(query)
    if isinstance(query, sql.Composable):
        return _text_carries_identity(query.as_string(conn))
    if isinstance(query, bytes):
        return _text_carries_identity(query.decode(errors="replace"))
    return True


@functools.lru_cache(maxsize=1024)  # LangGraph's statements are a handful of constant strings
def _text_carries_identity(query: str) -> bool:
    return not _TRANSACTION_CONTROL.match(query)


def _in_pipeline(conn: psycopg.BaseConnection[Any]) -> bool:
    if conn.pgconn.pipeline_status == pq.PipelineStatus.OFF:
        return False
    if conn._pipeline is None:  # libpq's pipeline mode, but no psycopg Pipeline: an exchange cut short
        raise psycopg.OperationalError(
            "threadguard: this connection was left in the middle of an exchange (its server lost or its wait "
            "interrupted) and cannot carry an identity any more: close it (a pool discards it)")
    return True


# --- sync -------------------------------------------------------------------


def _set_local(conn: psycopg.BaseConnection[Any], params: tuple[str, ...]) -> list[sql.Composable]:
    """The identity as two SET LOCAL statements, for connections that asked for them (Citus carries
    SET LOCAL to its workers, not set_config). SET takes no bound parameter: the values are uuids the
    binding made itself (or ''), quoted as literals. SET LOCAL outside an explicit transaction would
    warn on every statement: such connections work in transactions (autocommit off)."""
    if conn.autocommit:
        raise psycopg.ProgrammingError(
            "threadguard: a set_local connection sends the identity as SET LOCAL, which needs a transaction: "
            "use it through tg.saver_pool(..., set_local=True) (each saver operation is one transaction the pool "
            "commits), or turn autocommit off and commit yourself"
        )
    return [sql.SQL("set local app.tenant_id = {}").format(sql.Literal(params[0])),
            sql.SQL("set local app.user_id = {}").format(sql.Literal(params[1])),
            sql.SQL("set local app.token = ''")]


def _identity_statements(conn: psycopg.BaseConnection[Any], params: tuple[str, ...]) -> list[tuple[Any, Any]]:
    """What carries the identity: set_config() with bound parameters, or (set_local connections) SET LOCAL;
    a sealed identity's token, threadguard.present_token()."""
    if len(params) == 1:
        return [(PRESENT_TOKEN_SQL, params)]
    if getattr(conn, "set_local", False):
        return [(statement, None) for statement in _set_local(conn, params)]
    return [(SET_IDENTITY_SQL, params)]


def _identity_to_send(conn: psycopg.BaseConnection[Any]) -> list[tuple[IdentityStatement, tuple[bytes, ...] | None]]:
    """The identity statements as adapters.execute_with_identity_gen sends them (encoded text parameters)."""
    wire = _identity_wire()
    if len(wire) != 1 and conn.set_local:  # type: ignore[attr-defined]
        return [(IdentityStatement(statement.as_bytes(conn), (), keep=False), None)
                for statement in _set_local(conn, _identity_params())]
    return [(_identity_statement(wire), wire)]


def _enqueued(conn: psycopg.BaseConnection[Any], params: tuple[str, ...]) -> bool:
    """In an open pipeline, the identity goes straight onto its queue: no cursor, no round of its
    own, it leaves with the statement (sync and async alike). False where a cursor must send it."""
    if conn._pipeline is None or not _in_pipeline(conn) or getattr(conn, "set_local", False):
        return False
    wire = _identity_wire()
    enqueue_identity(conn._pipeline, _identity_statement(wire), wire)
    _queued(conn, params)
    return True


def _queue_identity(conn: psycopg.Connection[Any]) -> None:
    params = _identity_params()
    if _enqueued(conn, params):
        return
    with psycopg.Cursor(conn) as cur:
        for statement, args in _identity_statements(conn, params):
            cur.execute(statement, args)
    _queued(conn, params)


def _group(conn: psycopg.BaseConnection[Any]) -> _SyncGroup | None:
    return conn._pipeline if isinstance(conn._pipeline, _SyncGroup) else None


def _queued(conn: psycopg.BaseConnection[Any], params: tuple[str, ...]) -> None:
    if (group := _group(conn)) is not None:
        group._identity_queued = params


def _needs_identity(conn: psycopg.BaseConnection[Any], query: Any) -> bool:
    """Inside a pipeline: whether `query` needs the identity queued before it (not when
    its Sync group carries it already, nor when it only controls the transaction)."""
    group = _group(conn)
    if not _carries_identity(query, conn):
        if group is not None:
            group._identity_queued = None  # ROLLBACK TO SAVEPOINT, COMMIT, ...: send it again after
        return False
    return group is None or group._identity_queued != _identity_params()


@contextlib.contextmanager
def _with_identity(conn: psycopg.Connection[Any], query: Any) -> Iterator[None]:
    """Around one statement: the identity goes first, in the same round trip and transaction."""
    with _refusals(query):
        if not _in_pipeline(conn):
            if not _carries_identity(query, conn):
                yield
                return
            conn = cast(BoundConnection, conn)
            with conn.pipeline():
                _queue_identity(conn)
                yield
            return
        if _needs_identity(conn, query):
            _queue_identity(conn)  # no Sync between it and the statement
        yield


class _BoundPipeline(_SyncGroup, psycopg.Pipeline):
    def sync(self) -> None:
        with _refusals():
            super().sync()


class BoundCursor(psycopg.Cursor[Any]):
    """A cursor that runs every statement as the current identity."""

    def execute(self, query: Any, params: Any = None, **kwargs: Any) -> BoundCursor:
        _check_thread_param(query, params)
        query = _without_setup_ddl(query)
        conn = self.connection
        if _in_pipeline(conn) or not _carries_identity(query, conn):
            with _with_identity(conn, query):
                super().execute(query, params, **kwargs)
            return self
        try:  # as _refusals(query), without a context manager's cost on every statement
            with conn.lock:
                conn.wait(execute_with_identity_gen(self, query, params, _identity_to_send(conn), **kwargs))
        except psycopg.Error as exc:
            _raise_refusal(exc, query)
            raise
        return self

    def executemany(self, query: Any, params_seq: Any, **kwargs: Any) -> None:
        with _with_identity(self.connection, query):
            super().executemany(query, params_seq, **kwargs)

    def stream(self, query: Any, params: Any = None, **kwargs: Any) -> Iterator[Any]:
        _identity_before_unpipelined(self.connection, "stream()")
        with _refusals():
            yield from super().stream(query, params, **kwargs)

    @contextlib.contextmanager
    def copy(self, statement: Any, params: Any = None, **kwargs: Any) -> Iterator[psycopg.Copy]:
        _identity_before_unpipelined(self.connection, "COPY")
        with _refusals(), super().copy(statement, params, **kwargs) as copy:
            yield copy


def _identity_before_unpipelined(conn: psycopg.Connection[Any], what: str) -> None:
    """stream() and COPY cannot be pipelined: inside an open transaction the identity
    goes first on its own; in autocommit it would end before them, so refuse."""
    if conn.info.transaction_status != pq.TransactionStatus.INTRANS:
        raise psycopg.ProgrammingError(
            f"threadguard: {what} on a bound connection must run inside a transaction "
            "(with conn.transaction(): ...), so that the identity reaches it"
        )
    _queue_identity(conn)


class BoundServerCursor(psycopg.ServerCursor[Any]):
    """A named (server-side) cursor declared as the current identity: inside a transaction only
    (its FETCHes run there too), the identity sent just before its DECLARE."""

    def execute(self, query: Any, params: Any = None, **kwargs: Any) -> BoundServerCursor:
        _identity_before_unpipelined(self.connection, "a named cursor")
        with _refusals(query):
            super().execute(query, params, **kwargs)
        return self


class BoundConnection(psycopg.Connection[Any]):
    """A psycopg connection that runs every statement as the current identity."""

    set_local = False  # SetLocalBoundConnection: the identity as SET LOCAL statements

    @classmethod
    def connect(cls, *args: Any, **kwargs: Any) -> Any:
        require_supported()  # the drift gate: before any connection is made
        return super().connect(*args, **kwargs)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.cursor_factory = BoundCursor
        self.server_cursor_factory = BoundServerCursor

    @contextlib.contextmanager
    def pipeline(self) -> Iterator[psycopg.Pipeline]:
        # A pipeline reports a refused write when it syncs, after the statement:
        # through sync() (LangGraph's savers given a pipeline call it) or on exit.
        if self._pipeline is None:
            self._pipeline = _BoundPipeline(self)
        with _refusals(), super().pipeline() as pipe:
            yield pipe


def connect(conninfo: str = "", **kwargs: Any) -> BoundConnection:
    """One bound connection, set up as LangGraph's saver expects (autocommit, dict rows)."""
    return cast(BoundConnection, BoundConnection.connect(conninfo, **{**SAVER_CONNECTION_KWARGS, **kwargs}))


class SetLocalBoundConnection(BoundConnection):
    """A bound connection that sends the identity as `SET LOCAL app.tenant_id = ...` (and user_id)
    instead of set_config(): for Citus, which carries SET LOCAL to its workers. It works in
    transactions only (autocommit off): tg.saver_pool(..., set_local=True) gives a pool of them."""

    set_local = True


def saver_pool(conninfo: str = "", *, min_size: int = 1, max_size: int | None = None, set_local: bool = False,
               **kwargs: Any) -> ConnectionPool[Any]:
    """A pool of bound connections for `PostgresSaver(pool)`. Extra keyword arguments
    go to `ConnectionPool` (open it, or use it as a context manager); `kwargs=`
    to the connections (e.g. {"prepare_threshold": None} behind PgBouncer < 1.21).
    set_local=True: the identity goes as SET LOCAL statements (Citus), each saver operation
    in a transaction of its own that the pool commits when the saver gives the connection back."""
    require_supported()  # at once: a pool would only log its connections' failures and retry
    connection_kwargs = {**SAVER_CONNECTION_KWARGS, **kwargs.pop("kwargs", {})}
    if set_local:
        connection_kwargs["autocommit"] = False
    return ConnectionPool(
        conninfo,
        min_size=min_size,
        max_size=max_size,
        connection_class=SetLocalBoundConnection if set_local else BoundConnection,
        kwargs=connection_kwargs,
        open=kwargs.pop("open", False),
        **kwargs,
    )


# --- async ------------------------------------------------------------------


def _refuse_shared_batcher() -> None:
    if _in_shared_batcher():
        raise SharedBatcherError(
            "threadguard: AsyncPostgresStore's aget/aput/asearch/adelete/alist_namespaces run in one background task shared "
            "by every caller, where no caller's identity can reach, so threadguard refuses them. Wrap the store: "
            "threadguard.async_store(pool) runs each operation of the same AsyncPostgresStore in the caller's own task."
        )


async def _aqueue_identity(conn: psycopg.AsyncConnection[Any]) -> None:
    _refuse_shared_batcher()
    params = _identity_params()
    if _enqueued(conn, params):
        return
    async with psycopg.AsyncCursor(conn) as cur:
        for statement, args in _identity_statements(conn, params):
            await cur.execute(statement, args)
    _queued(conn, params)


@contextlib.asynccontextmanager
async def _awith_identity(conn: psycopg.AsyncConnection[Any], query: Any) -> AsyncIterator[None]:
    with _refusals(query):
        if not _in_pipeline(conn):
            if not _carries_identity(query, conn):
                yield
                return
            async with conn.pipeline():
                await _aqueue_identity(conn)
                yield
            return
        if _needs_identity(conn, query):
            await _aqueue_identity(conn)
        yield


class _AsyncBoundPipeline(_SyncGroup, psycopg.AsyncPipeline):
    async def sync(self) -> None:
        with _refusals():
            await super().sync()


class AsyncBoundCursor(psycopg.AsyncCursor[Any]):
    """An async cursor that runs every statement as the current identity."""

    async def execute(self, query: Any, params: Any = None, **kwargs: Any) -> AsyncBoundCursor:
        _check_thread_param(query, params)
        query = _without_setup_ddl(query)
        conn = self.connection
        if _in_pipeline(conn) or not _carries_identity(query, conn):
            async with _awith_identity(conn, query):
                await super().execute(query, params, **kwargs)
            return self
        _refuse_shared_batcher()
        try:
            async with conn.lock:
                await conn.wait(execute_with_identity_gen(self, query, params, _identity_to_send(conn), **kwargs))
        except psycopg.Error as exc:
            _raise_refusal(exc, query)
            raise
        return self

    async def executemany(self, query: Any, params_seq: Any, **kwargs: Any) -> None:
        async with _awith_identity(self.connection, query):
            await super().executemany(query, params_seq, **kwargs)

    async def stream(self, query: Any, params: Any = None, **kwargs: Any) -> AsyncIterator[Any]:
        await _aidentity_before_unpipelined(self.connection, "stream()")
        with _refusals():
            async for row in super().stream(query, params, **kwargs):
                yield row

    @contextlib.asynccontextmanager
    async def copy(self, statement: Any, params: Any = None, **kwargs: Any) -> AsyncIterator[psycopg.AsyncCopy]:
        await _aidentity_before_unpipelined(self.connection, "COPY")
        with _refusals():
            async with super().copy(statement, params, **kwargs) as copy:
                yield copy


async def _aidentity_before_unpipelined(conn: psycopg.AsyncConnection[Any], what: str) -> None:
    if conn.info.transaction_status != pq.TransactionStatus.INTRANS:
        raise psycopg.ProgrammingError(
            f"threadguard: {what} on a bound connection must run inside a transaction "
            "(async with conn.transaction(): ...), so that the identity reaches it"
        )
    await _aqueue_identity(conn)


class AsyncBoundServerCursor(psycopg.AsyncServerCursor[Any]):
    """The async twin of BoundServerCursor."""

    async def execute(self, query: Any, params: Any = None, **kwargs: Any) -> AsyncBoundServerCursor:
        await _aidentity_before_unpipelined(self.connection, "a named cursor")
        with _refusals(query):
            await super().execute(query, params, **kwargs)
        return self


class AsyncBoundConnection(psycopg.AsyncConnection[Any]):
    """An async psycopg connection that runs every statement as the current identity."""

    set_local = False  # AsyncSetLocalBoundConnection: the identity as SET LOCAL statements

    @classmethod
    async def connect(cls, *args: Any, **kwargs: Any) -> Any:
        require_supported()  # the drift gate: before any connection is made
        return await super().connect(*args, **kwargs)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.cursor_factory = AsyncBoundCursor
        self.server_cursor_factory = AsyncBoundServerCursor

    @contextlib.asynccontextmanager
    async def pipeline(self) -> AsyncIterator[psycopg.AsyncPipeline]:
        if self._pipeline is None:
            self._pipeline = _AsyncBoundPipeline(self)
        with _refusals():
            async with super().pipeline() as pipe:
                yield pipe


async def aconnect(conninfo: str = "", **kwargs: Any) -> AsyncBoundConnection:
    """One bound async connection, set up as LangGraph's saver expects."""
    return cast(AsyncBoundConnection, await AsyncBoundConnection.connect(conninfo, **{**SAVER_CONNECTION_KWARGS, **kwargs}))


class AsyncSetLocalBoundConnection(AsyncBoundConnection):
    """SetLocalBoundConnection's async twin."""

    set_local = True


def async_saver_pool(
    conninfo: str = "", *, min_size: int = 1, max_size: int | None = None, set_local: bool = False, **kwargs: Any
) -> AsyncConnectionPool[Any]:
    """A pool of bound async connections for `AsyncPostgresSaver(pool)` (set_local: see saver_pool)."""
    require_supported()  # at once: a pool would only log its connections' failures and retry
    connection_kwargs = {**SAVER_CONNECTION_KWARGS, **kwargs.pop("kwargs", {})}
    if set_local:
        connection_kwargs["autocommit"] = False
    return AsyncConnectionPool(
        conninfo,
        min_size=min_size,
        max_size=max_size,
        connection_class=AsyncSetLocalBoundConnection if set_local else AsyncBoundConnection,
        kwargs=connection_kwargs,
        open=kwargs.pop("open", False),
        **kwargs,
    )
