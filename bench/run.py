"""What isolation costs LangGraph: the plain saver as superuser (A), the plain saver
plus what a careful application does in its own code to get the same guarantees
(A+: an ownership check of the thread before each operation and an activity update
of its conversation per superstep, each its own statement), and threadguard as a
threadguard_app login through its own binding (T), on the same data, in one run,
interleaved in rotating order. Regimes: hot and cold threads, agent (every
superstep on a thread not written in the last second, as a real agent between
model calls) and pooler (every side through one PgBouncer in transaction mode). Writes bench/results/<size>.json,
bench/plans-<size>.txt and regenerates bench/RESULTS.md from every results file.

    make bench                          (BENCH_SIZE=small|medium|large)
    python -m bench.run --size small    (DATABASE_URL: a superuser connection)

Latency is wall-clock around each call; server CPU is the backend's own CPU time
(/proc/<pid>/schedstat, the server runs on this host), which is steadier than
wall time on a shared machine.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import random
import statistics
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql
from psycopg.conninfo import make_conninfo
from psycopg.rows import class_row, dict_row

import threadguard as tg
from bench import dataset, report
from bench.dataset import Thread
from threadguard.roles import app_role, required

BENCH_LOGIN = "threadguard_bench_app"
# What each regime's server must run with (with_db.sh starts the bench cluster fast; make bench restarts it durable).
REGIMES = {"fast": {"fsync": "off", "synchronous_commit": "off"}, "durable": {"fsync": "on", "synchronous_commit": "on"}}
BENCH_PASSWORD = "threadguard-bench-only"
HERE = Path(__file__).resolve().parent


# --- measurement ----------------------------------------------------------------


def backend_cpu_ns(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/schedstat", encoding="ascii") as f:
            return int(f.read().split()[0])
    except OSError:
        return None  # the server is on another host: wall time only


def measure(pid: int, samples: Samples, fn: Callable[[], Any]) -> Any:
    """Run fn once: its wall time and the backend `pid`'s CPU time go to `samples`; returns fn's result."""
    cpu0 = backend_cpu_ns(pid)
    t0 = time.perf_counter_ns()
    result = fn()
    wall = time.perf_counter_ns() - t0
    cpu1 = backend_cpu_ns(pid)
    samples.add(wall, None if cpu0 is None or cpu1 is None else cpu1 - cpu0)
    return result


@dataclass
class Samples:
    wall_us: list[float] = field(default_factory=list)
    cpu_us: list[float] = field(default_factory=list)

    def add(self, wall_ns: int, cpu_ns: int | None) -> None:
        self.wall_us.append(wall_ns / 1000)
        if cpu_ns is not None:
            self.cpu_us.append(cpu_ns / 1000)

    def summary(self) -> dict[str, float | int | None]:
        w = sorted(self.wall_us)
        if not w:
            return {"n": 0}
        pick = lambda q: w[min(len(w) - 1, int(q * len(w)))]  # noqa: E731
        return {
            "n": len(w),
            "min": w[0],
            "median": statistics.median(w),
            "p95": pick(0.95),
            "p99": pick(0.99),
            "cpu_median": statistics.median(self.cpu_us) if self.cpu_us else None,
        }


class Config:
    """One side of the comparison: a connection, its saver, and how it acts for a user."""

    def __init__(self, name: str, conn: psycopg.Connection[Any], acts: bool,
                 admin: psycopg.Connection[Any] | None = None, careful: bool = False,
                 token: Callable[[Thread], str] | None = None) -> None:
        from langgraph.checkpoint.postgres import PostgresSaver

        self.name = name
        self.admin = admin  # a superuser connection, to prepare (unmeasured) fixtures
        self.conn = conn
        self.saver = PostgresSaver(conn)
        self.acts = acts
        self.careful = careful  # A+: the application's own ownership check and activity update
        self.token = token  # sealed identity (bench.sealed): the owner's token, presented instead of the ids
        self.pid = conn.execute("select pg_backend_pid() as pid").fetchone()["pid"]
        # Conversations of delete_thread's victims, removed after the measurements.
        self.victims: list[str] = []

    def check(self, t: Thread) -> None:
        """A+ only: the ownership check a careful application makes before an operation."""
        if self.careful:
            self.conn.execute("select 1 from threadguard.conversations where thread_id = %s and tenant_id = %s and user_id = %s",
                              (t.thread_id, t.tenant_id, t.user_id)).fetchone()

    def touch(self, t: Thread) -> None:
        """A+ only: the activity update a careful application makes after a turn."""
        if self.careful:
            self.conn.execute("update threadguard.conversations set updated_at = now()"
                              " where thread_id = %s and tenant_id = %s and user_id = %s",
                              (t.thread_id, t.tenant_id, t.user_id))

    def as_owner(self, thread: Thread) -> Any:
        """A request acting for the thread's owner, its identity already bound (by an
        unmeasured first statement: the steady state the targets are about). A gets the
        same statement, so both sides' measured operations are a request's later ones."""
        return _Request(self, thread)

    def measure(self, samples: Samples, fn: Callable[[], Any]) -> None:
        measure(self.pid, samples, fn)


class _Request:
    def __init__(self, config: Config, thread: Thread, *, bind: bool = True) -> None:
        self.config, self.thread, self.bind = config, thread, bind
        self.scope: Any = None

    def __enter__(self) -> None:
        if self.config.acts:
            token = self.config.token(self.thread) if self.config.token is not None else None
            self.scope = tg.acting_as(self.thread.tenant_id, self.thread.user_id, token=token)
            self.scope.__enter__()
        if self.bind:
            self.config.conn.execute("select 1")

    def __exit__(self, *exc: object) -> None:
        if self.scope is not None:
            self.scope.__exit__(*exc)


def op_first_get_tuple(c: Config, t: Thread, s: Samples) -> None:
    """get_tuple as a request's first statement: T sends the new identity with it."""
    with _Request(c, t, bind=False):
        c.measure(s, lambda: c.saver.get_tuple(cfg(t.thread_id)))


def cfg(thread_id: str) -> dict[str, Any]:
    return {"configurable": {"thread_id": thread_id, "checkpoint_ns": ""}}


# --- operations -------------------------------------------------------------------


def op_get_tuple(c: Config, t: Thread, s: Samples) -> None:
    with c.as_owner(t):
        c.measure(s, lambda: (c.check(t), c.saver.get_tuple(cfg(t.thread_id))))


def op_list(c: Config, t: Thread, s: Samples) -> None:
    with c.as_owner(t):
        c.measure(s, lambda: (c.check(t), list(c.saver.list(cfg(t.thread_id), limit=10))))


def op_put_superstep(c: Config, t: Thread, s: Samples) -> None:
    """put (a new checkpoint with a new messages blob) + put_writes (two writes)."""
    from langgraph.checkpoint.base.id import uuid6

    with c.as_owner(t):
        tup = c.saver.get_tuple(cfg(t.thread_id))
        if tup is None:
            return
        versions = dict(tup.checkpoint["channel_versions"])
        versions["messages"] = c.saver.get_next_version(versions.get("messages"), None)
        checkpoint = {**tup.checkpoint, "id": str(uuid6(clock_seq=random.getrandbits(14))),
                      "channel_values": {"messages": ["user: benchmark", "assistant: noted"]},
                      "channel_versions": versions, "updated_channels": ["messages"]}
        metadata = {"source": "loop", "step": tup.metadata.get("step", 0) + 1, "parents": {}}

        def superstep() -> None:
            c.check(t)
            saved = c.saver.put(tup.config, checkpoint, metadata, {"messages": versions["messages"]})
            c.saver.put_writes(saved, [("messages", ["assistant: noted"]), ("branch:to:reply", None)],
                               task_id=str(uuid.uuid4()))
            c.touch(t)

        c.measure(s, superstep)
    if not c.acts and c.admin is not None:
        stamp_owner(c.admin, t)


def stamp_owner(admin: psycopg.Connection[Any], t: Thread) -> None:
    """A's superuser writes carry no owner (it sets no context); stamp them, unmeasured,
    so that both sides keep reading the same rows of the thread."""
    for table in ("checkpoints", "checkpoint_blobs", "checkpoint_writes"):
        admin.execute(
            sql.SQL("update public.{} set threadguard_tenant_id = %s, threadguard_user_id = %s"
                    " where thread_id = %s and threadguard_tenant_id is null").format(sql.Identifier(table)),
            (t.tenant_id, t.user_id, t.thread_id))


def op_delete_thread(c: Config, t: Thread, s: Samples) -> None:
    assert_admin(c)
    victim = make_victim(c.admin, t)  # type: ignore[arg-type]
    with c.as_owner(victim):
        c.measure(s, lambda: (c.check(victim), c.saver.delete_thread(victim.thread_id)))
    c.victims.append(victim.thread_id)


def remove_victims(c: Config) -> None:
    """Delete the victims' conversations (unmeasured), once the measurements are done."""
    if c.victims and c.admin is not None:
        c.admin.execute("delete from threadguard.conversations where id = any(%s::uuid[])", (c.victims,))
    c.victims.clear()


def assert_admin(c: Config) -> None:
    if c.admin is None:
        raise RuntimeError("this operation needs Config(admin=...) to prepare its victim thread")


def make_victim(admin: psycopg.Connection[Any], like: Thread, checkpoints: int = 40) -> Thread:
    """A fresh 40-checkpoint thread (rows copied from `like`'s), owned by like's owner."""
    victim = Thread(str(uuid.uuid4()), like.tenant_id, like.user_id, checkpoints)
    admin.execute(
        """
        with c as (insert into threadguard.conversations (id, tenant_id, user_id, title)
                   values (%(v)s::uuid, %(tenant)s, %(user)s, 'victim') returning id),
        k as (insert into public.checkpoints
              select %(v)s, checkpoint_ns, checkpoint_id, parent_checkpoint_id, type, checkpoint, metadata,
                     %(tenant)s, %(user)s
              from public.checkpoints where thread_id = %(src)s order by checkpoint_id limit %(n)s
              returning checkpoint_id),
        b as (insert into public.checkpoint_blobs
              select %(v)s, checkpoint_ns, channel, version, type, blob, %(tenant)s, %(user)s
              from public.checkpoint_blobs where thread_id = %(src)s returning 1)
        insert into public.checkpoint_writes
        select %(v)s, checkpoint_ns, checkpoint_id, task_id, idx, channel, type, blob, task_path, %(tenant)s, %(user)s
        from public.checkpoint_writes where thread_id = %(src)s
        """,
        {"v": victim.thread_id, "tenant": like.tenant_id, "user": like.user_id, "src": like.thread_id,
         "n": checkpoints},
    )
    return victim


SAVER_OPS: dict[str, Callable[[Config, Thread, Samples], None]] = {
    "get_tuple": op_get_tuple,
    "get_tuple, first statement of a request": op_first_get_tuple,
    "put+put_writes": op_put_superstep,
    "list(limit=10)": op_list,
    "delete_thread": op_delete_thread,
}


# --- the run ------------------------------------------------------------------------


def bench_login(admin: str) -> str:
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("select 1 from pg_roles where rolname = %s", (BENCH_LOGIN,)).fetchone():
            conn.execute(sql.SQL("create role {} login password {}").format(
                sql.Identifier(BENCH_LOGIN), sql.Literal(BENCH_PASSWORD)))
        conn.execute(sql.SQL("grant {} to {}").format(sql.Identifier(app_role(conn)), sql.Identifier(BENCH_LOGIN)))
    return make_conninfo(admin, user=BENCH_LOGIN, password=BENCH_PASSWORD)


# A direct connection's settings on both sides: LangGraph's own (PostgresSaver.from_conn_string prepares every
# statement at once) and the binding's as the README gives them for a connection known to be direct. Behind a
# pooler both sides get prepare_threshold=None; T° (unprepared) is the binding's default on a direct connection.
DIRECT = {"prepare_threshold": 0}


def open_configs(target: str, app: str, admin_target: str | None = None,
                 **kwargs: Any) -> tuple[Config, Config, psycopg.Connection[Any]]:
    """A and T; `kwargs` go to both sides' connections (default: DIRECT; prepare_threshold=None behind a
    pooler); the admin connection, for unmeasured fixtures, goes to admin_target (default: target)."""
    admin = psycopg.connect(admin_target or target, autocommit=True, row_factory=dict_row)
    kwargs = kwargs or DIRECT
    a = Config("A", psycopg.connect(target, **{"autocommit": True, "row_factory": dict_row, **kwargs}), acts=False, admin=admin)
    t = Config("T", tg.connect(app, **kwargs), acts=True, admin=admin)
    return a, t, admin


def unprepared(app: str, admin: psycopg.Connection[Any]) -> Config:
    """T°: the binding with its default settings (no named prepared statement: safe behind any pooler), direct."""
    return Config("T°", tg.connect(app), acts=True, admin=admin)


def careful(a: Config) -> Config:
    """A+: A's connection, plus the application's own checks."""
    return Config("A+", a.conn, acts=False, admin=a.admin, careful=True)


def run_saver_ops(sides: list[Config], threads: list[Thread], *, rounds: int, per_round: int,
                  hot: bool, ops: dict[str, Callable[[Config, Thread, Samples], None]] = SAVER_OPS) -> dict[str, dict[str, Any]]:
    """Every saver op, the sides rotating who goes first each round, on the same threads."""
    results: dict[str, dict[str, Samples]] = {op: {c.name: Samples() for c in sides} for op in ops}
    working_set = threads[:20]
    cursor = 0
    for r in range(rounds):
        for op_name, op in ops.items():
            if hot:
                batch = [working_set[(r * per_round + i) % len(working_set)] for i in range(per_round)]
            else:
                batch = [threads[(cursor + i) % len(threads)] for i in range(per_round)]
                cursor += per_round
            shift = (r + list(ops).index(op_name)) % len(sides)
            for config in sides[shift:] + sides[:shift]:
                for thread in batch:
                    op(config, thread, results[op_name][config.name])
    for config in sides:
        remove_victims(config)
    return {op: {side: s.summary() for side, s in sides.items()} for op, sides in results.items()}


def run_agent(sides: list[Config], threads: list[Thread], *, samples: int) -> dict[str, Any]:
    """Supersteps as a real agent makes them: each on a thread no side wrote in the last
    second (a rotation over many threads), so every write marks its conversation active."""
    res = {c.name: Samples() for c in sides}
    rotation = threads[:max(300, len(sides) * 100)]
    for i in range(samples):
        thread = rotation[i % len(rotation)]
        shift = i % len(sides)
        for config in sides[shift:] + sides[:shift]:
            op_put_superstep(config, thread, res[config.name])
    return {"put+put_writes": {k: s.summary() for k, s in res.items()}}


def run_pooler(admin_url: str, target: str, app: str, threads: list[Thread], *, rounds: int, per_round: int) -> dict[str, Any]:
    """Every side through one PgBouncer in transaction mode (prepared statements off)."""
    import sys

    sys.path.insert(0, str(HERE.parent / "tests" / "python"))
    from pgbouncer import pgbouncer, through  # the test suite's launcher of Debian's PgBouncer

    logins = {"postgres": "", BENCH_LOGIN: BENCH_PASSWORD}
    with pgbouncer(admin_url, logins) as template:
        a, t, admin = open_configs(through(template, target), through(template, app), target, prepare_threshold=None)
        try:
            sides = [a, careful(a), t]
            for warm in threads[:20]:
                for config in sides:
                    op_get_tuple(config, warm, Samples())
            ops = {k: v for k, v in SAVER_OPS.items() if k != "get_tuple, first statement of a request"}
            return run_saver_ops(sides, threads, rounds=rounds, per_round=per_round, hot=True, ops=ops)
        finally:
            for conn in (a.conn, t.conn, admin):
                conn.close()


# list_conversations as 0.21 shipped it (ordered by the stored updated_at, which every checkpoint
# moved), installed beside the new one: the same-run reference for "unchanged or better" (issue #21).
PREVIOUS_LIST = "select * from bench.list_conversations_0_21(%s, %s, %s)"


def previous_list(conn: psycopg.Connection[Any], limit: int = 50,
                  before: tg.ConversationSummary | None = None) -> list[tg.ConversationSummary]:
    """0.21's function called as tg.list_conversations calls the current one (the same rows, read into the
    same dataclass), so that the two differ only in the SQL function."""
    cursor = (before.updated_at, before.thread_id) if before else (None, None)
    with conn.cursor(row_factory=class_row(tg.ConversationSummary)) as cur:
        return cur.execute(PREVIOUS_LIST, (limit, *cursor)).fetchall()


def install_previous_list(admin: psycopg.Connection[Any]) -> None:
    """bench/list_conversations_0_21.sql as schema bench's, a definer owned by threadguard's owner role."""
    roles = required(admin)
    text = (HERE / "list_conversations_0_21.sql").read_text()
    admin.execute(sql.SQL(text).format(app=sql.Identifier(roles.app), owner=sql.Identifier(roles.owner)))


def run_api_ops(t: Config, heavy_user: list[Thread], threads: list[Thread], *, samples: int) -> dict[str, Any]:
    """The SQL API through the Python wrappers, as T (it has no A counterpart)."""
    conn = t.conn
    owner = heavy_user[0]
    out: dict[str, Samples] = {k: Samples() for k in
                                ("list_conversations first page (1k-conversation user)",
                                 "list_conversations first page, 0.21's function (reference)",
                                 "list_conversations page 10 (1k-conversation user)",
                                 "get_conversation", "delete_conversation (40 checkpoints)")}
    with t.as_owner(owner):
        page = None
        for _ in range(9):
            rows = tg.list_conversations(conn, 50, page)
            page = rows[-1] if rows else None
    for i in range(samples):
        with t.as_owner(owner):
            t.measure(out["list_conversations first page (1k-conversation user)"], lambda: tg.list_conversations(conn, 50))
            t.measure(out["list_conversations first page, 0.21's function (reference)"],
                      lambda: previous_list(conn, 50))
            t.measure(out["list_conversations page 10 (1k-conversation user)"], lambda: tg.list_conversations(conn, 50, page))
        thread = threads[i % len(threads)]
        with t.as_owner(thread):
            t.measure(out["get_conversation"], lambda thread=thread: tg.get_conversation(conn, thread.thread_id))
        assert_admin(t)
        victim = make_victim(t.admin, thread)  # type: ignore[arg-type]
        with t.as_owner(victim):
            t.measure(out["delete_conversation (40 checkpoints)"], lambda victim=victim: tg.delete_conversation(conn, victim.thread_id))
    return {k: s.summary() for k, s in out.items()}


def run_scaling(a: Config, t: Config, light: list[Thread], heavy: list[Thread], *, samples: int) -> dict[str, Any]:
    """Per-operation cost for a 24-conversation user against the heaviest user."""
    out: dict[str, Any] = {}
    for op_name in ("get_tuple", "list(limit=10)", "put+put_writes"):
        op = SAVER_OPS[op_name]
        res = {k: Samples() for k in ("A light", "A heavy", "T light", "T heavy")}
        for i in range(samples):
            for who, group in (("light", light), ("heavy", heavy)):
                thread = group[i % len(group)]
                for config in ((a, t) if i % 2 else (t, a)):
                    op(config, thread, res[f"{config.name} {who}"])
        out[op_name] = {k: s.summary() for k, s in res.items()}
    return out


def _mix_worker(kind: str, target: str, app: str, threads: list[dict[str, Any]], seconds: float, queue: Any) -> None:
    conn = (psycopg.connect(target, autocommit=True, row_factory=dict_row, **DIRECT)
            if kind != "T" else tg.connect(app, **DIRECT))
    queue.put(mix(Config(kind, conn, acts=kind == "T", careful=kind == "A+"), threads, seconds))
    conn.close()


def mix(config: Config, threads: list[dict[str, Any]], seconds: float) -> int:
    """Graph turns (get_tuple + put + put_writes; every 5th also lists) on random threads for `seconds`: how many."""
    sink, pool, rng, done = Samples(), [Thread(**t) for t in threads], random.Random(os.getpid()), 0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        thread = rng.choice(pool)
        op_put_superstep(config, thread, sink)
        if done % 5 == 0:
            op_list(config, thread, sink)
        done += 1
    return done


def requests_per_second(worker: Callable[..., None], args: tuple[Any, ...], *, seconds: float, processes: int) -> float:
    """`processes` spawned `worker(*args, seconds, queue)`, each putting how many requests it made."""
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    procs = [ctx.Process(target=worker, args=(*args, seconds, queue)) for _ in range(processes)]
    for p in procs:
        p.start()
    total = sum(queue.get(timeout=seconds + 120) for _ in procs)
    for p in procs:
        p.join()
    return float(total) / seconds


def run_throughput(target: str, app: str, threads: list[Thread], *, seconds: float, rounds: int,
                   processes: int = 2) -> dict[str, Any]:
    """Requests per second of a realistic mix (a graph turn; every 5th also lists), `processes` processes."""
    per_kind: dict[str, list[float]] = {"A": [], "A+": [], "T": []}
    payload = [t.__dict__ for t in threads[:400]]
    for r in range(rounds):
        for kind in (("A", "A+", "T"), ("T", "A", "A+"), ("A+", "T", "A"))[r % 3]:
            per_kind[kind].append(requests_per_second(_mix_worker, (kind, target, app, payload), seconds=seconds, processes=processes))
    return {k: {"runs": v, "median": statistics.median(v)} for k, v in per_kind.items()}


def explain_paths(target: str, t_thread: Thread, heavy_owner: Thread) -> str:
    """EXPLAIN (ANALYZE, BUFFERS) of every threadguard query path, as the runtime role
    (auto_explain hands each nested plan back as a notice)."""
    from langgraph.checkpoint.postgres import PostgresSaver

    plans: list[str] = []
    with psycopg.connect(target, autocommit=True, prepare_threshold=0, row_factory=dict_row) as conn:
        conn.add_notice_handler(lambda d: plans.append(d.message_primary or ""))
        conn.execute("load 'auto_explain'")
        for setting in ("log_min_duration = 0", "log_analyze = on", "log_buffers = on", "log_nested_statements = on",
                        "log_level = notice", "log_timing = on"):
            conn.execute(f"set auto_explain.{setting}")
        conn.execute(sql.SQL("set role {}").format(sql.Identifier(BENCH_LOGIN)))

        def as_owner(thread: Thread) -> None:
            conn.execute("select set_config('app.tenant_id', %s, false), set_config('app.user_id', %s, false)",
                         (thread.tenant_id, thread.user_id))

        saver = PostgresSaver(conn)
        as_owner(t_thread)
        sections = []

        def section(title: str, fn: Callable[[], Any]) -> None:
            plans.clear()
            fn()
            body = "\n\n".join(p for p in plans if "set_config" not in p)
            sections.append(f"== {title}\n{body}")

        section("saver.get_tuple", lambda: saver.get_tuple(cfg(t_thread.thread_id)))
        section("saver.list(limit=10)", lambda: list(saver.list(cfg(t_thread.thread_id), limit=10)))
        tup = saver.get_tuple(cfg(t_thread.thread_id))
        if tup is not None:
            from langgraph.checkpoint.base.id import uuid6
            ck = {**tup.checkpoint, "id": str(uuid6()), "channel_values": {"messages": ["x"]},
                  "channel_versions": {**tup.checkpoint["channel_versions"], "messages": "9" * 32 + ".0.1"}}
            section("saver.put", lambda: saver.put(tup.config, ck, {"source": "loop", "step": 99, "parents": {}},
                                                   {"messages": "9" * 32 + ".0.1"}))
            section("saver.put_writes", lambda: saver.put_writes(
                {"configurable": {**tup.config["configurable"], "checkpoint_id": ck["id"]}},
                [("messages", ["y"])], task_id=str(uuid.uuid4())))
        as_owner(heavy_owner)
        section("threadguard.list_conversations(50) for the 1k-conversation user",
                lambda: conn.execute("select * from threadguard.list_conversations(50)").fetchall())
        section("threadguard.get_conversation", lambda: conn.execute(
            "select * from threadguard.get_conversation(%s)", (heavy_owner.thread_id,)).fetchall())
        conn.execute("reset role")
    return "\n\n".join(sections) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", choices=sorted(dataset.SIZES), default="small")
    parser.add_argument("--rounds", type=int, default=None, help="interleaved rounds (default: by size)")
    parser.add_argument("--per-round", type=int, default=None, help="samples per op, config and round")
    parser.add_argument("--throughput-seconds", type=float, default=None)
    parser.add_argument("--throughput-processes", type=int, default=2, help="client processes (the report's ratios assume 2)")
    parser.add_argument("--out", type=Path, default=HERE, help="where results/, plans and RESULTS.md go")
    parser.add_argument("--regime", choices=sorted(REGIMES), default="fast",
                        help="fast: the bench cluster's fsync=off, synchronous_commit=off (the targets are judged on it); "
                             "durable: a cluster started with fsync=on, synchronous_commit=on, as production runs")
    args = parser.parse_args()

    size = dataset.SIZES[args.size]
    quick = size.name == "small"
    rounds = args.rounds or (4 if quick else 8)
    per_round = args.per_round or (15 if quick else 40)
    seconds = args.throughput_seconds or (3.0 if quick else 20.0)
    admin_url = os.environ.get("DATABASE_URL", "")

    target = dataset.ensure_database(admin_url, size)
    app = bench_login(target)
    a, t, admin = open_configs(target, app)
    install_previous_list(admin)
    settings = machine(admin)["settings"]
    if any(settings.get(name) != value for name, value in REGIMES[args.regime].items()):
        raise SystemExit(f"bench: the {args.regime} regime needs {REGIMES[args.regime]}, the server runs {settings} "
                         "(make bench starts the cluster so for each regime)")
    sides = [a, careful(a), t, unprepared(app, admin)]
    light_all = dataset.sample_threads(admin, 4000, conversations=size.conversations, min_checkpoints=size.checkpoints)
    heaviest = max(c for c, _ in size.heavy)
    heavy = dataset.sample_threads(admin, 400, conversations=heaviest)
    thousand = dataset.sample_threads(admin, 50, conversations=1000)
    rng = random.Random(42)
    rng.shuffle(light_all)

    started = time.monotonic()
    print(f"bench {size.name}: saver operations, hot then cold ...", flush=True)
    for warm in light_all[:20]:  # the hot working set, cached for both sides
        for config in sides:
            op_get_tuple(config, warm, Samples())
    results: dict[str, Any] = {
        "size": size.name,
        "regime": args.regime,
        "dataset": {**size.__dict__, "heavy": list(size.heavy), "total_checkpoints": size.total_checkpoints},
        "machine": machine(admin),
        "hot": run_saver_ops(sides, light_all, rounds=rounds, per_round=per_round, hot=True),
        "cold": run_saver_ops(sides, light_all[20:], rounds=rounds, per_round=per_round, hot=False),
    }
    print(f"bench {size.name}: agent and pooler regimes ...", flush=True)
    results["agent"] = run_agent(sides, light_all[20:], samples=rounds * per_round)
    results["pooler"] = run_pooler(admin_url, target, app, light_all, rounds=max(2, rounds // 2), per_round=per_round)
    print(f"bench {size.name}: SQL API, scaling, throughput ...", flush=True)
    results["api"] = run_api_ops(t, thousand, light_all, samples=rounds * per_round)
    results["scaling"] = run_scaling(a, t, light_all, heavy, samples=rounds * per_round // 2)
    results["scaling"]["heavy_conversations"] = heaviest
    results["throughput"] = run_throughput(target, app, light_all, seconds=seconds, rounds=max(1, rounds // 2),
                                           processes=args.throughput_processes)
    results["table_sizes"] = table_sizes(admin)
    results["seconds"] = round(time.monotonic() - started, 1)
    plans = explain_paths(target, light_all[0], thousand[0])
    for conn in {id(c.conn): c.conn for c in sides}.values():  # A+ shares A's connection
        conn.close()
    admin.close()

    (args.out / "results").mkdir(parents=True, exist_ok=True)
    stem = size.name if args.regime == "fast" else f"{size.name}-{args.regime}"
    (args.out / "results" / f"{stem}.json").write_text(json.dumps(results, indent=1, default=str) + "\n")
    (args.out / f"plans-{stem}.txt").write_text(plans)
    (args.out / "RESULTS.md").write_text(report.render(args.out))
    print(f"bench {size.name}: done in {results['seconds']}s; wrote {args.out / 'RESULTS.md'}")
    return 0


def machine(conn: psycopg.Connection[Any]) -> dict[str, Any]:
    version = conn.execute("select version() as v").fetchone()["v"]
    settings = {r["name"]: r["setting"] for r in conn.execute(
        "select name, setting from pg_settings where name in ('shared_buffers', 'fsync', 'synchronous_commit', 'jit')")}
    return {"postgres": version, "cpus": os.cpu_count(), "platform": platform.platform(), "settings": settings,
            "date": time.strftime("%Y-%m-%d")}


def table_sizes(conn: psycopg.Connection[Any]) -> dict[str, Any]:
    rows = conn.execute("""
        select c.relname as name, c.reltuples::bigint as rows, pg_size_pretty(pg_total_relation_size(c.oid)) as size
        from pg_class c where c.oid in ('public.checkpoints'::regclass, 'public.checkpoint_blobs'::regclass,
                                        'public.checkpoint_writes'::regclass, 'threadguard.conversations'::regclass)
        order by 1""").fetchall()
    return {r["name"]: {"rows": r["rows"], "size": r["size"]} for r in rows}


if __name__ == "__main__":
    raise SystemExit(main())
