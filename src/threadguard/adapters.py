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
import dataclasses
import functools
import logging
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any
from uuid import UUID

import psycopg
from langgraph.store.base import batch
from psycopg import generators, pq
from psycopg._preparing import Prepare, PrepareManager

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


@dataclasses.dataclass(frozen=True)
class IdentityStatement:
    """A statement that carries the identity, as psycopg's PrepareManager keys a query (psycopg 3.3:
    `PrepareManager.key` reads .query and .types): its text, its parameter types, and whether it may be
    prepared at all (SET LOCAL's literal values change with every identity: never)."""

    query: bytes
    types: tuple[int, ...]
    keep: bool = True


_UNPREPARED = (Prepare.NO, b"")


def enqueue_identity(pipeline: BasePipeline, statement: IdentityStatement, wire: Sequence[bytes]) -> None:
    """Queue `statement` with its encoded text parameters on an open pipeline as psycopg's execute
    queues a statement (psycopg 3.3: cursor._execute_send appends a send_query_params call to
    command_queue, and the result queue's None entry means "check the result for an error, keep no
    rows"). It goes out, in order, with the next statement the pipeline sends. Where psycopg keeps
    plans (prepare_threshold set) and execute_with_identity_gen prepared it on this connection already,
    it is executed by name; a pipeline never prepares it (an error earlier in its Sync group would
    abort the PREPARE, and nothing here would tell psycopg's cache)."""
    pgconn = pipeline.pgconn
    prepared = pipeline._conn._prepared
    prep, name = prepared.get(statement) if statement.keep else _UNPREPARED  # type: ignore[arg-type]
    if prep is Prepare.YES:
        pipeline.command_queue.append(functools.partial(pgconn.send_query_prepared, name, wire))
        prepared.maybe_add_to_cache(statement, prep, name)  # type: ignore[arg-type]  # most recently used
    else:
        pipeline.command_queue.append(functools.partial(
            pgconn.send_query_params, statement.query, wire, param_types=statement.types))
    pipeline.result_queue.append(None)


def execute_with_identity_gen(cur: BaseCursor[Any, Any], query: Any, params: Any,
                              identity: Sequence[tuple[IdentityStatement, Sequence[bytes] | None]], *,
                              prepare: bool | None = None, binary: bool | None = None) -> PQGen[None]:
    """cursor.execute(query, params) outside any pipeline, with the `identity` statements (encoded
    text parameters $1, $2, ...) in front of it, in one implicit transaction in autocommit: what execute()
    does (psycopg 3.3: _execute_gen and _maybe_prepare_gen's branch without a pipeline), except that
    libpq's pipeline mode is entered for this one exchange. The identity, the statement (with the
    PREPAREs psycopg's rules ask for, the identity's own included where psycopg keeps plans) and one
    Sync leave in one flush and the results are read in one pass: psycopg's Pipeline object, with its
    communicate round per statement and its fetch on exit, costs the client several times more. No
    Flush follows the Sync (see _SyncGroup). An identity that fails (a refused token) aborts the
    statement: its error is raised, and a PREPARE that did not happen is not entered in psycopg's
    cache, as when psycopg's own PREPARE fails."""
    yield from cur._start_query(query)  # BEGIN first, in a transaction not yet open (autocommit off)
    pgq = cur._convert_query(query, params)
    prepared = cur._conn._prepared
    prep, name = cur._get_prepared(pgq, prepare)
    keep = prepared.prepare_threshold is not None  # psycopg keeps plans: the identity's too
    plans = [prepared.get(statement) if keep and statement.keep else _UNPREPARED
             for statement, _ in identity]
    pgconn = cur._pgconn
    pgconn.enter_pipeline_mode()
    try:
        for (statement, args), (iprep, iname) in zip(identity, plans, strict=True):
            if iprep is Prepare.SHOULD:
                pgconn.send_prepare(iname, statement.query, param_types=statement.types)
            if iprep is Prepare.NO:
                pgconn.send_query_params(statement.query, args, param_types=statement.types or None)
            else:
                pgconn.send_query_prepared(iname, args)
        if prep is Prepare.SHOULD:
            pgconn.send_prepare(name, pgq.query, param_types=pgq.types)
        if prep is Prepare.NO:
            cur._execute_send(pgq, force_extended=True, binary=binary)
        else:
            cur._query = pgq
            cur._send_query_prepared(name, pgq, binary=binary)
        pgconn.pipeline_sync()
        yield from generators.send(pgconn)
        heads: list[pq.abc.PGresult] = []  # every result before the statement's own
        judged = []  # each identity statement's PREPARE result, or its run's when it was not prepared now
        for iprep, _ in plans:
            first = yield from generators.fetch_many(pgconn)
            heads += first
            judged.append(first)
            if iprep is Prepare.SHOULD:
                heads += yield from generators.fetch_many(pgconn)
        preparing = (yield from generators.fetch_many(pgconn)) if prep is Prepare.SHOULD else []
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
    if keep:
        # Prepared is prepared, whatever its run gave (a refused token): judged by the PREPARE's own
        # result, or each refusal would leave one more statement prepared in the server session.
        for (statement, _), (iprep, iname), first in zip(identity, plans, judged, strict=True):
            _settle(prepared, statement, iprep, iname, first, first)
    for head in heads + preparing:
        if head.status == pq.ExecStatus.FATAL_ERROR:
            raise psycopg.errors.error_from_result(head, encoding=cur._encoding)
    _settle(prepared, pgq, prep, name, preparing, results)
    cur._check_results(results)
    cur._set_results(results)
    cur._last_query = query
    yield from prepared.maintain_gen(cur._conn)


def _settle(prepared: PrepareManager, query: Any, prep: Prepare, name: bytes, preparing: list[pq.abc.PGresult],
            results: list[pq.abc.PGresult]) -> None:
    """psycopg's cache after one statement of the exchange: a name only for a PREPARE that succeeded."""
    if prep is Prepare.SHOULD and not (preparing and preparing[0].status == pq.ExecStatus.COMMAND_OK):
        return
    if (key := prepared.maybe_add_to_cache(query, prep, name)) is not None:
        prepared.validate(key, prep, name, results)


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
