"""Benchmark datasets: T tenants x U users x C conversations x K checkpoints, built
from rows the real LangGraph saver wrote, replicated with COPY.

A small real graph runs once on a template thread; its checkpoints, blobs and
writes are then copied to every thread with its own thread id, increasing
uuid6-style checkpoint ids and per-checkpoint blob versions. Rows are written
round by round (checkpoint k of every thread, then k+1), so a thread's rows are
spread over the heap as they are in a live database. A database that already
holds the requested dataset is reused.
"""

from __future__ import annotations

import json
import random
import time
import uuid
from dataclasses import asdict, dataclass, field
from typing import Any

import psycopg
import psycopg.rows
from psycopg import sql
from psycopg.conninfo import make_conninfo
from psycopg.rows import dict_row

from threadguard import runner

DATASET_VERSION = 6  # 6: ids drawn from the size's seeded generator (the partitioned twin holds the same threads)


@dataclass(frozen=True)
class Size:
    name: str
    tenants: int
    users_per_tenant: int
    conversations: int  # per regular user
    checkpoints: int  # per regular conversation
    heavy: tuple[tuple[int, int], ...] = field(default=())  # (conversations, checkpoints each) per heavy user

    @property
    def regular_threads(self) -> int:
        return self.tenants * self.users_per_tenant * self.conversations

    @property
    def total_checkpoints(self) -> int:
        return self.regular_threads * self.checkpoints + sum(c * k for c, k in self.heavy)


SIZES = {
    # ~200 checkpoints: the smoke test of bench.partitions (it needs no heavy user).
    "tiny": Size("tiny", tenants=2, users_per_tenant=2, conversations=6, checkpoints=8, heavy=((40, 2),)),
    # ~10k checkpoints (+ one 1,000-conversation user): CI runs this one.
    "small": Size("small", tenants=2, users_per_tenant=5, conversations=24, checkpoints=40, heavy=((1000, 2),)),
    # ~1M checkpoints: regular users have 24 conversations; two heavy users 1,000 and 10,000.
    "medium": Size("medium", tenants=10, users_per_tenant=100, conversations=24, checkpoints=40,
                   heavy=((1000, 4), (10000, 4))),
    # ~10M: by hand.
    "large": Size("large", tenants=20, users_per_tenant=500, conversations=24, checkpoints=40,
                  heavy=((1000, 4), (10000, 4))),
}


@dataclass
class Thread:
    thread_id: str
    tenant_id: str
    user_id: str
    checkpoints: int


def database_name(size: Size) -> str:
    return f"threadguard_bench_{size.name}"


def ensure_database(admin: str, size: Size, log: Any = print, partitions: int = 0, twin: str = "") -> str:
    """The conninfo of a migrated database holding `size`'s dataset (built if missing); with
    `partitions`, a twin whose checkpoint tables are hash-partitioned so (`threadguard partition`);
    with `twin`, another copy under that suffix (bench.sealed seals one)."""
    name = database_name(size) + (f"_p{partitions}" if partitions else "") + (f"_{twin}" if twin else "")
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("select 1 from pg_database where datname = %s", (name,)).fetchone()
        if not exists:
            conn.execute(sql.SQL("create database {}").format(sql.Identifier(name)))
    target = make_conninfo(admin, dbname=name)
    runner.migrate(target)
    if partitions:
        from threadguard import partitions as layout

        layout.partition(target, partitions)
    with psycopg.connect(target, autocommit=True) as conn:
        conn.execute("create table if not exists bench_meta (k text primary key, v jsonb not null)")
        row = conn.execute("select v from bench_meta where k = 'dataset'").fetchone()
        wanted = {"version": DATASET_VERSION, "size": asdict(size), "partitions": partitions}
        if row and row[0] == json.loads(json.dumps(wanted)):
            log(f"dataset {size.name}: reusing database {name}")
            _forget_earlier_runs(conn, log)
            return target
        log(f"dataset {size.name}: building {size.total_checkpoints:,} checkpoints in {name} ...")
        started = time.monotonic()
        for table in ("checkpoint_writes", "checkpoint_blobs", "checkpoints"):
            conn.execute(sql.SQL("truncate public.{}").format(sql.Identifier(table)))
        conn.execute("truncate threadguard.conversations cascade")
        _build(conn, size)
        conn.execute("insert into bench_meta values ('dataset', %s) on conflict (k) do update set v = excluded.v",
                     (psycopg.types.json.Jsonb(wanted),))
        log(f"dataset {size.name}: built in {time.monotonic() - started:.0f}s; vacuum analyze ...")
        conn.execute("vacuum analyze")
        # What a run adds after this point (the saver's puts, fixtures) is removed before the next
        # run, so that every run measures the same data (the hot threads would otherwise grow).
        _mark_baseline(conn)
    return target


def _mark_baseline(conn: psycopg.Connection[Any]) -> None:
    conn.execute("insert into bench_meta values ('built', jsonb_build_object('xid', txid_current() % 4294967296,"
                 " 'at', now())) on conflict (k) do update set v = excluded.v")


def _forget_earlier_runs(conn: psycopg.Connection[Any], log: Any) -> None:
    """Delete the rows earlier runs added to a reused dataset (newer than its build)."""
    built = conn.execute("select v from bench_meta where k = 'built'").fetchone()
    if built is None:  # built before runs were cleaned up after: what is there now is the baseline
        _mark_baseline(conn)
        return
    removed = 0
    for table in ("checkpoint_writes", "checkpoint_blobs", "checkpoints"):
        removed += conn.execute(
            sql.SQL("delete from public.{} where age(xmin) < age(%s::text::xid)").format(sql.Identifier(table)),
            (str(built[0]["xid"]),)).rowcount
    removed += conn.execute("delete from threadguard.conversations where created_at > %s::timestamptz",
                            (built[0]["at"],)).rowcount
    if removed:
        log(f"dataset: removed {removed:,} rows earlier runs added; vacuum analyze ...")
        conn.execute("vacuum analyze public.checkpoints, public.checkpoint_blobs, public.checkpoint_writes,"
                     " threadguard.conversations")


def _template(conn: psycopg.Connection[Any]) -> dict[str, list[dict[str, Any]]]:
    """Run the real saver once on a scratch thread, read its rows back, delete them."""
    from langgraph.checkpoint.postgres import PostgresSaver

    from threadguard.demo import chat_graph, config

    thread = str(uuid.uuid4())
    with psycopg.connect(conn.info.dsn, password=conn.info.password, autocommit=True,
                         prepare_threshold=0, row_factory=dict_row) as own:
        graph = chat_graph(PostgresSaver(own))
        for turn in range(12):
            graph.invoke({"messages": [f"user turn {turn}: " + "lorem ipsum dolor sit amet " * 4]}, config(thread))
        rows = {
            "checkpoints": own.execute(
                "select * from public.checkpoints where thread_id = %s order by checkpoint_id", (thread,)).fetchall(),
            "blobs": own.execute("select * from public.checkpoint_blobs where thread_id = %s", (thread,)).fetchall(),
            "writes": own.execute(
                "select * from public.checkpoint_writes where thread_id = %s order by checkpoint_id, task_id, idx",
                (thread,)).fetchall(),
        }
        for table in ("checkpoints", "checkpoint_blobs", "checkpoint_writes"):
            own.execute(sql.SQL("delete from public.{} where thread_id = %s").format(sql.Identifier(table)), (thread,))
    return rows


def checkpoint_id(k: int, thread_no: int) -> str:
    """uuid6-shaped, increasing with k (and so with time) within a thread."""
    return f"1f{k:06x}-0000-6000-8000-{thread_no:012x}"


def version(k: int, channel_no: int) -> str:
    return f"{k + 1:032d}.0.{channel_no}"


def _threads(size: Size, rng: random.Random) -> list[Thread]:
    def new_id() -> str:  # from the seeded generator: every build of a size has the same threads
        return str(uuid.UUID(int=rng.getrandbits(128), version=4))

    threads = []
    for _t in range(size.tenants):
        tenant = new_id()
        for _u in range(size.users_per_tenant):
            user = new_id()
            threads += [Thread(new_id(), tenant, user, size.checkpoints) for _ in range(size.conversations)]
    for conversations, checkpoints in size.heavy:
        tenant, user = new_id(), new_id()
        threads += [Thread(new_id(), tenant, user, checkpoints) for _ in range(conversations)]
    rng.shuffle(threads)
    return threads


def _build(conn: psycopg.Connection[Any], size: Size) -> None:
    rng = random.Random(size.name)
    template = _template(conn)
    threads = _threads(size, rng)
    now = time.time()
    with conn.cursor() as cur:
        with cur.copy("copy threadguard.conversations (id, tenant_id, user_id, title, created_at, updated_at) from stdin") as copy:
            for t in threads:
                created = now - rng.uniform(0, 90 * 86400)
                updated = created + rng.uniform(0, now - created)
                copy.write_row((t.thread_id, t.tenant_id, t.user_id, f"conversation {t.thread_id[:8]}",
                                _ts(created), _ts(updated)))
        # Triggers (activity, purge) are for live traffic, not for bulk loading.
        cur.execute("set session_replication_role = replica")
        _copy_rows(cur, template, threads)
        cur.execute("set session_replication_role = origin")


def _ts(epoch: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S+00", time.gmtime(epoch))


def _copy_rows(cur: psycopg.Cursor[Any], template: dict[str, list[dict[str, Any]]], threads: list[Thread]) -> None:
    checkpoints = template["checkpoints"]
    blobs = {(b["channel"], b["version"]): b for b in template["blobs"]}
    writes_by_checkpoint: dict[str, list[dict[str, Any]]] = {}
    for w in template["writes"]:
        writes_by_checkpoint.setdefault(w["checkpoint_id"], []).append(w)
    deepest = max(t.checkpoints for t in threads)
    with (
        cur.copy("copy public.checkpoints (thread_id, checkpoint_ns, checkpoint_id, parent_checkpoint_id, type, checkpoint,"
                 " metadata, threadguard_tenant_id, threadguard_user_id) from stdin") as c_copy,
    ):
        blob_rows: list[tuple[Any, ...]] = []
        write_rows: list[tuple[Any, ...]] = []
        for k in range(deepest):
            tpl = checkpoints[k % len(checkpoints)]
            channels = sorted(tpl["checkpoint"].get("channel_versions", {}))
            for no, t in enumerate(threads):
                if k >= t.checkpoints:
                    continue
                cid = checkpoint_id(k, no)
                ckpt = dict(tpl["checkpoint"])
                ckpt["id"] = cid
                ckpt["channel_versions"] = {ch: version(k, i) for i, ch in enumerate(channels)}
                meta = dict(tpl["metadata"])
                meta["step"] = k
                c_copy.write_row((t.thread_id, "", cid, checkpoint_id(k - 1, no) if k else None, tpl["type"],
                                  json.dumps(ckpt), json.dumps(meta), t.tenant_id, t.user_id))
                for i, ch in enumerate(channels):
                    src = blobs.get((ch, tpl["checkpoint"]["channel_versions"][ch]))
                    if src is not None:
                        blob_rows.append((t.thread_id, "", ch, version(k, i), src["type"], src["blob"], t.tenant_id, t.user_id))
                for w in writes_by_checkpoint.get(tpl["checkpoint_id"], []):
                    write_rows.append((t.thread_id, "", cid, w["task_id"], w["idx"], w["channel"], w["type"], w["blob"],
                                       w["task_path"], t.tenant_id, t.user_id))
    _copy(cur, "copy public.checkpoint_blobs (thread_id, checkpoint_ns, channel, version, type, blob,"
               " threadguard_tenant_id, threadguard_user_id) from stdin", blob_rows)
    _copy(cur, "copy public.checkpoint_writes (thread_id, checkpoint_ns, checkpoint_id, task_id, idx, channel, type, blob,"
               " task_path, threadguard_tenant_id, threadguard_user_id) from stdin", write_rows)


def _copy(cur: psycopg.Cursor[Any], statement: str, rows: list[tuple[Any, ...]]) -> None:
    with cur.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)


def sample_threads(conn: psycopg.Connection[Any], n: int, *, conversations: int | None = None,
                   min_checkpoints: int = 2, seed: int = 1) -> list[Thread]:
    """n random threads (of users owning exactly `conversations` conversations, if given)."""
    query = """
        with owners as (
            select tenant_id, user_id, count(*) as n from threadguard.conversations
            where title like 'conversation %%' group by 1, 2
        )
        select c.id::text as thread_id, c.tenant_id::text, c.user_id::text,
               (select count(*) from public.checkpoints k where k.thread_id = c.id::text) as checkpoints
        from threadguard.conversations c join owners o using (tenant_id, user_id)
        where (%(n)s::int is null or o.n = %(n)s) and c.title like 'conversation %%'
        order by md5(c.id::text || %(seed)s)
        limit %(limit)s
    """
    with conn.cursor() as cur:
        cur.row_factory = psycopg.rows.tuple_row
        rows = cur.execute(query, {"n": conversations, "seed": str(seed), "limit": n * 3}).fetchall()
    picked = [Thread(r[0], r[1], r[2], r[3]) for r in rows if r[3] >= min_checkpoints]
    return picked[:n]

