"""LangGraph's own checkpointer conformance suite (langgraph-checkpoint-conformance,
pinned) against threadguard.AsyncPostgresSaver (LangGraph's AsyncPostgresSaver, unchanged,
plus copy_thread and delete_for_runs through the SQL API) as the application's login under
threadguard: on a pool, a single connection and a pipeline, directly and through
PgBouncer. Every test the stock saver passes as a superuser must pass here too, and so
must every copy_thread and delete_for_runs test, which the stock saver skips.
The suite writes to fresh thread ids; the only addition is that each thread's
conversation is created, through threadguard's public API, before its first write."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import psycopg
import pytest
from dbtools import Route
from langgraph.checkpoint.conformance import checkpointer_test, validate
from langgraph.checkpoint.conformance.report import ProgressCallbacks
from langgraph.checkpoint.conformance.spec.test_copy_thread import ALL_COPY_THREAD_TESTS
from langgraph.checkpoint.conformance.spec.test_delete_for_runs import ALL_DELETE_FOR_RUNS_TESTS
from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
from psycopg.rows import dict_row

import threadguard as tg


class ConversationFirst(tg.AsyncPostgresSaver):
    """threadguard's saver; a thread it has not written yet gets its conversation first."""

    owned: set[str]
    api: psycopg.AsyncConnection[Any]

    async def _own(self, config: Any) -> None:
        thread = str(config["configurable"]["thread_id"])
        if thread not in self.owned:
            self.owned.add(thread)
            if await tg.aget_conversation(self.api, thread) is None:
                await tg.acreate_conversation(self.api, "conformance", thread)

    async def aput(self, config: Any, *args: Any, **kwargs: Any) -> Any:
        await self._own(config)
        return await super().aput(config, *args, **kwargs)

    async def aput_writes(self, config: Any, *args: Any, **kwargs: Any) -> None:
        await self._own(config)
        await super().aput_writes(config, *args, **kwargs)


def _saver(saver: ConversationFirst, api: psycopg.AsyncConnection[Any]) -> ConversationFirst:
    saver.owned, saver.api = set(), api
    return saver


async def _results(factory: Callable[[], AbstractAsyncContextManager[Any]]) -> dict[str, bool]:
    """Run the suite; {capability.test: passed}."""
    outcome: dict[str, bool] = {}

    @checkpointer_test(name="saver")
    async def saver() -> AsyncIterator[Any]:
        async with factory() as instance:
            yield instance

    def record(capability: str, test: str, passed: bool, error: str | None) -> None:
        outcome[f"{capability}.{test}"] = passed

    await validate(saver, progress=ProgressCallbacks(on_test_result=record))
    return outcome


@pytest.fixture(scope="module")
async def stock(migrated_db: str) -> dict[str, bool]:
    """What the stock saver passes as a superuser, with no threadguard in its way."""

    @asynccontextmanager
    async def superuser() -> AsyncIterator[Any]:
        async with await psycopg.AsyncConnection.connect(
            migrated_db, autocommit=True, prepare_threshold=0, row_factory=dict_row
        ) as conn:
            yield AsyncPostgresSaver(conn)

    results = await _results(superuser)
    assert results and any(results.values())
    return results


@pytest.mark.parametrize("kind", ["pool", "connection", "pipeline"])
async def test_the_saver_under_threadguard_passes_what_the_stock_saver_passes(
    stock: dict[str, bool], app: Route, kind: str
) -> None:
    @asynccontextmanager
    async def guarded() -> AsyncIterator[Any]:
        # Conversations are created on the saver's own connection where it has one: a
        # second client would wait behind an open pipeline for PgBouncer's one server
        # connection.
        if kind == "pool":
            async with app.apool(min_size=1, max_size=2) as pool, await app.aconnect() as api:
                yield _saver(ConversationFirst(pool), api)
        else:
            async with await app.aconnect() as conn:
                if kind == "connection":
                    yield _saver(ConversationFirst(conn), conn)
                else:
                    async with conn.pipeline() as pipe:
                        yield _saver(ConversationFirst(conn, pipe), conn)

    with tg.acting_as(uuid.uuid4(), uuid.uuid4()):
        results = await _results(guarded)
    failed = sorted(name for name, passed in stock.items() if passed and not results.get(name))
    assert not failed, f"{app.name}/{kind}: the stock saver passes these, the saver under threadguard does not: {failed}"
    added = [f"copy_thread.{t.__name__}" for t in ALL_COPY_THREAD_TESTS] + [
        f"delete_for_runs.{t.__name__}" for t in ALL_DELETE_FOR_RUNS_TESTS]
    assert not any(name in stock for name in added), "the stock saver now runs copy_thread/delete_for_runs: compare with it"
    missing = sorted(name for name in added if not results.get(name))
    assert not missing, f"{app.name}/{kind}: copy_thread/delete_for_runs tests not passed: {missing}"
    assert set(results) == set(stock) | set(added)
