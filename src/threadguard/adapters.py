"""What the binding reads in LangGraph's and psycopg's code, each piece with the release it was
checked against; tests/python/test_upstream.py pins them, so that an upgrade that changes one fails
the suite instead of failing open (and `make canary` runs the suites on the newest LangGraph).

- LangGraph's saver statements on the checkpoint tables take the thread id first
  (langgraph-checkpoint-postgres 3.2.0): a non-canonical uuid spelling is refused before it is sent.
- PostgresSaver.setup() / PostgresStore.setup() start with CREATE TABLE IF NOT EXISTS
  <...>_migrations, which goes out as a statement that does nothing (3.2.0).
- AsyncPostgresStore's shared batcher is the task running langgraph.store.base.batch._run
  (langgraph-checkpoint 4.3.2).
- psycopg's pipeline internals (_enqueue_sync, _communicate_gen, _fetch_gen, _exit_gen,
  command_queue and result_queue), checked against psycopg 3.3.9: a bound pipeline knows what its
  Sync group carries, sends no Flush after its final Sync (pgbouncer/pgbouncer#759), and takes the
  identity statement straight onto its queue (`enqueue_identity`), as psycopg's own execute would
  put it there, without a cursor or a round of its own: it leaves with the next statement.
- psycopg's cursor internals (_start_query, _convert_query, _get_prepared, _execute_send,
  _send_query_prepared, _check_results, _set_results, the PrepareManager's maybe_add_to_cache,
  validate and maintain_gen) and its generators send and fetch_many, checked against psycopg 3.3.9:
  `execute_with_identity_gen` runs one statement outside any pipeline as execute() does, with the
  identity in front of it in a pipeline of libpq's own (one flush, one pass over the results).
"""

from __future__ import annotations

import asyncio
import functools
import logging
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any
from uuid import UUID

import psycopg
from langgraph.store.base import batch
from psycopg import generators, pq
from psycopg._preparing import Prepare

if TYPE_CHECKING:
    from psycopg._cursor_base import BaseCursor  # what Cursor and AsyncCursor share
    from psycopg._pipeline_base import BasePipeline  # what Pipeline and AsyncPipeline share (command_queue, result_queue)
    from psycopg.abc import PQGen

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


# The first statement of PostgresSaver.setup() / PostgresStore.setup() (and their async twins).
_LANGGRAPH_SETUP = re.compile(r"\s*create\s+table\s+if\s+not\s+exists\s+(checkpoint|store|vector)_migrations\b", re.IGNORECASE)
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

    _identity_queued: tuple[str, ...] | None = None

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


_TEXT_OID = 25
_TEXT_TYPES = ((), (_TEXT_OID,), (_TEXT_OID, _TEXT_OID))


def enqueue_identity(pipeline: BasePipeline, statement: bytes, params: tuple[str, ...]) -> None:
    """Queue `statement` (text parameters $1, $2, ...) on an open pipeline as psycopg's execute
    queues a statement (psycopg 3.3: cursor._execute_send appends a send_query_params call to
    command_queue, and the result queue's None entry means "check the result for an error, keep no
    rows"). It goes out, in order, with the next statement the pipeline sends."""
    pgconn = pipeline.pgconn
    pipeline.command_queue.append(functools.partial(
        pgconn.send_query_params, statement, [param.encode() for param in params],
        param_types=[_TEXT_OID] * len(params)))
    pipeline.result_queue.append(None)


def execute_with_identity_gen(cur: BaseCursor[Any, Any], query: Any, params: Any,
                              identity: Sequence[tuple[bytes, Sequence[bytes] | None]], *, prepare: bool | None = None,
                              binary: bool | None = None) -> PQGen[None]:
    """cursor.execute(query, params) outside any pipeline, with the `identity` statements (encoded
    text parameters $1, $2, ...) in front of it, in one implicit transaction in autocommit: what execute()
    does (psycopg 3.3: _execute_gen and _maybe_prepare_gen's branch without a pipeline), except that
    libpq's pipeline mode is entered for this one exchange. The identity, the statement (and its
    PREPARE, when psycopg decides to prepare it) and one Sync leave in one flush and the results are
    read in one pass: psycopg's Pipeline object, with its communicate round per statement and its
    fetch on exit, costs the client several times more. No Flush follows the Sync (see _SyncGroup).
    An identity that fails (a refused token) aborts the statement: its error is raised, and a
    statement psycopg meant to prepare stays unprepared, as when psycopg's own PREPARE fails."""
    yield from cur._start_query(query)  # BEGIN first, in a transaction not yet open (autocommit off)
    pgq = cur._convert_query(query, params)
    prep, name = cur._get_prepared(pgq, prepare)
    pgconn = cur._pgconn
    pgconn.enter_pipeline_mode()
    try:
        for statement, args in identity:
            pgconn.send_query_params(statement, args, param_types=_TEXT_TYPES[len(args)] if args else None)
        if prep is Prepare.SHOULD:
            pgconn.send_prepare(name, pgq.query, param_types=pgq.types)
        if prep is Prepare.NO:
            cur._execute_send(pgq, force_extended=True, binary=binary)
        else:
            cur._query = pgq
            cur._send_query_prepared(name, pgq, binary=binary)
        pgconn.pipeline_sync()
        yield from generators.send(pgconn)
        heads: list[pq.abc.PGresult] = []
        for _ in range(len(identity) + (prep is Prepare.SHOULD)):
            heads += yield from generators.fetch_many(pgconn)
        results = yield from generators.fetch_many(pgconn)
        yield from generators.fetch_many(pgconn)  # the Sync's
    finally:
        # Left mid-exchange only by a lost connection or an interrupted wait: then results are still
        # pending, the connection stays in pipeline mode and reports itself busy (ACTIVE), and the
        # binding refuses to send anything more on it (a pool discards it).
        if pgconn.pipeline_status != pq.PipelineStatus.OFF:
            try:
                pgconn.exit_pipeline_mode()
            except psycopg.OperationalError:
                pass
    for head in heads:
        if head.status == pq.ExecStatus.FATAL_ERROR:
            raise psycopg.errors.error_from_result(head, encoding=cur._encoding)
    prepared = cur._conn._prepared
    if (key := prepared.maybe_add_to_cache(pgq, prep, name)) is not None:
        prepared.validate(key, prep, name, results)
    cur._check_results(results)
    cur._set_results(results)
    cur._last_query = query
    yield from prepared.maintain_gen(cur._conn)


class _QuietAbortedPipelines(logging.Filter):
    """psycopg logs a warning when a pipeline that already raised its error fails again
    while closing ("pipeline aborted"): for a bound pipeline the error itself was raised
    to the application (a refused write, say), so the echo is dropped, not the error."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args if isinstance(record.args, tuple) else ()
        return not (len(args) == 2 and isinstance(args[0], _SyncGroup)
                    and isinstance(args[1], psycopg.errors.PipelineAborted))


logging.getLogger("psycopg").addFilter(_QuietAbortedPipelines())


def _in_shared_batcher() -> bool:
    """Whether the running asyncio task is LangGraph's store batcher (langgraph.store.base.batch._run)."""
    try:
        task = asyncio.current_task()
    except RuntimeError:
        return False
    return task is not None and getattr(task.get_coro(), "cr_code", None) is batch._run.__code__
