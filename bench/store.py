"""`make bench-store`: LangGraph's PostgresStore `put`, `get` and `search`, plain as a
superuser (A) against threadguard through its binding (T), on a store of ITEMS items
(default 1M: 100 tenants x 100 users x 100 items, each user's in their own namespace),
interleaved on the same data with the sides taking turns to go first, as bench/run.py
measures the saver: wall time per call and the server backend's CPU. Hot: the same 20
users again and again; cold: a different user each call. Writes bench/results/store.json
and bench/STORE.md. Targets as the saver's: reads (get, search) T/A <= 1.12, a write
(put) <= 1.25 wall / 1.50 CPU.

    python -m bench.store [--items N] [--rounds R] [--per-round K]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg
from langgraph.store.postgres import PostgresStore
from psycopg import sql
from psycopg.conninfo import make_conninfo
from psycopg.rows import dict_row

import threadguard as tg
from bench.run import DIRECT, Samples, bench_login, measure
from threadguard import runner

HERE = Path(__file__).resolve().parent
TENANTS, USERS_PER_TENANT = 100, 100
LIMITS = {"get": (1.12, 1.12), "search(ns, limit=10)": (1.12, 1.12), "search(ns, filter)": (1.12, 1.12), "put": (1.25, 1.50)}
User = tuple[str, str]  # (tenant_id, user_id), as text


def ensure_database(admin: str, items: int) -> tuple[str, list[User]]:
    """A migrated database holding `items` store items (built when missing or of another size)."""
    name = f"threadguard_bench_store_{items}"
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("select 1 from pg_database where datname = %s", (name,)).fetchone():
            conn.execute(sql.SQL("create database {}").format(sql.Identifier(name)))
    target = make_conninfo(admin, dbname=name)
    runner.migrate(target)
    with psycopg.connect(target, autocommit=True) as conn:
        if conn.execute("select count(*) from public.store").fetchone()[0] != items:  # type: ignore[index]
            print(f"bench-store: building {items:,} items in {name} ...", flush=True)
            started = time.monotonic()
            conn.execute("truncate public.store")
            per_user = max(1, items // (TENANTS * USERS_PER_TENANT))
            # Tenant and user ids derived from their numbers: md5 gives stable uuids.
            conn.execute(
                "insert into public.store (prefix, key, value, created_at, updated_at)"
                " select md5('t' || t)::uuid || '.' || md5('u' || t || '.' || u)::uuid || '.memories', 'k' || i,"
                "        jsonb_build_object('text', repeat('memory ', 8) || i, 'kind', case when i %% 10 = 0 then 'preference' else 'fact' end),"
                "        now() - (i || ' minutes')::interval, now() - (i || ' minutes')::interval"
                " from generate_series(1, %s) as t, generate_series(1, %s) as u, generate_series(1, %s) as i",
                (TENANTS, USERS_PER_TENANT, per_user))
            conn.execute("vacuum analyze public.store")
            print(f"bench-store: built in {time.monotonic() - started:.0f}s", flush=True)
        users = [(r[0], r[1]) for r in conn.execute(
            "select md5('t' || t)::uuid::text, md5('u' || t || '.' || u)::uuid::text"
            " from generate_series(1, %s) as t, generate_series(1, %s) as u", (TENANTS, USERS_PER_TENANT))]
    return target, users


class Side:
    def __init__(self, name: str, conn: psycopg.Connection[Any], acts: bool) -> None:
        self.name, self.conn, self.acts = name, conn, acts
        self.store = PostgresStore(conn)
        self.pid = conn.execute("select pg_backend_pid() as pid").fetchone()["pid"]  # type: ignore[index]

    def measure(self, user: User, samples: Samples, fn: Callable[[PostgresStore, tuple[str, ...]], Any]) -> None:
        ns = (user[0], user[1], "memories")
        scope = tg.acting_as(*user) if self.acts else None
        if scope:
            scope.__enter__()
        try:
            measure(self.pid, samples, lambda: fn(self.store, ns))
        finally:
            if scope:
                scope.__exit__(None, None, None)


def _ops(rng: random.Random) -> dict[str, Callable[[PostgresStore, tuple[str, ...]], Any]]:
    def get(store: PostgresStore, ns: tuple[str, ...]) -> None:
        assert store.get(ns, "k1") is not None

    def search(store: PostgresStore, ns: tuple[str, ...]) -> None:
        assert len(store.search(ns, limit=10)) == 10

    def search_filter(store: PostgresStore, ns: tuple[str, ...]) -> None:
        assert store.search(ns, filter={"kind": "preference"}, limit=10)

    def put(store: PostgresStore, ns: tuple[str, ...]) -> None:
        store.put(ns, f"k{rng.randint(1, 100)}", {"text": "updated memory", "kind": "fact"})

    return {"get": get, "search(ns, limit=10)": search, "search(ns, filter)": search_filter, "put": put}


def run(sides: list[Side], users: list[User], *, rounds: int, per_round: int, hot: bool) -> dict[str, Any]:
    rng = random.Random(7)
    ops = _ops(rng)
    results = {op: {s.name: Samples() for s in sides} for op in ops}
    working_set = users[:20]
    order = users[20:]
    rng.shuffle(order)
    cursor = 0
    for r in range(rounds):
        for k, (op_name, op) in enumerate(ops.items()):
            if hot:
                batch = [working_set[(r * per_round + i) % len(working_set)] for i in range(per_round)]
            else:
                batch = order[cursor:cursor + per_round]
                cursor += per_round
            shift = (r + k) % len(sides)
            for side in sides[shift:] + sides[:shift]:
                for user in batch:
                    side.measure(user, results[op_name][side.name], op)
    return {op: {name: s.summary() for name, s in by_side.items()} for op, by_side in results.items()}


def render(results: dict[str, Any]) -> str:
    def ratio(sides: dict[str, Any], key: str) -> float | None:
        a, t = sides["A"].get(key), sides["T"].get(key)
        return None if not a or t is None else t / a

    lines = ["# Store benchmark (generated by `make bench-store`)", "",
             f"LangGraph's `PostgresStore` on {results['items']:,} items ({TENANTS} tenants x {USERS_PER_TENANT} users, each user's "
             "items in its own namespace), A = plain store as superuser, T = threadguard's binding as `threadguard_app`; "
             f"{results['rounds']} interleaved rounds of {results['per_round']} calls per op and side; PostgreSQL "
             f"{results['server']}; {results['seconds']} s.", ""]
    for regime in ("hot", "cold"):
        lines += [f"## {regime}", "", "| op | A median µs | T median µs | T/A wall | A CPU µs | T CPU µs | T/A CPU | target (wall / CPU) | holds |",
                  "|---|---|---|---|---|---|---|---|---|"]
        for op, sides in results[regime].items():
            wall, cpu = ratio(sides, "median"), ratio(sides, "cpu_median")
            wl, cl = LIMITS[op]
            holds = wall is not None and wall <= wl and (cpu is None or cpu <= cl)
            fmt = lambda v: "n/a" if v is None else f"{v:.0f}"  # noqa: E731
            lines.append(f"| {op} | {fmt(sides['A']['median'])} | {fmt(sides['T']['median'])} | ×{wall:.2f} | "
                         f"{fmt(sides['A'].get('cpu_median'))} | {fmt(sides['T'].get('cpu_median'))} | "
                         f"{'n/a' if cpu is None else f'×{cpu:.2f}'} | ≤ {wl:.2f} / ≤ {cl:.2f} | {'yes' if holds else 'no'} |")
        lines.append("")
    lines += ["## Plans (T, as threadguard_app)", "", "```", results["plans"], "```", ""]
    return "\n".join(lines)


def explain(app: str, user: User) -> str:
    """The plans of T's search and get, as the application runs them."""
    out = []
    with psycopg.connect(app, autocommit=True) as conn, conn.transaction():
        conn.execute("select set_config('app.tenant_id', %s, true), set_config('app.user_id', %s, true)", user)
        prefix = f"{user[0]}.{user[1]}.memories"
        for title, query, params in (
            ("search(ns, limit=10)", "select * from store where (store.prefix = %s or store.prefix like %s escape '\\')"
             " order by store.updated_at desc limit 10 offset 0", (prefix, prefix + ".%")),
            ("get", "select key, value from store where prefix = %s and key = any(%s)", (prefix, ["k1"])),
        ):
            rows = conn.execute(f"explain (analyze, costs off, timing off, summary off) {query}", params).fetchall()
            out.append(f"-- {title}\n" + "\n".join(r[0] for r in rows))
    return "\n\n".join(out)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=int(os.environ.get("STORE_ITEMS", 1_000_000)))
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--per-round", type=int, default=40)
    parser.add_argument("--out", type=Path, default=HERE)
    args = parser.parse_args()
    started = time.monotonic()
    target, users = ensure_database(os.environ.get("DATABASE_URL", ""), args.items)
    app = bench_login(target)
    a = Side("A", psycopg.connect(target, autocommit=True, prepare_threshold=0, row_factory=dict_row), acts=False)
    t = Side("T", tg.connect(app, **DIRECT), acts=True)  # as A: a direct connection's settings (bench.run.DIRECT)
    sides = [a, t]
    for user in users[:20]:  # warm both sides' caches and plans
        for side in sides:
            side.measure(user, Samples(), lambda store, ns: store.search(ns, limit=10))
    print("bench-store: hot, then cold ...", flush=True)
    results: dict[str, Any] = {
        "items": args.items, "rounds": args.rounds, "per_round": args.per_round,
        "server": a.conn.execute("show server_version").fetchone()["server_version"],  # type: ignore[index]
        "hot": run(sides, users, rounds=args.rounds, per_round=args.per_round, hot=True),
        "cold": run(sides, users, rounds=args.rounds, per_round=args.per_round, hot=False),
    }
    results["plans"] = explain(app, users[0])
    results["seconds"] = round(time.monotonic() - started, 1)
    for side in sides:
        side.conn.close()
    (args.out / "results").mkdir(parents=True, exist_ok=True)
    (args.out / "results" / "store.json").write_text(json.dumps(results, indent=1) + "\n")
    (args.out / "STORE.md").write_text(render(results))
    print(f"bench-store: done in {results['seconds']}s; wrote {args.out / 'STORE.md'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
