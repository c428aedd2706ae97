"""The real LangGraph saver under RLS, connecting as the app's login role
(granted threadguard_app; never a superuser), on a single bound connection and
on a pool, sync and async: tenants see, change and delete only their own threads."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

import psycopg
import pytest
from dbtools import Route, thread_rows
from langgraph.checkpoint.postgres import PostgresSaver
from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver

import threadguard as tg
from threadguard.demo import chat_graph, config

Who = tuple[uuid.UUID, uuid.UUID]


@pytest.fixture
def alice() -> Who:
    """A (tenant, user) nobody else has used: the tests of a module share one database."""
    return (uuid.uuid4(), uuid.uuid4())


@pytest.fixture
def bob() -> Who:
    """Another tenant's user."""
    return (uuid.uuid4(), uuid.uuid4())


@contextmanager
def sync_saver(app: Route, kind: str) -> Iterator[tuple[PostgresSaver, Any]]:
    """(saver, something to call the SQL API with) over one connection or a pool."""
    if kind == "connection":
        with app.connect() as conn:
            yield PostgresSaver(conn), conn
    else:
        with app.pool(max_size=2) as pool, pool.connection() as api_conn:
            yield PostgresSaver(pool), api_conn


@contextmanager
def guarded_saver(app: Route, kind: str) -> Iterator[tuple[tg.PostgresSaver, Any]]:
    """sync_saver with threadguard.PostgresSaver."""
    if kind == "connection":
        with app.connect() as conn:
            yield tg.PostgresSaver(conn), conn
    else:
        with app.pool(max_size=2) as pool, pool.connection() as api_conn:
            yield tg.PostgresSaver(pool), api_conn


def _new_thread(api_conn: Any, title: str) -> str:
    return tg.create_conversation(api_conn, title).thread_id


@pytest.mark.parametrize("kind", ["connection", "pool"])
def test_two_tenants_each_see_only_their_own_graph_state(alice: Who, bob: Who, app: Route, migrated_db: str, kind: str) -> None:
    with sync_saver(app, kind) as (saver, api_conn):
        graph = chat_graph(saver)
        with tg.acting_as(*alice):
            thread_a = _new_thread(api_conn, "A's chat")
            graph.invoke({"messages": ["hello from A"]}, config(thread_a))
            graph.invoke({"messages": ["more from A"]}, config(thread_a))
        with tg.acting_as(*bob):
            thread_b = _new_thread(api_conn, "B's chat")
            graph.invoke({"messages": ["hello from B"]}, config(thread_b))

        with tg.acting_as(*alice):
            assert graph.get_state(config(thread_a)).values["messages"][-1] == "assistant: I heard 'more from A'"
            assert graph.get_state(config(thread_b)).values == {}
            assert {c.config["configurable"]["thread_id"] for c in saver.list(None)} == {thread_a}
            assert len(list(graph.get_state_history(config(thread_a)))) == 6
            assert list(graph.get_state_history(config(thread_b))) == []
            assert [c.thread_id for c in tg.list_conversations(api_conn)] == [uuid.UUID(thread_a)]

        with tg.acting_as(*bob):
            assert saver.get_tuple(config(thread_a)) is None
            assert {c.config["configurable"]["thread_id"] for c in saver.list(None)} == {thread_b}
            before = thread_rows(migrated_db, thread_a)
            saver.delete_thread(thread_a)
            assert thread_rows(migrated_db, thread_a) == before, "B's delete_thread removed A's rows"
            latest_a = None
            with tg.acting_as(*alice):
                latest_a = saver.get_tuple(config(thread_a))
            assert latest_a is not None
            with pytest.raises(tg.ThreadNotOwnedError, match="not a conversation of the identity"):
                saver.put_writes(latest_a.config, [("messages", ["injected by B"])], task_id="evil")
            with pytest.raises(tg.ThreadNotOwnedError):
                graph.invoke({"messages": ["B writing into A"]}, config(thread_a))

        with tg.acting_as(*alice):
            state = saver.get_tuple(config(thread_a))
            assert state is not None and state.pending_writes == []
            assert "injected by B" not in str(graph.get_state(config(thread_a)).values)


def test_concurrent_tenants_on_a_shared_pool(app: Route) -> None:
    identities = [(uuid.uuid4(), uuid.uuid4()) for _ in range(4)]
    with app.pool(max_size=3) as pool:
        saver = PostgresSaver(pool)
        graph = chat_graph(saver)

        def run(identity: tuple[uuid.UUID, uuid.UUID]) -> str:
            with tg.acting_as(*identity), pool.connection() as conn:
                thread = _new_thread(conn, "concurrent")
            with tg.acting_as(*identity):
                for turn in range(5):
                    graph.invoke({"messages": [f"{identity[0]} turn {turn}"]}, config(thread))
            return thread

        with ThreadPoolExecutor(max_workers=4) as executor:
            threads = list(executor.map(run, identities))

        for identity, thread in zip(identities, threads, strict=True):
            with tg.acting_as(*identity):
                seen = {c.config["configurable"]["thread_id"] for c in saver.list(None)}
                assert seen == {thread}
                messages = graph.get_state(config(thread)).values["messages"]
                assert len(messages) == 10 and all(str(identity[0]) in m for m in messages)


def test_prune_and_delete_thread_respect_ownership(alice: Who, bob: Who, app: Route, migrated_db: str) -> None:
    with app.connect() as conn:
        saver = PostgresSaver(conn)
        graph = chat_graph(saver)
        with tg.acting_as(*alice):
            thread_a = _new_thread(conn, "to prune")
            for turn in range(3):
                graph.invoke({"messages": [f"turn {turn}"]}, config(thread_a))
            before = len(list(saver.list(config(thread_a))))
        with tg.acting_as(*bob):
            saver.prune([thread_a], strategy="delete")
            saver.prune([thread_a], strategy="keep_latest")
        with tg.acting_as(*alice):
            assert len(list(saver.list(config(thread_a)))) == before, "B's prune touched A's thread"
            saver.prune([thread_a], strategy="keep_latest")
            assert len(list(saver.list(config(thread_a)))) == 1
            assert graph.get_state(config(thread_a)).values["messages"][-1] == "assistant: I heard 'turn 2'"
            saver.delete_thread(thread_a)
            assert saver.get_tuple(config(thread_a)) is None
        assert thread_rows(migrated_db, thread_a) == 0


def test_interrupt_and_resume_under_rls(alice: Who, bob: Who, app: Route) -> None:
    with app.connect() as conn:
        graph = chat_graph(PostgresSaver(conn), interrupt_before_reply=True)
        with tg.acting_as(*alice):
            thread = _new_thread(conn, "interrupted")
            graph.invoke({"messages": ["wait for approval"]}, config(thread))
            assert graph.get_state(config(thread)).next == ("reply",)
        with tg.acting_as(*bob):
            assert graph.get_state(config(thread)).next == ()
        with tg.acting_as(*alice):
            result = graph.invoke(None, config(thread))
            assert result["messages"][-1] == "assistant: I heard 'wait for approval'"


def test_outside_any_identity_nothing_is_read_or_written(alice: Who, app: Route, migrated_db: str) -> None:
    with app.connect() as conn:
        saver = PostgresSaver(conn)
        graph = chat_graph(saver)
        with tg.acting_as(*alice):
            thread = _new_thread(conn, "private")
            graph.invoke({"messages": ["secret"]}, config(thread))
        before = thread_rows(migrated_db, thread)
        assert tg.current_identity() is None
        assert saver.get_tuple(config(thread)) is None
        assert list(saver.list(None)) == []
        with pytest.raises(tg.ThreadNotOwnedError, match="no identity is bound"):
            graph.invoke({"messages": ["anonymous write"]}, config(thread))
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match=r"app\.tenant_id is not set|app\.token holds no verified"):
            tg.list_conversations(conn)
        assert thread_rows(migrated_db, thread) == before


def test_writing_to_a_thread_without_conversation_gives_a_clear_error(alice: Who, app: Route) -> None:
    with app.connect() as conn, tg.acting_as(*alice):
        graph = chat_graph(PostgresSaver(conn))
        with pytest.raises(tg.ThreadNotOwnedError) as caught:
            graph.invoke({"messages": ["hi"]}, config(str(uuid.uuid4())))
        assert "create_conversation" in str(caught.value)
        assert caught.value.sqlstate == "42501"


def test_app_setup_through_the_binding_just_works(alice: Who, app: Route) -> None:
    """LangGraph's docs tell apps to call setup() at start-up: at the schema threadguard migrate
    left, it succeeds and does nothing, on a connection and on a pipeline, direct and pooled."""
    with app.connect() as conn, tg.acting_as(*alice):
        PostgresSaver(conn).setup()
        with conn.pipeline() as pipe:
            PostgresSaver(conn, pipe).setup()


def test_acting_as_rejects_bad_ids() -> None:
    with pytest.raises(ValueError, match="tenant_id must be a uuid"):
        with tg.acting_as("tenant-1", uuid.uuid4()):
            pass
    with pytest.raises(ValueError, match="nil uuid"):
        with tg.acting_as(uuid.uuid4(), uuid.UUID(int=0)):
            pass


# --- async ------------------------------------------------------------------


async def test_async_tenants_run_concurrently_and_stay_apart(alice: Who, bob: Who, app: Route) -> None:
    async with app.apool(max_size=2) as pool:
        saver = AsyncPostgresSaver(pool)
        graph = chat_graph(saver)

        async def run(identity: tuple[uuid.UUID, uuid.UUID], word: str) -> str:
            with tg.acting_as(*identity):
                async with pool.connection() as conn:
                    thread = (await tg.acreate_conversation(conn, word)).thread_id
                for turn in range(4):
                    await graph.ainvoke({"messages": [f"{word} {turn}"]}, config(thread))
                return thread

        thread_a, thread_b = await asyncio.gather(run(alice, "apple"), run(bob, "banana"))

        with tg.acting_as(*alice):
            state = await graph.aget_state(config(thread_a))
            assert all("apple" in m for m in state.values["messages"])
            assert (await graph.aget_state(config(thread_b))).values == {}
            assert {c.config["configurable"]["thread_id"] async for c in saver.alist(None)} == {thread_a}
        with tg.acting_as(*bob):
            await saver.adelete_thread(thread_a)
            with pytest.raises(tg.ThreadNotOwnedError):
                await graph.ainvoke({"messages": ["intrusion"]}, config(thread_a))
        with tg.acting_as(*alice):
            assert len((await graph.aget_state(config(thread_a))).values["messages"]) == 8


async def test_async_single_connection(alice: Who, bob: Who, app: Route) -> None:
    async with await app.aconnect() as conn:
        saver = AsyncPostgresSaver(conn)
        graph = chat_graph(saver)
        with tg.acting_as(*alice):
            thread = (await tg.acreate_conversation(conn, "async")).thread_id
            await graph.ainvoke({"messages": ["hi"]}, config(thread))
            assert [c.title for c in await tg.alist_conversations(conn) if str(c.thread_id) == thread] == ["async"]
            detail = await tg.aget_conversation(conn, thread)
            assert detail is not None and detail.checkpoint is not None
        with tg.acting_as(*bob):
            assert await saver.aget_tuple(config(thread)) is None
            assert await tg.aget_conversation(conn, thread) is None
            assert await tg.adelete_conversation(conn, thread) is False
        with tg.acting_as(*alice):
            assert await tg.adelete_conversation(conn, thread) is True
            with pytest.raises(tg.ThreadNotOwnedError):
                await graph.ainvoke({"messages": ["after delete"]}, config(thread))


def test_refused_writes_are_thread_not_owned_in_every_form(alice: Who, bob: Who, app: Route) -> None:
    """Whatever PostgreSQL raised (the ownership key, a policy's check, the ON CONFLICT
    variant meeting a foreign row) and however the saver sent it (its own pipeline, a
    pipeline the application gave it), the application sees ThreadNotOwnedError,
    whose message names no tenant or user."""
    with app.connect() as conn:
        graph = chat_graph(PostgresSaver(conn))
        with tg.acting_as(*alice):
            thread = _new_thread(conn, "A's")
            graph.invoke({"messages": ["mine"]}, config(thread))
            latest = PostgresSaver(conn).get_tuple(config(thread))
        assert latest is not None
        with tg.acting_as(*bob):
            causes = []
            for attempt in (
                lambda: graph.invoke({"messages": ["into A's thread"]}, config(thread)),  # the key (23503)
                lambda: PostgresSaver(conn).put(latest.config, latest.checkpoint, latest.metadata, {}),  # ON CONFLICT meets A's row
            ):
                with pytest.raises(tg.ThreadNotOwnedError) as caught:
                    attempt()
                causes.append(caught.value.__cause__)
                assert str(alice[0]) not in str(caught.value) and str(bob[0]) not in str(caught.value)
            assert {type(c) for c in causes} == {psycopg.errors.ForeignKeyViolation, psycopg.errors.InsufficientPrivilege}
            with conn.pipeline() as pipe:
                piped = PostgresSaver(conn, pipe)
                with pytest.raises(tg.ThreadNotOwnedError):
                    piped.put_writes(latest.config, [("messages", ["injected"])], task_id="t")
        with tg.acting_as(*alice):
            assert PostgresSaver(conn).get_tuple(config(thread)).pending_writes == latest.pending_writes


def test_delete_namespace_removes_a_subgraphs_state_and_keeps_the_thread(alice: Who, bob: Who, app: Route) -> None:
    with app.connect() as conn:
        saver = PostgresSaver(conn)
        with tg.acting_as(*alice):
            thread = _new_thread(conn, "with a subgraph")
            chat_graph(saver).invoke({"messages": ["root"]}, config(thread))
            sub = {"configurable": {"thread_id": thread, "checkpoint_ns": "sub:1"}}
            latest = saver.get_tuple(config(thread))
            assert latest is not None
            saver.put(sub, {**latest.checkpoint, "id": "1f0-sub"}, latest.metadata, {})
            assert saver.get_tuple(sub) is not None
        with tg.acting_as(*bob):
            assert tg.delete_namespace(conn, thread, "sub:1") is None
        with tg.acting_as(*alice):
            assert tg.delete_namespace(conn, thread, "sub:1") == 1
            assert saver.get_tuple(sub) is None
            assert saver.get_tuple(config(thread)) is not None, "the root namespace is untouched"


def test_thread_ids_are_canonical_everywhere_and_refusals_do_not_flood_the_log(
    alice: Who, app: Route, caplog: pytest.LogCaptureFixture
) -> None:
    """An upper-case spelling of one's own thread id: the Python API refuses it like
    LangGraph does, and both errors say what a canonical id is. Refused writes log nothing."""
    with app.connect() as conn, tg.acting_as(*alice):
        graph = chat_graph(PostgresSaver(conn))
        thread = _new_thread(conn, "canonical")
        with pytest.raises(ValueError, match="canonical lower-case"):
            tg.get_conversation(conn, thread.upper())
        with pytest.raises(ValueError, match="canonical lower-case"):
            tg.delete_conversation(conn, thread.upper())
        assert tg.get_conversation(conn, uuid.UUID(thread.upper())) is not None, "a uuid value has no spelling"
        with pytest.raises(ValueError, match="canonical lower-case"):
            graph.get_state(config(thread.upper()))  # not a silently empty state
        with pytest.raises(ValueError, match="canonical lower-case"):
            graph.invoke({"messages": ["hi"]}, config(thread.upper()))
        with caplog.at_level("WARNING", logger="psycopg"):
            for _ in range(3):  # a foreign thread: refused, with the canonical form named
                with pytest.raises(tg.ThreadNotOwnedError, match="canonical form"):
                    graph.invoke({"messages": ["hi"]}, config(str(uuid.uuid4())))
        assert [r.getMessage() for r in caplog.records if r.name.startswith("psycopg")] == []


@pytest.mark.parametrize("kind", ["connection", "pool"])
def test_copy_thread_and_delete_for_runs_reach_only_the_callers_threads(alice: Who, bob: Who, app: Route, migrated_db: str, kind: str) -> None:
    """threadguard.PostgresSaver (LangGraph's saver plus copy_thread and delete_for_runs through the
    SQL API): a graph's thread is copied whole into a new conversation of the same user, titles and
    labels included; another user can neither copy it nor delete its runs."""
    with guarded_saver(app, kind) as (saver, api_conn):
        graph = chat_graph(saver)
        with tg.acting_as(*alice):
            thread_a = _new_thread(api_conn, "A's chat")
            assert tg.set_conversation_metadata(api_conn, thread_a, {"project": "apollo"})
            run_1, run_2 = uuid.uuid4(), uuid.uuid4()
            # LangGraph copies a run id given in `configurable` (as the LangGraph server does) into each checkpoint's metadata.
            graph.invoke({"messages": ["first"]}, {"configurable": {"thread_id": thread_a, "run_id": str(run_1)}})
            graph.invoke({"messages": ["second"]}, {"configurable": {"thread_id": thread_a, "run_id": str(run_2)}})
            copy = str(uuid.uuid4())
            saver.copy_thread(thread_a, copy)
            assert graph.get_state(config(copy)).values == graph.get_state(config(thread_a)).values
            assert [s.config["configurable"]["checkpoint_id"] for s in graph.get_state_history(config(copy))] == [
                s.config["configurable"]["checkpoint_id"] for s in graph.get_state_history(config(thread_a))]
            detail = tg.search_conversations(api_conn, metadata={"project": "apollo"})
            assert [(str(c.thread_id), c.title) for c in detail] == [(copy, "A's chat"), (thread_a, "A's chat")]
        with tg.acting_as(*bob):
            with pytest.raises(tg.ThreadNotOwnedError):
                saver.copy_thread(thread_a, str(uuid.uuid4()))
            before = thread_rows(migrated_db, thread_a)
            saver.delete_for_runs([str(run_1), str(run_2)])
            assert thread_rows(migrated_db, thread_a) == before, "B's delete_for_runs removed A's rows"
            assert tg.search_conversations(api_conn, metadata={"project": "apollo"}) == []
        with tg.acting_as(*alice):
            with pytest.raises(psycopg.errors.UniqueViolation):
                saver.copy_thread(thread_a, copy)
            saver.delete_for_runs([str(run_1)])
            runs = {str(s.metadata.get("run_id")) for s in saver.list(config(thread_a))}
            assert str(run_1) not in runs and str(run_2) in runs
            assert graph.get_state(config(thread_a)).values["messages"][-1] == "assistant: I heard 'second'"
            # A run's checkpoints go from every thread of the caller's, the copy's included (LangGraph's semantics).
            assert {str(s.metadata.get("run_id")) for s in saver.list(config(copy))} == {str(run_2)}


def test_the_copy_and_search_example_runs_as_printed(app_db: str, monkeypatch: pytest.MonkeyPatch,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    from pathlib import Path

    section = (Path(__file__).resolve().parents[2] / "docs" / "langgraph.md").read_text(encoding="utf-8")
    code = section[section.index("```python\n") + len("```python\n"):section.index("\n```\n")]
    printed = section[section.index("```text\n") + len("```text\n"):]
    printed = printed[:printed.index("\n```\n")]
    monkeypatch.setenv("DATABASE_URL", app_db)  # the application's login
    exec(compile(code, "docs/langgraph.md (copy and search example)", "exec"), {})
    assert capsys.readouterr().out.splitlines() == printed.splitlines()
