"""The drift gate (issue #23, item 3): what threadguard relies on in LangGraph's and psycopg's code
is pinned here, so that an upgrade which changes it fails this suite instead of failing open; and a
LangGraph that expects another schema than the one threadguard protects is refused when a bound
connection or pool opens, and reported by verify. `make canary` runs this file, the conformance
suite and the isolation suites against the newest langgraph-checkpoint-postgres."""

from __future__ import annotations

import inspect
import re
from collections.abc import Iterator

import psycopg
import pytest
from langgraph.checkpoint.base import EXCLUDED_METADATA_KEYS
from langgraph.checkpoint.postgres import PostgresSaver, base
from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
from langgraph.store.base import batch
from langgraph.store.postgres import PostgresStore
from langgraph.store.postgres.aio import AsyncPostgresStore

import threadguard as tg
from threadguard import adapters, binding, checks, errors, upstream


def test_the_installed_langgraph_expects_the_schema_migrate_leaves(migrated_db: str) -> None:
    assert upstream.installed_schemas() == (upstream.CHECKPOINT_SCHEMA, upstream.STORE_SCHEMA)
    assert upstream.drift() is None
    with psycopg.connect(migrated_db) as conn:
        found = conn.execute("select (select max(v) from public.checkpoint_migrations), (select max(v) from public.store_migrations)").fetchone()
    assert found == (upstream.CHECKPOINT_SCHEMA, upstream.STORE_SCHEMA)


@pytest.fixture
def newer_langgraph(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The installed saver as a release that appended a migration would be (LangGraph's own code, one more entry)."""
    monkeypatch.setattr(base.BasePostgresSaver, "MIGRATIONS", [*base.BasePostgresSaver.MIGRATIONS, "ALTER TABLE checkpoints ADD COLUMN x text"])
    upstream.require_supported.cache_clear()
    yield
    monkeypatch.undo()
    upstream.require_supported.cache_clear()


async def test_a_drifted_langgraph_is_refused_at_open_and_named_by_verify(newer_langgraph: None, app_db: str, migrated_db: str) -> None:
    expected = re.compile(r"expects checkpoint schema version 10 and store schema version 3; threadguard protects checkpoint schema 9 .*"
                          r"threadguard migrate")
    with pytest.raises(upstream.LangGraphSchemaError, match=expected):
        tg.connect(app_db)
    with pytest.raises(upstream.LangGraphSchemaError, match=expected):
        tg.saver_pool(app_db)
    with pytest.raises(upstream.LangGraphSchemaError, match=expected):
        await tg.aconnect(app_db)
    with pytest.raises(upstream.LangGraphSchemaError, match=expected):
        tg.async_saver_pool(app_db)
    lines = checks.verify(migrated_db, data=False)
    assert lines and expected.search(lines[0]), lines


def test_what_the_binding_reads_in_langgraph_is_still_there() -> None:
    # setup(): its first statement is the one the binding turns into a no-op, then it reads the version.
    assert adapters._LANGGRAPH_SETUP.match(PostgresSaver.MIGRATIONS[0])
    for setup in (PostgresSaver.setup, AsyncPostgresSaver.setup):
        source = inspect.getsource(setup)
        assert "cur.execute(self.MIGRATIONS[0])" in source and "FROM checkpoint_migrations" in source, setup.__qualname__
    for setup in (PostgresStore.setup, AsyncPostgresStore.setup):
        source = inspect.getsource(setup)
        assert "CREATE TABLE IF NOT EXISTS {table} (" in source and 'table="store_migrations"' in source, setup.__qualname__
        assert "SELECT v FROM {table} ORDER BY v DESC LIMIT 1" in source, setup.__qualname__
    assert adapters._LANGGRAPH_SETUP.match("\n                CREATE TABLE IF NOT EXISTS store_migrations (\n")
    assert errors._SETUP_VERSION_TABLE.search("SELECT v FROM store_migrations ORDER BY v DESC LIMIT 1")
    # Every statement the saver writes or reads checkpoints with names a checkpoint table and takes the thread id first.
    assert adapters._reads_checkpoint_tables(base.SELECT_SQL)
    where = inspect.getsource(base.BasePostgresSaver._search_where)
    assert where.index('wheres.append("thread_id = %s ")') < where.index("wheres.append"  + '("checkpoint_ns'), "thread id first"
    for name in ("UPSERT_CHECKPOINT_BLOBS_SQL", "UPSERT_CHECKPOINTS_SQL", "UPSERT_CHECKPOINT_WRITES_SQL", "INSERT_CHECKPOINT_WRITES_SQL"):
        statement = getattr(base, name)
        assert adapters._reads_checkpoint_tables(statement), name
        assert re.search(r"INSERT INTO checkpoint\w* \(thread_id,", statement), name
    # prune opens its transaction with SET TRANSACTION, which must go out first, carrying nothing.
    assert base.PRUNE_SNAPSHOT_SQL == "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ"
    assert not binding._text_carries_identity(base.PRUNE_SNAPSHOT_SQL)
    # threadguard.PostgresSaver runs its two methods through the saver's own cursor helper.
    for saver in (PostgresSaver, AsyncPostgresSaver):
        assert "_cursor" in vars(saver), saver
        assert set(inspect.signature(saver._cursor).parameters) == {"self", "pipeline"}
    # copy_conversation copies checkpoint metadata as it is: LangGraph never writes the thread id into it.
    assert "thread_id" in EXCLUDED_METADATA_KEYS
    # The shared store batcher the binding refuses is this coroutine.
    assert inspect.iscoroutinefunction(batch._run)
    assert inspect.iscoroutinefunction(AsyncPostgresStore.abatch)


def test_what_the_binding_reads_in_psycopg_is_still_there() -> None:
    from psycopg._pipeline_base import BasePipeline

    assert f"psycopg {upstream.CHECKED_AGAINST['psycopg']}" in (adapters.__doc__ or ""), "adapters.py names the release checked"

    major_minor = tuple(int(p) for p in psycopg.__version__.split(".")[:2])
    assert major_minor == tuple(int(p) for p in upstream.CHECKED_AGAINST["psycopg"].split(".")[:2]), psycopg.__version__
    for name in ("_enqueue_sync", "_communicate_gen", "_fetch_gen", "_exit_gen"):
        assert callable(getattr(BasePipeline, name)), name
    assert set(inspect.signature(BasePipeline._fetch_gen).parameters) == {"self", "flush"}
    assert "_pipeline" in inspect.getsource(psycopg.Connection.pipeline)
    # adapters.enqueue_identity queues the identity as execute does, and its None result entry is only checked.
    from psycopg._cursor_base import BaseCursor

    assert "command_queue.append" in inspect.getsource(BaseCursor._execute_send)
    assert "send_query_params" in inspect.getsource(BaseCursor._execute_send)
    assert "if queued is None" in inspect.getsource(BasePipeline._process_results)
    # adapters.execute_with_identity_gen runs execute()'s steps itself, in libpq's pipeline mode.
    from psycopg import generators
    from psycopg._preparing import Prepare, PrepareManager

    for name in ("_start_query", "_convert_query", "_get_prepared", "_send_query_prepared", "_check_results", "_set_results"):
        assert callable(getattr(BaseCursor, name)), name
    assert "force_extended" in inspect.signature(BaseCursor._execute_send).parameters
    assert set(inspect.signature(BaseCursor._maybe_prepare_gen).parameters) == {"self", "pgq", "prepare", "binary"}
    for name in ("get", "maybe_add_to_cache", "validate", "maintain_gen"):
        assert callable(getattr(PrepareManager, name)), name
    assert inspect.signature(PrepareManager.key).parameters.keys() == {"query"}, "keys a query by .query and .types"
    assert "query.query, query.types" in inspect.getsource(PrepareManager.key)
    assert {m.name for m in Prepare} == {"NO", "YES", "SHOULD"}
    assert callable(generators.send) and callable(generators.fetch_many)
