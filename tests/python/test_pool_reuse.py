"""One pooled connection, thousands of checkouts alternating tenants and no
identity at all, sync and async: every statement sees exactly its own rows,
and a connection back in the pool carries no identity."""

from __future__ import annotations

import contextlib
import random
import uuid
from typing import Any

import psycopg
from langgraph.checkpoint.postgres import PostgresSaver
from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver

import threadguard as tg
from threadguard.demo import chat_graph, config

CHECKOUTS = 3000
Who = tuple[uuid.UUID, uuid.UUID] | None


def _world(app_db: str) -> dict[Who, set[str]]:
    """Two tenants with one conversation and checkpoints each; what each should see."""
    world: dict[Who, set[str]] = {None: set()}
    with tg.connect(app_db) as conn:
        graph = chat_graph(PostgresSaver(conn))
        for _ in range(2):
            who = (uuid.uuid4(), uuid.uuid4())
            with tg.acting_as(*who):
                thread = tg.create_conversation(conn, "pool reuse").thread_id
                graph.invoke({"messages": ["hi"]}, config(thread))
            world[who] = {thread}
    return world


def _schedule(world: dict[Who, set[str]], n: int) -> list[Who]:
    """Alternating tenants and no identity, in a shuffled but reproducible order."""
    people = list(world)
    order = [people[i % len(people)] for i in range(n)]
    random.Random(7).shuffle(order)
    return order


def _acting(who: Who) -> contextlib.AbstractContextManager[Any]:
    return tg.acting_as(*who) if who else contextlib.nullcontext()


_PROBE = "select current_setting('app.tenant_id', true) as tenant, array(select distinct thread_id from public.checkpoints) as threads"


def test_sync_pool_of_one_never_leaks(app_db: str) -> None:
    world = _world(app_db)
    with tg.saver_pool(app_db, min_size=1, max_size=1) as pool:
        saver = PostgresSaver(pool)
        for i, who in enumerate(_schedule(world, CHECKOUTS)):
            with _acting(who):
                if i % 10 == 0:  # the saver's own checkouts, interleaved
                    listed = {c.config["configurable"]["thread_id"] for c in saver.list(None, limit=5)}
                    assert listed <= world[who]
                    continue
                with pool.connection() as conn:
                    row = conn.execute(_PROBE).fetchone()
            assert set(row["threads"]) == world[who], f"checkout {i} as {who} saw {row['threads']}"
            assert row["tenant"] == (str(who[0]) if who else "")

        # Back in the pool, the connection carries nobody's identity.
        with tg.acting_as(*next(w for w in world if w)), pool.connection() as conn:
            conn.execute("select 1")
        idle = pool.getconn()
        try:
            with psycopg.Cursor(idle) as cur:  # a plain cursor: binds nothing
                row = cur.execute("select current_setting('app.tenant_id', true) as tenant").fetchone()
                assert row["tenant"] == ""
        finally:
            pool.putconn(idle)


async def test_async_pool_of_one_never_leaks(app_db: str) -> None:
    world = _world(app_db)
    async with tg.async_saver_pool(app_db, min_size=1, max_size=1) as pool:
        saver = AsyncPostgresSaver(pool)
        for i, who in enumerate(_schedule(world, CHECKOUTS // 2)):
            with _acting(who):
                if i % 10 == 0:
                    listed = {c.config["configurable"]["thread_id"] async for c in saver.alist(None, limit=5)}
                    assert listed <= world[who]
                    continue
                async with pool.connection() as conn:
                    row = await (await conn.execute(_PROBE)).fetchone()
            assert set(row["threads"]) == world[who], f"checkout {i} as {who} saw {row['threads']}"

        idle = await pool.getconn()
        try:
            async with psycopg.AsyncCursor(idle) as cur:
                await cur.execute("select current_setting('app.tenant_id', true) as tenant")
                assert (await cur.fetchone())["tenant"] == ""
        finally:
            await pool.putconn(idle)


def test_one_connection_switching_identity_every_statement(app_db: str) -> None:
    """A single bound connection follows every change of identity, including a
    switch right after a refused (rolled-back) pipelined write."""
    world = _world(app_db)
    with tg.connect(app_db) as conn:
        saver = PostgresSaver(conn)
        graph = chat_graph(saver)
        people = [w for w in world if w]
        for i, who in enumerate(_schedule(world, 600)):
            with _acting(who):
                if who and i % 7 == 0:
                    other = next(p for p in people if p != who)
                    try:
                        graph.invoke({"messages": ["intrusion"]}, config(next(iter(world[other]))))
                    except tg.ThreadNotOwnedError:
                        pass
                    else:
                        raise AssertionError(f"{who} wrote into {other}'s thread")
                row = conn.execute(_PROBE).fetchone()
            assert set(row["threads"]) == world[who], f"statement {i} as {who} saw {row['threads']}"


def test_identity_undone_by_a_rollback_is_sent_again(app_db: str) -> None:
    world = _world(app_db)
    first, second = [w for w in world if w]
    with tg.connect(app_db) as conn:
        with tg.acting_as(*first):
            assert set(conn.execute(_PROBE).fetchone()["threads"]) == world[first]
        with tg.acting_as(*second):
            with contextlib.suppress(ZeroDivisionError), conn.transaction():
                assert set(conn.execute(_PROBE).fetchone()["threads"]) == world[second]
                raise ZeroDivisionError  # rolls back the set_config made inside the transaction
            assert set(conn.execute(_PROBE).fetchone()["threads"]) == world[second]


def test_saver_operations_never_spend_a_round_trip_on_the_identity(app_db: str, monkeypatch: Any) -> None:
    """The identity goes out in the same round trip as a saver statement (inside a
    pipeline), never alone; on one connection it goes out only when it changes."""
    import threadguard.binding as binding

    world = _world(app_db)
    who = next(w for w in world if w)
    thread = next(iter(world[who]))
    sends: list[bool] = []
    real_send = binding._send

    def recording_send(conn: Any, want: Any) -> None:
        if want is not None:  # clears come from the pool's reset, in its worker thread
            sends.append(conn.pgconn.pipeline_status != psycopg.pq.PipelineStatus.OFF)
        real_send(conn, want)

    monkeypatch.setattr(binding, "_send", recording_send)
    with tg.saver_pool(app_db, min_size=2, max_size=2) as pool, tg.acting_as(*who):
        saver = PostgresSaver(pool)
        graph = chat_graph(saver)
        for _ in range(5):
            graph.invoke({"messages": ["again"]}, config(thread))
            saver.get_tuple(config(thread))
            list(saver.list(config(thread), limit=3))
    assert sends and all(sends), "an identity was sent in a round trip of its own"

    sends.clear()
    with tg.connect(app_db) as conn, tg.acting_as(*who):
        saver = PostgresSaver(conn)
        for _ in range(20):
            saver.get_tuple(config(thread))
    assert len(sends) == 1, f"one connection, one identity: sent {len(sends)} times"


def test_identity_switches_inside_one_pipeline(app_db: str) -> None:
    """Inside a pipeline the session carries what was queued last, not what was last committed."""
    world = _world(app_db)
    first, second = [w for w in world if w]
    with tg.connect(app_db) as conn:
        with tg.acting_as(*first):
            conn.execute("select 1")  # the session now carries `first`, committed
        with conn.pipeline():
            with tg.acting_as(*second):
                as_second = conn.cursor()
                as_second.execute(_PROBE)
            with tg.acting_as(*first):
                as_first = conn.cursor()
                as_first.execute(_PROBE)
        assert set(as_second.fetchone()["threads"]) == world[second]
        assert set(as_first.fetchone()["threads"]) == world[first]


def test_a_pipeline_sends_the_identity_once(app_db: str, monkeypatch: Any) -> None:
    """The saver's put is one pipeline of several statements: one set_config is enough."""
    import threadguard.binding as binding

    world = _world(app_db)
    who = next(w for w in world if w)
    sends: list[Any] = []
    real_send = binding._send
    monkeypatch.setattr(binding, "_send", lambda conn, want: (sends.append(want), real_send(conn, want)))
    with tg.connect(app_db) as conn, tg.acting_as(*who):
        with conn.pipeline():
            for _ in range(5):
                conn.cursor().execute("select 1")
        assert len(sends) == 1
        conn.execute("select 1")  # committed with the pipeline: nothing more to send
        assert len(sends) == 1
