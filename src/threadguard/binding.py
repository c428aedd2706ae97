"""Carry the current identity (tenant, user) into every transaction LangGraph's saver runs.

The identity lives in a `contextvars.ContextVar`, set by `acting_as(...)`. It
follows the code that runs inside the block: threads LangGraph starts with a
copied context, asyncio tasks, and LangGraph's background checkpoint writers.

`BoundConnection` / `AsyncBoundConnection` are psycopg connections whose cursors
put `select set_config('app.tenant_id', %s, true), set_config('app.user_id', %s, true)`
in front of every statement they send, in the same round trip and the same
transaction: pipelined with it (an autocommit statement is one implicit
transaction up to the pipeline's Sync), or inside the transaction that is open.
Inside one pipeline it is queued once per Sync group (the saver's put and
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
has none to replace.
A statement on the checkpoint tables whose first parameter (LangGraph's thread id)
is a uuid spelled otherwise than canonically is refused before it is sent.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import re
from collections.abc import AsyncIterator, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, cast
from uuid import UUID

import psycopg
from langgraph.store.base import batch
from psycopg import pq, sql
from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool, ConnectionPool

from threadguard.upstream import require_supported

SET_IDENTITY_SQL = "select set_config('app.tenant_id', %s, true), set_config('app.user_id', %s, true)"

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


@dataclass(frozen=True, slots=True)
class Identity:
    """Who the current code acts for: one user of one tenant."""

    tenant_id: UUID
    user_id: UUID


_identity: ContextVar[Identity | None] = ContextVar("threadguard_identity", default=None)


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


def _identity_params() -> tuple[str, str]:
    identity = _identity.get()
    if identity is None:
        return ("", "")
    return (str(identity.tenant_id), str(identity.user_id))


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


_CHECKPOINT_TABLE = re.compile(r"\bcheckpoint(s|_blobs|_writes)\b", re.IGNORECASE)


@functools.lru_cache(maxsize=1024)
def _reads_checkpoint_tables(query: str) -> bool:
    return bool(_CHECKPOINT_TABLE.search(query))


def canonical_thread_id(value: str) -> None:
    """Refuse a thread id that is a uuid spelled otherwise than LangGraph stores it (lower
    case, as str(uuid.UUID(...)) writes it): it would name no conversation."""
    try:
        canonical = str(UUID(value))
    except ValueError:
        return  # not a uuid at all: it names no conversation, and RLS says so
    if canonical != value:
        raise ValueError(f"threadguard: thread ids are canonical lower-case uuids, as str(uuid.UUID(...)) writes them: "
                         f"{canonical!r}, not {value!r}")


def _check_thread_param(query: Any, params: Any) -> None:
    """LangGraph's statements on the checkpoint tables take the thread id first."""
    if isinstance(query, str) and params and isinstance(params, list | tuple) and isinstance(params[0], str) \
            and _reads_checkpoint_tables(query):
        canonical_thread_id(params[0])


def _in_pipeline(conn: psycopg.BaseConnection[Any]) -> bool:
    return conn.pgconn.pipeline_status != pq.PipelineStatus.OFF


# --- errors -----------------------------------------------------------------

# The ownership foreign keys of migration 0009, and the PostgreSQL function that
# reports a row refused by a policy's WITH CHECK (or an upsert meeting a row the
# UPDATE policy hides): structured fields, the same in every lc_messages.
OWNERSHIP_KEYS = frozenset(f"{t}_thread_owner_fkey" for t in ("checkpoints", "checkpoint_blobs", "checkpoint_writes"))
_POLICY_CHECK = "ExecWithCheckOptions"


class ThreadNotOwnedError(psycopg.errors.InsufficientPrivilege):
    """A write to a thread the current identity does not own (no conversation,
    someone else's, deleted, or no identity bound). SQLSTATE 42501; the error
    PostgreSQL raised is its __cause__."""


def is_refused_write(exc: BaseException) -> bool:
    """Whether exc is PostgreSQL refusing a write for ownership: an ownership foreign
    key (23503) or a row-level security policy's check (42501)."""
    if isinstance(exc, psycopg.errors.ForeignKeyViolation):
        return exc.diag.constraint_name in OWNERSHIP_KEYS
    if isinstance(exc, psycopg.errors.InsufficientPrivilege):
        return exc.diag.source_function == _POLICY_CHECK
    return False


class NamespaceNotOwnedError(psycopg.errors.InsufficientPrivilege):
    """A write to LangGraph's store outside the current identity's namespaces: its own
    (tenant_id, user_id, ...) and its tenant's shared (tenant_id, "shared", ...); or no
    identity bound. SQLSTATE 42501; the error PostgreSQL raised is its __cause__."""


class SetupBelongsToMigrateError(psycopg.errors.InsufficientPrivilege):
    """PostgresSaver.setup() or PostgresStore.setup() found LangGraph's tables missing or at a
    schema version other than the one it expects: under threadguard the application's role
    creates nothing, and LangGraph's tables are set up by `threadguard migrate`. (At the version
    it expects, setup() succeeds and does nothing.) SQLSTATE 42501."""


class VectorSearchUnsupportedError(psycopg.errors.FeatureNotSupported):
    """A PostgresStore with an index config (vector search) on threadguard's database:
    the protected store has no store_vectors table (pgvector is not part of it), and the
    statement failed whole, writing nothing. SQLSTATE 0A000."""


# A policy check names the table it refused a row for; only LangGraph's store is called that.
_STORE_TABLE = re.compile(r"\bstore\b")

# The first statement of PostgresSaver.setup() / PostgresStore.setup() (and their async twins).
_LANGGRAPH_SETUP = re.compile(r"\s*create\s+table\s+if\s+not\s+exists\s+(checkpoint|store|vector)_migrations\b", re.IGNORECASE)
# What setup() does next: read the schema version it finds (then, if behind, change the tables).
_SETUP_VERSION_TABLE = re.compile(r"\b(checkpoint|store|vector)_migrations\b")
_DDL = re.compile(r"\s*(create|alter|drop)\b", re.IGNORECASE)
# PostgreSQL's refusals of DDL (English messages; a DDL statement is recognised by its text too).
_DDL_REFUSED = re.compile(r"(must be owner of |permission denied for schema )")
_NOTHING = "select where false"


def _without_setup_ddl(query: Any) -> Any:
    """setup()'s CREATE TABLE IF NOT EXISTS ..._migrations, which the application's role may not
    run even when the table exists, goes out as a statement that does nothing: setup() then reads
    the schema version threadguard migrate left and has nothing to do when it is the one it expects
    (it fails on the next statement, as SetupBelongsToMigrateError, when it is not)."""
    if isinstance(query, str) and _is_setup_ddl(query):
        return _NOTHING
    return query


@functools.lru_cache(maxsize=1024)  # on the saver's path: its statements are a handful of constant strings
def _is_setup_ddl(query: str) -> bool:
    return bool(_LANGGRAPH_SETUP.match(query))


@contextlib.contextmanager
def _refusals(query: Any = None) -> Iterator[None]:
    """Raise a refused write as ThreadNotOwnedError (checkpoints) or NamespaceNotOwnedError
    (the store), LangGraph's setup() as SetupBelongsToMigrateError, and a store's vector
    statement as VectorSearchUnsupportedError."""
    try:
        yield
    except (ThreadNotOwnedError, NamespaceNotOwnedError, SetupBelongsToMigrateError, VectorSearchUnsupportedError, SharedBatcherError):
        raise
    except psycopg.Error as exc:
        if isinstance(exc, psycopg.errors.InsufficientPrivilege) and (
                (isinstance(query, str) and _DDL.match(query))
                or (query is None and _DDL_REFUSED.match(exc.diag.message_primary or ""))):  # at a pipeline's sync
            raise SetupBelongsToMigrateError(
                "threadguard: LangGraph's saver or store wants to change its tables (setup() of a version whose schema this "
                "database is not at), and the application's role creates and alters nothing: LangGraph's tables are "
                "created and upgraded by `threadguard migrate`, run by the DBA, with a threadguard release that supports "
                "this langgraph-checkpoint-postgres (`threadguard verify` names the versions)."
            ) from exc
        if (isinstance(exc, psycopg.errors.UndefinedTable) and "vector_migrations" not in (exc.diag.message_primary or "")
                and _SETUP_VERSION_TABLE.search(exc.diag.message_primary or "")):
            raise SetupBelongsToMigrateError(
                "threadguard: LangGraph's tables are not set up in this database: run `threadguard migrate` (the DBA) "
                "before the application calls setup()."
            ) from exc
        if isinstance(exc, psycopg.errors.UndefinedTable) and any(
                t in (exc.diag.message_primary or "") for t in ("store_vectors", "vector_migrations")):
            raise VectorSearchUnsupportedError(
                "threadguard: the protected store has no vector search (no store_vectors table, no pgvector), so a "
                "PostgresStore with an index config cannot write or search; nothing was written. Create the store "
                "without index=... (search then filters by namespace and value)."
            ) from exc
        if not is_refused_write(exc):
            raise
        if _STORE_TABLE.search(exc.diag.message_primary or ""):  # the table's name, whatever lc_messages quotes it with
            raise NamespaceNotOwnedError(
                "threadguard: refused a store write: the namespace is not one of the identity this code runs as (or no "
                "identity is bound). Keep a user's items under (tenant_id, user_id, ...) and the tenant's shared items "
                "under (tenant_id, \"shared\", ...): threadguard.user_namespace(...) and threadguard.tenant_namespace(...) "
                "build them, inside threadguard.acting_as(tenant_id, user_id)."
            ) from exc
        raise ThreadNotOwnedError(
            "threadguard: refused a write: the thread is not a conversation of the identity this code runs as "
            "(or no identity is bound). Create the conversation first (threadguard.create_conversation), use its "
            "id as LangGraph's thread_id in canonical form (lower case, as str(uuid.UUID(...)) writes it), and run "
            "the graph inside threadguard.acting_as(tenant_id, user_id)."
        ) from exc


# --- sync -------------------------------------------------------------------


def _set_local(conn: psycopg.BaseConnection[Any], params: tuple[str, str]) -> list[sql.Composed]:
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
            sql.SQL("set local app.user_id = {}").format(sql.Literal(params[1]))]


def _queue_identity(conn: psycopg.Connection[Any]) -> None:
    params = _identity_params()
    with psycopg.Cursor(conn) as cur:
        if getattr(conn, "set_local", False):
            for statement in _set_local(conn, params):
                cur.execute(statement)
        else:
            cur.execute(SET_IDENTITY_SQL, params)
    _queued(conn, params)


class _SyncGroup:
    """What a bound pipeline has queued since its last Sync, the end of the implicit
    transaction it is building: the identity already in it need not be queued again
    for the next statement. Reset at every Sync and every transaction-control statement.

    Leaving the pipeline, psycopg (3.2-3.3, checked against 3.3.9) sends a Flush request after
    its final Sync whenever a result has not arrived yet. The Sync alone makes the server send
    every result; the Flush makes PgBouncer 1.18 in transaction mode keep the server connection
    linked to this client until its next message (pgbouncer/pgbouncer#759), so a client waiting
    for that server connection stalls until query_wait_timeout. A bound pipeline sends no Flush
    after a Sync that went out."""

    _identity_queued: tuple[str, str] | None = None

    def _enqueue_sync(self) -> None:
        self._identity_queued = None
        super()._enqueue_sync()  # type: ignore[misc]

    def _exit_gen(self) -> Any:
        synced = False
        try:
            self._enqueue_sync()
            yield from self._communicate_gen()  # type: ignore[attr-defined]
            synced = True
        finally:
            yield from self._fetch_gen(flush=not synced)  # type: ignore[attr-defined]


class _QuietAbortedPipelines(logging.Filter):
    """psycopg logs a warning when a pipeline that already raised its error fails again
    while closing ("pipeline aborted"): for a bound pipeline the error itself was raised
    to the application (a refused write, say), so the echo is dropped, not the error."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args if isinstance(record.args, tuple) else ()
        return not (len(args) == 2 and isinstance(args[0], _SyncGroup)
                    and isinstance(args[1], psycopg.errors.PipelineAborted))


logging.getLogger("psycopg").addFilter(_QuietAbortedPipelines())


def _group(conn: psycopg.BaseConnection[Any]) -> _SyncGroup | None:
    return conn._pipeline if isinstance(conn._pipeline, _SyncGroup) else None


def _queued(conn: psycopg.BaseConnection[Any], params: tuple[str, str]) -> None:
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
        with _with_identity(self.connection, query):
            super().execute(query, params, **kwargs)
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


class SharedBatcherError(psycopg.ProgrammingError):
    """AsyncPostgresStore's own aget/aput/asearch/... hand every caller's operations to
    one background task, which merges those of concurrent callers into one batch and
    runs it in the context of whoever created the store: no caller's identity can reach
    it. threadguard refuses such a batch; use threadguard.async_store(...)."""


def _in_shared_batcher() -> bool:
    """Whether the running asyncio task is LangGraph's store batcher (langgraph.store.base.batch._run)."""
    try:
        task = asyncio.current_task()
    except RuntimeError:
        return False
    return task is not None and getattr(task.get_coro(), "cr_code", None) is batch._run.__code__


async def _aqueue_identity(conn: psycopg.AsyncConnection[Any]) -> None:
    if _in_shared_batcher():
        raise SharedBatcherError(
            "threadguard: AsyncPostgresStore's aget/aput/asearch/adelete/alist_namespaces run in one background task shared "
            "by every caller, where no caller's identity can reach, so threadguard refuses them. Wrap the store: "
            "threadguard.async_store(pool) runs each operation of the same AsyncPostgresStore in the caller's own task."
        )
    params = _identity_params()
    async with psycopg.AsyncCursor(conn) as cur:
        if getattr(conn, "set_local", False):
            for statement in _set_local(conn, params):
                await cur.execute(statement)
        else:
            await cur.execute(SET_IDENTITY_SQL, params)
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
        async with _awith_identity(self.connection, query):
            await super().execute(query, params, **kwargs)
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
