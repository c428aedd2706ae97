"""LangGraph's Store (long-term memory) under threadguard, driven through the real,
unmodified PostgresStore / AsyncPostgresStore on threadguard's connections and pools,
directly and through PgBouncer in transaction mode: two tenants and two users of one
tenant store, search and delete memories concurrently and never see or disturb each
other; the application's setup(), vector search and TTL sweeper; the sweep, erasure and
export operations; adopting a populated store."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import psycopg
import pytest
from dbtools import Route, app_conninfo, ensure_app_login, legacy_login, operator_conninfo, roles_of
from langgraph.store.base import GetOp, ListNamespacesOp, PutOp, SearchOp
from langgraph.store.postgres import PostgresStore
from langgraph.store.postgres.aio import AsyncPostgresStore
from psycopg import sql
from psycopg.rows import dict_row

import threadguard as tg
from threadguard import runner

Who = tuple[uuid.UUID, uuid.UUID]
ROUNDS = 40


def _people() -> list[Who]:
    """Two users of tenant A and one of tenant B."""
    tenant_a, tenant_b = uuid.uuid4(), uuid.uuid4()
    return [(tenant_a, uuid.uuid4()), (tenant_a, uuid.uuid4()), (tenant_b, uuid.uuid4())]


def _session(store: PostgresStore, who: Who, rounds: int) -> dict[str, Any]:
    """One user's work, as an application does it: the same keys every user uses, in
    their own namespace and their tenant's shared one; what they saw."""
    tenant, user = who
    seen: dict[str, Any] = {"foreign": []}
    with tg.acting_as(*who):
        mine, shared = tg.user_namespace("memories"), tg.tenant_namespace("kb")
        for i in range(rounds):
            store.put(mine, f"fact-{i % 5}", {"owner": str(user), "i": i, "topic": "food" if i % 2 else "travel"})
            if i % 7 == 0:
                store.put(shared, f"doc-{user}-{i}", {"tenant": str(tenant), "i": i})
            got = store.get(mine, "fact-0")
            assert got is not None and got.value["owner"] == str(user)
            for item in store.search(()) + store.search((str(tenant),), filter={"topic": "food"}, limit=3, offset=1):
                if item.namespace[0] != str(tenant) or item.namespace[1] not in (str(user), "shared"):
                    seen["foreign"].append(item.namespace)
            if i % 9 == 4:
                store.delete(mine, "fact-4")
        results = store.batch([
            GetOp(mine, "fact-1"),
            SearchOp(mine, filter={"owner": str(user)}, limit=10),
            ListNamespacesOp(match_conditions=None, max_depth=None, limit=100, offset=0),
            PutOp(mine, "batched", {"owner": str(user)}),
        ])
        seen["batch_get"] = results[0]
        seen["batch_search"] = results[1]
        seen["namespaces"] = set(results[2] or [])
        seen["mine"] = {i.key: i.value for i in store.search(mine, limit=100)}
        seen["shared"] = {i.key for i in store.search(shared, limit=1000)}
    return seen


def _check(people: list[Who], seen: dict[Who, dict[str, Any]]) -> None:
    for (tenant, user), s in seen.items():
        assert s["foreign"] == [], "nobody ever sees another user's or tenant's items"
        assert set(s["mine"]) == {"fact-0", "fact-1", "fact-2", "fact-3", "batched"} | ({"fact-4"} if "fact-4" in s["mine"] else set())
        assert {v["owner"] for v in s["mine"].values()} == {str(user)}, "every item in my namespace is mine, never overwritten by others"
        assert s["batch_get"].value["owner"] == str(user)
        assert {i.value["owner"] for i in s["batch_search"]} == {str(user)}
        assert s["namespaces"] <= {(str(tenant), str(user), "memories"), (str(tenant), "shared", "kb")}
        colleagues = {u for t, u in people if t == tenant}
        assert s["shared"] and {k.split("-", 1)[1].rsplit("-", 1)[0] for k in s["shared"]} <= {str(u) for u in colleagues}


def test_concurrent_users_on_a_pool_never_meet(app: Route) -> None:
    people = _people()
    with app.pool(min_size=3, max_size=3) as pool:
        pool.wait()
        store = PostgresStore(pool)
        with ThreadPoolExecutor(max_workers=len(people)) as ex:
            seen = dict(zip(people, ex.map(lambda who: _session(store, who, ROUNDS), people), strict=True))
    _check(people, seen)
    # Two users of tenant A used the same namespace label and keys: both kept theirs.
    assert seen[people[0]]["mine"].keys() & seen[people[1]]["mine"].keys() >= {"fact-0", "batched"}


def test_one_connection_and_a_pipelined_store(app: Route) -> None:
    people = _people()
    with app.connect() as conn:
        seen = {who: _session(PostgresStore(conn), who, 10) for who in people}
        _check(people, seen)
        with conn.pipeline() as pipe:
            store = PostgresStore(conn, pipe=pipe)
            with tg.acting_as(*people[0]):
                store.put(tg.user_namespace("piped"), "k", {"v": 1})
                assert store.get(tg.user_namespace("piped"), "k").value == {"v": 1}  # type: ignore[union-attr]
            with tg.acting_as(*people[1]):  # same tenant, other user
                assert all(i.namespace[1] in (str(people[1][1]), "shared") for i in store.search((str(people[0][0]),), limit=100))
                assert store.get((str(people[0][0]), str(people[0][1]), "piped"), "k") is None


async def _asession(store: tg.AsyncStore, who: Who) -> dict[str, Any]:
    tenant, user = who
    with tg.acting_as(*who):
        mine = tg.user_namespace("memories")
        for i in range(ROUNDS):
            await store.aput(mine, f"fact-{i % 5}", {"owner": str(user), "i": i})
            await store.aput(tg.tenant_namespace("kb"), f"doc-{user}", {"tenant": str(tenant)})
            assert (await store.aget(mine, "fact-0")).value["owner"] == str(user)  # type: ignore[union-attr]
        await store.adelete(mine, "fact-4")
        everything = await store.asearch((), limit=1000)
        namespaces = await store.alist_namespaces()
    return {"everything": everything, "namespaces": namespaces}


async def test_async_store_on_a_pool(app: Route) -> None:
    people = _people()
    async with app.apool(min_size=3, max_size=3) as pool:
        store = tg.async_store(pool)
        results = await asyncio.gather(*(_asession(store, who) for who in people))
    for (tenant, user), seen in zip(people, results, strict=True):
        mine = {(tuple(i.namespace), i.key) for i in seen["everything"] if i.namespace[1] != "shared"}
        assert mine == {((str(tenant), str(user), "memories"), f"fact-{k}") for k in range(4)}
        assert {i.namespace[0] for i in seen["everything"]} == {str(tenant)}
        colleagues = {str(u) for t, u in people if t == tenant}
        assert {i.key for i in seen["everything"] if i.namespace[1] == "shared"} == {f"doc-{u}" for u in colleagues}
        assert set(seen["namespaces"]) == {(str(tenant), str(user), "memories"), (str(tenant), "shared", "kb")}


async def test_async_store_on_one_connection(app: Route) -> None:
    people = _people()
    async with await app.aconnect() as conn:
        store = tg.async_store(conn)
        results = await asyncio.gather(*(_asession(store, who) for who in people))
        with tg.acting_as(*people[0]):
            found = await store.asearch(tg.user_namespace("memories"), filter={"owner": str(people[0][1])}, limit=2, offset=1)
            assert [i.key for i in found] == [i.key for i in await store.asearch(tg.user_namespace("memories"), limit=5)][1:3]
    for (tenant, user), seen in zip(people, results, strict=True):
        assert {(i.namespace[0], i.namespace[1]) for i in seen["everything"]} <= {(str(tenant), str(user)), (str(tenant), "shared")}


async def test_the_shared_batcher_is_refused_whoever_created_the_store(app: Route, migrated_db: str) -> None:
    """AsyncPostgresStore's own aput/aget run in one task shared by all callers, in the
    context of whoever created the store: refused, even when that was an identity."""
    alice, bob = _people()[:2]
    async with app.apool(min_size=1, max_size=2) as pool:
        with tg.acting_as(*alice):
            store = AsyncPostgresStore(pool)  # its background task now carries Alice's identity
            with pytest.raises(tg.SharedBatcherError, match="async_store"):
                await store.aput(tg.user_namespace("memories"), "k", {"v": "alice"})
        with tg.acting_as(*bob):
            with pytest.raises(tg.SharedBatcherError):
                await store.aget((str(alice[0]), str(alice[1]), "memories"), "k")
            assert await store.abatch([GetOp((str(alice[0]), str(alice[1]), "memories"), "k")]) == [None]
    with psycopg.connect(migrated_db, autocommit=True) as conn:
        assert conn.execute("select count(*) from public.store where prefix like %s", (f"{alice[0]}.%",)).fetchone()[0] == 0


def test_no_identity_sees_nothing_and_writes_nothing(app: Route) -> None:
    who = _people()[0]
    with app.connect() as conn:
        store = PostgresStore(conn)
        with tg.acting_as(*who):
            ns = tg.user_namespace("memories")
            store.put(ns, "k", {"v": 1})
        assert store.get(ns, "k") is None
        assert store.search(()) == [] and store.list_namespaces() == []
        with pytest.raises(tg.NamespaceNotOwnedError):
            store.put(ns, "k", {"v": "overwritten"})
        store.delete(ns, "k")  # a delete of nothing visible: no error, nothing deleted
        with tg.acting_as(*who):
            assert store.get(ns, "k").value == {"v": 1}  # type: ignore[union-attr]
    with pytest.raises(LookupError, match="acting_as"):
        tg.user_namespace("memories")


def test_a_foreign_key_is_neither_overwritten_nor_revealed(app: Route) -> None:
    alice, bob = _people()[:2]  # same tenant
    with app.connect() as conn:
        store = PostgresStore(conn)
        with tg.acting_as(*alice):
            alices = tg.user_namespace("memories")
            store.put(alices, "secret", {"v": "alice's"})
        with tg.acting_as(*bob):
            errors = []
            for key in ("secret", "no-such-key"):
                with pytest.raises(tg.NamespaceNotOwnedError) as caught:
                    store.put(alices, key, {"v": "bob's"})
                errors.append((type(caught.value.__cause__), caught.value.__cause__.diag.message_primary))  # type: ignore[union-attr]
            assert errors[0] == errors[1], "a key Alice holds and one nobody holds are refused alike"
            assert "Alice" not in str(caught.value) and alices[1] not in str(caught.value)
            store.delete(alices, "secret")
            assert store.get(alices, "secret") is None
            store.put(tg.user_namespace("memories"), "secret", {"v": "bob's"})  # the same key, in his own namespace
        with tg.acting_as(*alice):
            assert store.get(alices, "secret").value == {"v": "alice's"}  # type: ignore[union-attr]


def test_setup_just_works_at_the_version_migrate_left(app_db: str, migrated_db: str) -> None:
    with tg.connect(app_db) as conn:
        PostgresStore(conn).setup()
    with psycopg.connect(migrated_db, autocommit=True) as conn:
        conn.execute("delete from public.store_migrations where v = (select max(v) from public.store_migrations)")
    try:
        with tg.connect(app_db) as conn, pytest.raises(tg.SetupBelongsToMigrateError, match="threadguard migrate"):
            PostgresStore(conn).setup()
    finally:
        with psycopg.connect(migrated_db, autocommit=True) as conn:
            conn.execute("insert into public.store_migrations (v) values (3)")


async def test_async_setup_just_works(app_db: str) -> None:
    async with await tg.aconnect(app_db) as conn:
        await AsyncPostgresStore(conn).setup()


def test_vector_search_is_refused_and_writes_nothing(app_db: str) -> None:
    def embed(texts: list[str]) -> list[list[float]]:
        return [[1.0, 0.0] for _ in texts]

    with tg.connect(app_db) as conn, tg.acting_as(*_people()[0]):
        store = PostgresStore(conn, index={"dims": 2, "embed": embed})
        ns = tg.user_namespace("vectors")
        with pytest.raises(tg.VectorSearchUnsupportedError, match="without index="):
            store.put(ns, "k", {"text": "hello"})
        assert PostgresStore(conn).get(ns, "k") is None, "the item was not written without its vectors"
        with pytest.raises(tg.VectorSearchUnsupportedError):
            store.search(ns, query="hello")


def _expire(conninfo: str, keys: list[str]) -> None:
    """Make items expired, as time would (a fixture written as superuser, not a sleep)."""
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute("update public.store set expires_at = now() - interval '1 minute' where key = any(%s)", (keys,))


def test_ttl_sweep_is_an_operation(migrated_db: str, app_db: str) -> None:
    alice, bob = _people()[0], _people()[2]
    keys = {who: f"ttl-{uuid.uuid4()}" for who in (alice, bob)}
    with tg.connect(app_db) as conn:
        store = PostgresStore(conn, ttl={"default_ttl": 60})
        for who, key in keys.items():
            with tg.acting_as(*who):
                store.put(tg.user_namespace("ttl"), key, {"v": 1})
                store.put(tg.user_namespace("ttl"), key + "-kept", {"v": 1})
        _expire(migrated_db, list(keys.values()))
        assert store.sweep_ttl() == 0, "LangGraph's own sweeper runs with no identity: it deletes nothing"
        with tg.acting_as(*alice):
            assert store.sweep_ttl() == 1, "inside acting_as it deletes only the caller's expired items"
    admin = operator_conninfo(migrated_db)
    done = subprocess.run([sys.executable, "-m", "threadguard.cli", "sweep-store", "--database", admin, "--batch-size", "1"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("deleted 1 expired store item(s)") and "left" in done.stderr
    with psycopg.connect(migrated_db) as conn:
        left = {r[0] for r in conn.execute("select key from public.store where key like 'ttl-%'")}
    assert left == {k + "-kept" for k in keys.values()}


def test_erasure_and_export_cover_the_store(migrated_db: str, app_db: str) -> None:
    (tenant, alice), (_, bob) = _people()[:2]
    with tg.connect(app_db) as conn:
        store = PostgresStore(conn)
        for user in (alice, bob):
            with tg.acting_as(tenant, user):
                store.put(tg.user_namespace("memories"), "likes", {"food": f"{user}"})
                store.put(tg.tenant_namespace("kb"), f"from-{user}", {"v": 1})
    admin = operator_conninfo(migrated_db)

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "threadguard.cli", *args, "--database", admin, "--tenant", str(tenant)],
                              capture_output=True, text=True, timeout=120)

    exported = cli("export", "--user", str(alice), "--reason", "access request")
    assert exported.returncode == 0, exported.stderr
    lines = [json.loads(line) for line in exported.stdout.splitlines()]
    assert [line["store_item"]["namespace"] for line in lines] == [[str(tenant), str(alice), "memories"]]
    assert lines[0]["store_item"]["value"] == {"food": str(alice)}
    assert "1 store item(s)" in exported.stderr
    erased = cli("erase", "--user", str(alice), "--reason", "gdpr")
    assert erased.returncode == 0, erased.stderr
    assert erased.stdout.strip().endswith("0 store item(s)")
    with tg.connect(app_db) as conn:
        store = PostgresStore(conn)
        with tg.acting_as(tenant, alice):
            assert store.search(tg.user_namespace("memories")) == []
            assert len(store.search(tg.tenant_namespace("kb"))) == 2, "the tenant's shared items are the tenant's, not Alice's"
        with tg.acting_as(tenant, bob):
            assert store.get(tg.user_namespace("memories"), "likes") is not None
    assert cli("erase", "--reason", "tenant closed").returncode == 0
    with psycopg.connect(migrated_db) as conn:
        assert conn.execute("select count(*) from public.store where prefix like %s", (f"{tenant}.%",)).fetchone()[0] == 0


# --- adoption ---------------------------------------------------------------


@pytest.fixture
def legacy_store(empty_db: str) -> Iterator[tuple[str, str]]:
    """A database where the application's own login ran PostgresStore.setup() and stored
    items, some already in threadguard's namespaces, some in a namespace of its own."""
    owner, legacy = legacy_login(empty_db)
    with psycopg.connect(legacy, autocommit=True, prepare_threshold=0, row_factory=dict_row) as conn:
        store = PostgresStore(conn)
        store.setup()
    yield empty_db, legacy
    with psycopg.connect(empty_db, autocommit=True) as conn:
        conn.execute(sql.SQL("drop owned by {}").format(sql.Identifier(owner)))
        conn.execute(sql.SQL("drop role {}").format(sql.Identifier(owner)))


def test_adopting_a_populated_store_keeps_every_row(legacy_store: tuple[str, str]) -> None:
    db, legacy = legacy_store
    tenant, user = uuid.uuid4(), uuid.uuid4()
    with psycopg.connect(legacy, autocommit=True, prepare_threshold=0, row_factory=dict_row) as conn:
        store = PostgresStore(conn)
        store.put((str(tenant), str(user), "memories"), "k", {"v": "in convention"})
        for i in range(50):
            store.put(("memories", str(user)), f"k{i}", {"v": i}, ttl=None)
    with psycopg.connect(db) as conn:
        before = conn.execute("select prefix, key, value from public.store order by 1, 2").fetchall()
    runner.migrate(db)
    with psycopg.connect(db) as conn:
        assert conn.execute("select prefix, key, value from public.store order by 1, 2").fetchall() == before
        assert conn.execute("select pg_get_userbyid(relowner) from pg_class where oid = 'public.store'::regclass").fetchone()[0] == roles_of(db).owner
    assert runner.verify(db) == ["50 item(s) of public.store are outside the namespace convention (tenant_id, user_id or 'shared', ...): "
                                 "no identity can read them (give them an owner with threadguard.assign_store_items)"]
    ensure_app_login(db)
    with tg.connect(app_conninfo(db)) as conn, tg.acting_as(tenant, user):
        store = PostgresStore(conn)
        assert store.get(tg.user_namespace("memories"), "k").value == {"v": "in convention"}  # type: ignore[union-attr]
        assert store.search(("memories",)) == [], "items outside the convention are nobody's"
    with psycopg.connect(db, autocommit=True) as conn:
        assert conn.execute("select threadguard.assign_store_items(%s, %s, %s, 'adoption')",
                            (f"memories.{user}", tenant, user)).fetchone()[0] == 50
    assert runner.verify(db) == []
    with tg.connect(app_conninfo(db)) as conn, tg.acting_as(tenant, user):
        assert len(PostgresStore(conn).search(tg.user_namespace("memories"), limit=100)) == 51
    # Rolling back to before 0017 hands the store back with every row (the legacy login owns it again).
    rolled: list[str] = []
    while "0017_store" not in rolled:
        rolled += runner.rollback(db)
    assert rolled[-2:] == ["0018_database_roles", "0017_store"]
    with psycopg.connect(legacy, autocommit=True, prepare_threshold=0, row_factory=dict_row) as conn:
        assert len(PostgresStore(conn).search((), limit=1000)) == 51


def test_unknown_store_version_is_refused(legacy_store: tuple[str, str]) -> None:
    db, _ = legacy_store
    with psycopg.connect(db) as conn:
        conn.execute("insert into public.store_migrations values (4)")
    with pytest.raises(runner.MigrationError) as caught:
        runner.migrate(db)
    assert "0017_store" in str(caught.value) and "version 4" in str(caught.value)
    assert "0017_store" not in [s.id for s in runner.status(db) if s.applied_at]


def test_a_store_with_vectors_is_refused(legacy_store: tuple[str, str]) -> None:
    db, _ = legacy_store
    with psycopg.connect(db) as conn:
        conn.execute("create table public.store_vectors (prefix text, key text)")
    with pytest.raises(runner.MigrationError, match="store_vectors"):
        runner.migrate(db)


def test_fastapi_answers_a_foreign_store_write_with_404(app_db: str) -> None:
    from fastapi import FastAPI
    from fastapi.testclient import TestClient

    from threadguard.fastapi import IdentityMiddleware, install_error_handlers

    alice, bob = _people()[:2]
    service = FastAPI()
    service.add_middleware(IdentityMiddleware, principal=lambda r: (r.headers["x-tenant"], r.headers["x-user"]))
    install_error_handlers(service)

    @service.put("/memories/{owner}/{key}")
    def remember(owner: str, key: str) -> dict[str, str]:
        with tg.connect(app_db) as conn:
            PostgresStore(conn).put((str(alice[0]), owner, "memories"), key, {"v": "x"})
        return {"ok": "stored"}

    client = TestClient(service)
    as_alice = {"x-tenant": str(alice[0]), "x-user": str(alice[1])}
    as_bob = {"x-tenant": str(bob[0]), "x-user": str(bob[1])}
    assert client.put(f"/memories/{alice[1]}/k", headers=as_alice).json() == {"ok": "stored"}
    refused = client.put(f"/memories/{alice[1]}/k", headers=as_bob)
    assert (refused.status_code, refused.json()) == (404, {"detail": "not found"})


def test_verify_reports_the_missing_owner_index(empty_db: str) -> None:
    runner.migrate(empty_db)
    with psycopg.connect(empty_db, autocommit=True) as conn:
        conn.execute("drop index public.store_owner_idx")
    problems = runner.verify(empty_db)
    assert len(problems) == 1 and "store_owner_idx" in problems[0] and "create index store_owner_idx" in problems[0]
    with psycopg.connect(empty_db, autocommit=True) as conn:
        conn.execute('create index store_owner_idx on public.store (prefix collate "C")')
    assert runner.verify(empty_db) == []


async def test_the_sync_stores_async_methods_run_without_the_callers_identity(app_db: str) -> None:
    """PostgresStore.aget/aput run batch() in an executor thread that gets no contextvars:
    fail closed (nothing seen, nothing written), as the README says."""
    with tg.connect(app_db) as conn:
        store = PostgresStore(conn)
        with tg.acting_as(*_people()[0]):
            ns = tg.user_namespace("memories")
            store.put(ns, "k", {"v": 1})
            assert store.get(ns, "k") is not None
            assert await store.aget(ns, "k") is None
            with pytest.raises(tg.NamespaceNotOwnedError):
                await store.aput(ns, "k2", {"v": 2})


def test_the_readme_store_example_runs_as_printed(app_db: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "docs" / "store.md").read_text(encoding="utf-8")
    section = readme[readme.index("## LangGraph's store"):]
    code = section[section.index("```python\n") + len("```python\n"):section.index("\n```\n")]
    monkeypatch.setenv("DATABASE_URL", app_db)  # the application's login
    exec(compile(code, "docs/store.md (store example)", "exec"), {})
    assert capsys.readouterr().out.splitlines() == ["['diet'] ['diet', 'travel']", "[]"]
