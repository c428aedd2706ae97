"""LangGraph's Postgres savers plus the two methods langgraph-checkpoint-postgres 3.2 lacks,
`copy_thread` and `delete_for_runs`, done through threadguard's SQL API (copy_conversation,
delete_runs) so that they reach only the current identity's threads. Everything else is
LangGraph's own code, inherited unchanged; give them a bound connection or pool as usual.
Checked against langgraph-checkpoint-postgres 3.2.0 (`_cursor` is its own helper for a
connection, pool or pipeline; tests/python/test_upstream.py pins it)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from langgraph.checkpoint.postgres import PostgresSaver as _PostgresSaver
from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver as _AsyncPostgresSaver

from threadguard import api
from threadguard.errors import ThreadNotOwnedError


def _copied(copied: Any, source_thread_id: str) -> None:
    if copied is None:
        raise ThreadNotOwnedError(
            f"threadguard: no conversation {source_thread_id} to copy: it does not exist or is not the current identity's "
            "(the two are indistinguishable); nothing was created."
        )


class PostgresSaver(_PostgresSaver):
    """LangGraph's PostgresSaver with copy_thread and delete_for_runs, each one call of the SQL API."""

    def copy_thread(self, source_thread_id: str, target_thread_id: str) -> None:
        """Copy one of the current identity's threads (every namespace, checkpoint, blob and pending
        write) into a new conversation `target_thread_id` of the same identity, with the source's
        title and metadata. Raises ThreadNotOwnedError when the source is absent or someone else's,
        psycopg.errors.UniqueViolation when the target id is taken."""
        with self._cursor() as cur:  # LangGraph's own: the saver's connection, pool or pipeline, and its lock
            _copied(api.copy_conversation(cur.connection, str(source_thread_id), str(target_thread_id)), source_thread_id)

    def delete_for_runs(self, run_ids: Sequence[str]) -> None:
        """Delete the checkpoints (with their pending writes and the blobs nothing else refers to) that
        the given runs wrote in the current identity's threads; other identities' runs are untouched."""
        with self._cursor() as cur:
            api.delete_runs(cur.connection, list(run_ids))


class AsyncPostgresSaver(_AsyncPostgresSaver):
    """LangGraph's AsyncPostgresSaver with (a)copy_thread and (a)delete_for_runs through the SQL API."""

    async def acopy_thread(self, source_thread_id: str, target_thread_id: str) -> None:
        """See PostgresSaver.copy_thread."""
        async with self._cursor() as cur:
            copied = await api.acopy_conversation(cur.connection, str(source_thread_id), str(target_thread_id))
        _copied(copied, source_thread_id)

    async def adelete_for_runs(self, run_ids: Sequence[str]) -> None:
        """See PostgresSaver.delete_for_runs."""
        async with self._cursor() as cur:
            await api.adelete_runs(cur.connection, list(run_ids))

    def copy_thread(self, source_thread_id: str, target_thread_id: str) -> None:
        self._from_other_thread()
        asyncio.run_coroutine_threadsafe(self.acopy_thread(source_thread_id, target_thread_id), self.loop).result()

    def delete_for_runs(self, run_ids: Sequence[str]) -> None:
        self._from_other_thread()
        asyncio.run_coroutine_threadsafe(self.adelete_for_runs(run_ids), self.loop).result()

    def _from_other_thread(self) -> None:
        """As LangGraph's own sync methods of this class: blocking on the saver's loop from that loop would deadlock."""
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            return
        if running is self.loop:
            raise asyncio.InvalidStateError(
                "Synchronous calls to AsyncPostgresSaver are only allowed from a different thread; "
                "use `await checkpointer.acopy_thread(...)` / `adelete_for_runs(...)`."
            )
