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
"""

from __future__ import annotations

import asyncio
import functools
import logging
import re
from typing import TYPE_CHECKING, Any
from uuid import UUID

import psycopg
from langgraph.store.base import batch

if TYPE_CHECKING:
    from psycopg._pipeline_base import BasePipeline  # what Pipeline and AsyncPipeline share (command_queue, result_queue)

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
