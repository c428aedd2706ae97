"""Server sessions reused by other clients: pooled connections and a transaction-mode
PgBouncer that hands one server session to every client in turn. Thousands of
checkouts alternating tenants and no identity, sync and async: every statement sees
exactly its own rows, and no server session keeps an identity after a transaction."""

from __future__ import annotations

import contextlib
import random
import uuid
from typing import Any

import psycopg
import pytest
from dbtools import Route
from langgraph.checkpoint.postgres import PostgresSaver
from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver

import threadguard as tg
from threadguard.demo import chat_graph, config

CHECKOUTS = 2000
Who = tuple[uuid.UUID, uuid.UUID] | None

_PROBE = "select current_setting('app.tenant_id', true) as tenant, array(select distinct thread_id from public.checkpoints) as threads"
# What a server session carries between transactions, read by a client that sends no identity.
_LEFT_OVER = "select coalesce(current_setting('app.tenant_id', true), '') as tenant, coalesce(current_setting('app.user_id', true), '') as u"


def _world(app: Route) -> dict[Who, set[str]]:
    """Two tenants with one conversation and checkpoints each; what each should see."""
    world: dict[Who, set[str]] = {None: set()}
    with app.connect() as conn:
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


def _unbound(app: Route) -> psycopg.Connection[Any]:
    """A plain client of the same route: it sends no identity of its own."""
    return psycopg.connect(app.conninfo, autocommit=True, row_factory=psycopg.rows.dict_row, **app.kwargs)


def test_two_pools_sharing_server_sessions_never_leak(app: Route) -> None:
    """Two pools of one connection each (through PgBouncer: two clients of one server
    session), checked out in turn, with the saver's own checkouts interleaved; a third,
    unbound client finds nothing left in the server session after any transaction."""
    world = _world(app)
    servers: list[set[int]] = [set(), set()]
    with app.pool(min_size=1, max_size=1) as first, app.pool(min_size=1, max_size=1) as second, _unbound(app) as plain:
        pools = [first, second]
        savers = [PostgresSaver(first), PostgresSaver(second)]
        for i, who in enumerate(_schedule(world, CHECKOUTS)):
            with _acting(who):
                if i % 10 == 0:
                    listed = {c.config["configurable"]["thread_id"] for c in savers[i % 2].list(None, limit=5)}
                    assert listed <= world[who]
                    if who:
                        assert savers[i % 2].get_tuple(config(next(iter(world[who])))) is not None, "own thread not seen"
                with pools[i % 2].connection() as conn:
                    row = conn.execute(_PROBE + ", pg_backend_pid() as server").fetchone()
            servers[i % 2].add(row["server"])
            assert row["tenant"] == (str(who[0]) if who else ""), f"checkout {i}: wrong identity in the session"
            assert set(row["threads"]) == world[who], f"checkout {i} as {who} saw {row['threads']}"
            if i % 50 == 0:
                assert plain.execute(_LEFT_OVER).fetchone() == {"tenant": "", "u": ""}, f"checkout {i} left an identity behind"
    if app.name == "pgbouncer":
        assert servers[0] & servers[1], "the two clients never shared a server session: the test proved nothing"


async def test_async_pool_of_one_never_leaks(app: Route) -> None:
    world = _world(app)
    async with app.apool(min_size=1, max_size=1) as pool, app.apool(min_size=1, max_size=1) as other:
        saver = AsyncPostgresSaver(pool)
        for i, who in enumerate(_schedule(world, CHECKOUTS // 2)):
            with _acting(who):
                if i % 10 == 0:
                    listed = {c.config["configurable"]["thread_id"] async for c in saver.alist(None, limit=5)}
                    assert listed <= world[who]
                async with (pool if i % 2 else other).connection() as conn:
                    row = await (await conn.execute(_PROBE)).fetchone()
            assert set(row["threads"]) == world[who], f"checkout {i} as {who} saw {row['threads']}"


def test_one_connection_switching_identity_every_statement(app: Route) -> None:
    """A single bound connection follows every change of identity, including a
    switch right after a refused (rolled-back) pipelined write."""
    world = _world(app)
    with app.connect() as conn:
        graph = chat_graph(PostgresSaver(conn))
        people = [w for w in world if w]
        for i, who in enumerate(_schedule(world, 600)):
            with _acting(who):
                if who and i % 7 == 0:
                    other = next(p for p in people if p != who)
                    with pytest.raises(tg.ThreadNotOwnedError):
                        graph.invoke({"messages": ["intrusion"]}, config(next(iter(world[other]))))
                row = conn.execute(_PROBE).fetchone()
            assert set(row["threads"]) == world[who], f"statement {i} as {who} saw {row['threads']}"


def test_explicit_transactions_carry_the_identity_and_end_with_it(app: Route) -> None:
    world = _world(app)
    first, second = [w for w in world if w]
    with app.connect() as conn:
        with tg.acting_as(*first), conn.transaction():
            for _ in range(3):
                assert set(conn.execute(_PROBE).fetchone()["threads"]) == world[first]
        with tg.acting_as(*second):
            with contextlib.suppress(ZeroDivisionError), conn.transaction():
                assert set(conn.execute(_PROBE).fetchone()["threads"]) == world[second]
                raise ZeroDivisionError
            with conn.transaction():
                # SET TRANSACTION must be the transaction's first statement: it goes out alone.
                conn.execute("set transaction isolation level serializable")
                assert conn.execute("show transaction_isolation").fetchone()["transaction_isolation"] == "serializable"
                assert set(conn.execute(_PROBE).fetchone()["threads"]) == world[second]
        assert set(conn.execute(_PROBE).fetchone()["threads"]) == set(), "no identity outside acting_as"
        with tg.acting_as(*first):
            assert set(conn.execute(_PROBE).fetchone()["threads"]) == world[first]
            with psycopg.Cursor(conn) as raw:  # the same session, right after: nothing is left in it
                assert raw.execute(_LEFT_OVER).fetchone() == {"tenant": "", "u": ""}


def test_identity_switches_inside_one_pipeline(app: Route) -> None:
    world = _world(app)
    first, second = [w for w in world if w]
    with app.connect() as conn:
        with conn.pipeline():
            with tg.acting_as(*second):
                as_second = conn.cursor()
                as_second.execute(_PROBE)
            with tg.acting_as(*first):
                as_first = conn.cursor()
                as_first.execute(_PROBE)
        assert set(as_second.fetchone()["threads"]) == world[second]
        assert set(as_first.fetchone()["threads"]) == world[first]


def test_the_identity_never_costs_a_round_trip(app: Route, monkeypatch: Any) -> None:
    """Every identity the binding sends goes with the statement it guards: queued in the open
    pipeline, or (a statement outside any pipeline) sent with it and its Sync in one flush, both
    answered in one wait on the socket. No round trip of its own, on a pool or on one connection."""
    import threadguard.binding as binding

    world = _world(app)
    who = next(w for w in world if w)
    thread = next(iter(world[who]))
    sends: list[bool] = []
    waits: list[int] = []
    real, real_gen = binding._queue_identity, binding.execute_with_identity_gen

    def recording(conn: Any) -> None:
        sends.append(conn.pgconn.pipeline_status != psycopg.pq.PipelineStatus.OFF)
        real(conn)

    def counting(*args: Any, **kwargs: Any) -> Any:  # the waits of one exchange outside a pipeline
        waits.append(0)
        gen = real_gen(*args, **kwargs)
        try:
            ready = yield next(gen)
            while True:
                waits[-1] += 1
                ready = yield gen.send(ready)
        except StopIteration as done:
            return done.value

    monkeypatch.setattr(binding, "_queue_identity", recording)
    monkeypatch.setattr(binding, "execute_with_identity_gen", counting)
    with app.pool(min_size=2, max_size=2) as pool, tg.acting_as(*who):
        saver = PostgresSaver(pool)
        graph = chat_graph(saver)
        for _ in range(3):
            graph.invoke({"messages": ["again"]}, config(thread))
            saver.get_tuple(config(thread))
            list(saver.list(config(thread), limit=3))
            with pool.connection() as conn:
                assert [str(c.thread_id) for c in tg.list_conversations(conn)] == [thread]
        saver.prune([thread], strategy="keep_latest")
    assert sends and all(sends), "an identity was sent in a round trip of its own"
    assert waits, "statements outside a pipeline took the binding's one-exchange path"
    if app.name != "pgbouncer":  # a pooler may pass one answer on in two pieces
        waits.clear()
        with app.connect() as conn, tg.acting_as(*who):
            for _ in range(5):
                conn.execute(_PROBE)
        assert waits == [1] * 5, "the identity, the statement and its Sync are answered in one wait"


def test_a_pipeline_queues_the_identity_once_per_transaction(app: Route, monkeypatch: Any) -> None:
    """Several statements before one Sync are one implicit transaction: one identity.
    After a Sync, a change of identity, or a statement that may undo it (ROLLBACK TO
    SAVEPOINT), it is queued again, and every statement still sees exactly its rows."""
    import threadguard.binding as binding

    world = _world(app)
    first, second = [w for w in world if w]
    sends: list[str] = []
    real = binding._queue_identity
    monkeypatch.setattr(binding, "_queue_identity", lambda conn: (sends.append(binding._identity_params()[0]), real(conn)))
    sent = {}
    for who in (first, second):  # what the binding sends for each: the tenant id, or (sealed databases) the token
        with tg.acting_as(*who):
            sent[who] = binding._identity_params()[0]
    with app.connect() as conn:
        with tg.acting_as(*first), conn.pipeline() as pipe:
            cursors = [conn.cursor() for _ in range(3)]
            for cur in cursors:
                cur.execute(_PROBE)
            assert sends == [sent[first]]
            pipe.sync()
            with tg.acting_as(*second):
                conn.cursor().execute(_PROBE)
            last = conn.cursor()
            last.execute(_PROBE)
        assert sends == [sent[first], sent[second], sent[first]]
        assert all(set(cur.fetchone()["threads"]) == world[first] for cur in [*cursors, last])
        sends.clear()
        with tg.acting_as(*first), conn.transaction(), conn.pipeline():
            conn.execute("savepoint s")
            probe = conn.cursor()
            probe.execute(_PROBE)
            conn.execute("rollback to savepoint s")  # undoes the set_config queued after it
            after = conn.cursor()
            after.execute(_PROBE)
        assert sends == [sent[first]] * 2
        assert set(after.fetchone()["threads"]) == world[first]


def test_a_connection_that_keeps_plans_prepares_the_identity_once(app_db: str) -> None:
    """Where psycopg keeps plans (prepare_threshold=0: a direct connection), the identity statement is
    prepared once per connection by psycopg's rules, whoever it carries (the ids are parameters), and
    pipelines execute it by that name too."""
    with tg.connect(app_db, prepare_threshold=0) as conn:
        for _ in range(3):
            with tg.acting_as(uuid.uuid4(), uuid.uuid4()):
                conn.execute(_PROBE)
                with conn.pipeline():
                    conn.execute(_PROBE)
        runs = conn.execute("select generic_plans + custom_plans as n from pg_prepared_statements"
                            " where statement like '%set_config%'", prepare=False).fetchall()
    assert runs == [{"n": 3 * 2 + 1}], "one prepared identity, run by every statement (this one's too)"


def test_a_connection_left_mid_exchange_carries_nothing_more(app_db: str) -> None:
    """An exchange cut short (its server lost, its wait interrupted) leaves libpq's pipeline mode on
    with answers pending: the binding refuses to send anything more on that connection."""
    with tg.connect(app_db) as conn, tg.acting_as(uuid.uuid4(), uuid.uuid4()):
        conn.pgconn.enter_pipeline_mode()  # where an exchange cut short leaves it: no psycopg Pipeline open
        with pytest.raises(psycopg.OperationalError, match="close it"):
            conn.execute(_PROBE)


def test_a_bound_connection_prepares_nothing_a_pooled_neighbour_could_replace(app: Route) -> None:
    """No statement of the saver or of the identity is prepared under a name: behind a pooler a
    neighbour could re-PREPARE it in the shared server session."""
    tenant, user = uuid.uuid4(), uuid.uuid4()
    with tg.connect(app.conninfo) as conn, tg.acting_as(tenant, user):  # the binding's own defaults
        thread = tg.create_conversation(conn, "plain").thread_id
        graph = chat_graph(PostgresSaver(conn))
        for word in ("one", "two", "three", "four", "five", "six"):
            graph.invoke({"messages": [word]}, config(thread))
        assert conn.execute("select count(*) as n from pg_prepared_statements").fetchone()["n"] == 0


def test_a_named_cursor_carries_the_identity_and_nothing_a_neighbour_left(app_db: str) -> None:
    """A neighbour of the pooled server session left another identity at session level; a named
    cursor declared through the binding runs as the block's identity (or none), never that one."""
    a, b = (uuid.uuid4(), uuid.uuid4()), (uuid.uuid4(), uuid.uuid4())
    with tg.connect(app_db) as conn:
        with tg.acting_as(*a):
            tg.create_conversation(conn, "a's")
        with tg.acting_as(*b):
            tg.create_conversation(conn, "b's")
        # What a neighbour can leave on a shared server session: b's identity, at session level.
        conn.execute("select set_config('app.tenant_id', %s, false), set_config('app.user_id', %s, false)",
                     (str(b[0]), str(b[1])))
        with tg.acting_as(*a), conn.transaction(), conn.cursor(name="titles") as cur:
            cur.execute("select title from threadguard.conversations")
            assert [r["title"] for r in cur.fetchall()] == ["a's"]
        with conn.transaction(), conn.cursor(name="nobody") as cur:
            cur.execute("select title from threadguard.conversations")
            assert cur.fetchall() == [], "outside acting_as a named cursor sees nothing, whatever the session holds"
        with pytest.raises(psycopg.ProgrammingError, match="named cursor"), conn.cursor(name="autocommit") as cur:
            cur.execute("select title from threadguard.conversations")


def test_more_clients_than_server_connections_never_stall(app_db: str) -> None:
    """PgBouncer 1.18, transaction mode, ONE server connection, two clients taking turns running
    a graph and reading its state through the binding, over a link that answers 2 ms late and
    holds each Flush back 20 ms (tests/python/latency.py): no client ever waits for a server
    connection the other one, idle, still holds (query_wait_timeout would end it after 2 s).
    Every pipeline ends before its results are in, when psycopg would send the Flush that keeps
    the server linked (pgbouncer#759): the binding without its fix stalls on the first turn."""
    import threading

    from dbtools import APP_LOGIN, APP_PASSWORD, admin_conninfo
    from latency import late_flush_link
    from pgbouncer import pgbouncer, through
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    turns, clients = 20, 2
    turn = threading.Condition()
    state = {"next": 0, "done": 0}
    errors: list[BaseException] = []

    def client(me: int, conninfo: str) -> None:
        tenant, user = uuid.uuid4(), uuid.uuid4()
        try:
            with tg.connect(conninfo) as conn, tg.acting_as(tenant, user):
                thread = tg.create_conversation(conn, f"client {me}").thread_id
                graph = chat_graph(PostgresSaver(conn))
                for _ in range(turns // clients):
                    with turn:
                        turn.wait_for(lambda: state["next"] == me or bool(errors))
                        if errors:
                            return
                        graph.invoke({"messages": ["turn"]}, config(thread))
                        graph.get_state(config(thread))
                        state["done"] += 1
                        state["next"] = (me + 1) % clients
                        turn.notify_all()
        except BaseException as exc:  # noqa: BLE001 - reported below, with the turn it happened on
            with turn:
                errors.append(exc)
                turn.notify_all()

    with pgbouncer(admin_conninfo(), {APP_LOGIN: APP_PASSWORD}, pool_size=1, query_wait_timeout=2) as template:
        with late_flush_link(int(conninfo_to_dict(template)["port"])) as port:
            conninfo = make_conninfo(through(template, app_db), port=str(port))
            threads = [threading.Thread(target=client, args=(i, conninfo)) for i in range(clients)]
            for t in threads:
                t.start()
            for t in threads:
                t.join(timeout=600)
    assert errors == [], f"stalled after {state['done']} turns: {errors[0]!r}"
    assert state["done"] == turns
