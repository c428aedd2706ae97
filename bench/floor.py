"""What each layer of threadguard's checkpoint-table policies costs one LangGraph
superstep (put + put_writes), measured as bench.run measures it (A and T
interleaved, wall time and the backend's CPU), with the policies replaced one
layer at a time on an existing bench database. The real definitions are put back
(the definitions `threadguard migrate` applies) at the end, also after a failure.

    python -m bench.floor --size medium   (DATABASE_URL: a superuser connection)

Each layer measures put + put_writes, get_tuple, list(limit=10) and delete_thread
(on other threads). Layers, each a complete set of policies on the three
checkpoint tables; the ownership foreign keys stay in every layer (they are
migrations' objects, and validating them again takes a scan of every table):
  trivial policies      RLS enabled and forced, every policy `true`: what row
                        security as such, a non-superuser login, the owner
                        stamps' defaults and the ownership keys cost
  owner comparison as text
                        every policy compares the stamps' text with the
                        settings: no InitPlan, a comparison per row instead
  threadguard           the real policies (the stamps against threadguard.context)
                        and the activity trigger: every superstep marks its
                        conversation's updated_at, as a real agent's does
  threadguard, no activity
                        the same without the activity trigger: what keeping
                        updated_at current costs
  threadguard, activity to the minute
                        the trigger marks a conversation only when its
                        updated_at is a minute old: what a coarser resolution saves
Not a test of isolation: the first three layers are not safe policies.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path
from typing import Any

from bench import dataset, report, run
from bench.run import Config, Samples, op_put_superstep
from threadguard import runner

HERE = Path(__file__).resolve().parent
TABLES = ("checkpoints", "checkpoint_blobs", "checkpoint_writes")
OWNER = "(threadguard_tenant_id, threadguard_user_id) = (select tenant_id, user_id from threadguard.context)"
OWNER_TEXT = ("(cast(threadguard_tenant_id as text) = current_setting('app.tenant_id', true)"
              " and cast(threadguard_user_id as text) = current_setting('app.user_id', true))")


def policies(using: str, check: str) -> list[str]:
    out = []
    for table in TABLES:
        for cmd in ("select", "insert", "update", "delete"):
            out.append(f"drop policy if exists {table}_owner_{cmd} on public.{table}")
        out += [f"create policy {table}_owner_select on public.{table} for select using ({using})",
                f"create policy {table}_owner_insert on public.{table} for insert with check ({check})",
                f"create policy {table}_owner_update on public.{table} for update using ({using}) with check ({check})",
                f"create policy {table}_owner_delete on public.{table} for delete using ({using})"]
    return out


LAYERS: dict[str, list[str]] = {
    "trivial policies": policies("true", "true"),
    "owner comparison as text": policies(OWNER_TEXT, OWNER_TEXT),
    "threadguard": [],
    "threadguard, no activity": ["drop trigger checkpoints_touch_conversation on public.checkpoints"],
    "threadguard, activity to the minute": [
        "create or replace function threadguard.touch_conversation() returns trigger language plpgsql security definer"
        " set search_path = pg_catalog, pg_temp as $$ begin"
        " update threadguard.conversations as c set updated_at = pg_catalog.now()"
        " where c.thread_id operator(pg_catalog.=) new.thread_id"
        " and c.tenant_id operator(pg_catalog.=) new.threadguard_tenant_id"
        " and c.user_id operator(pg_catalog.=) new.threadguard_user_id"
        " and c.updated_at operator(pg_catalog.<) (pg_catalog.now() operator(pg_catalog.-) interval '1 minute');"
        " return null; end $$"],
}


def restore(target: str) -> None:
    """The real policies and functions again: what `threadguard migrate` applies after the migrations."""
    runner.apply_definitions(target)


def measure_superstep(a: Config, t: Config, threads: list[dataset.Thread], samples: int) -> dict[str, Any]:
    res = {"A": Samples(), "T": Samples()}
    for i in range(samples):
        thread = threads[i % len(threads)]
        for config in ((a, t) if i % 2 else (t, a)):
            op_put_superstep(config, thread, res[config.name])
    return {side: s.summary() for side, s in res.items()}


def measure_op(a: Config, t: Config, threads: list[dataset.Thread], op_name: str, samples: int) -> dict[str, Any]:
    """A read or delete_thread, on threads no superstep of this run has grown."""
    op = run.SAVER_OPS[op_name]
    res = {"A": Samples(), "T": Samples()}
    for i in range(samples):
        for config in ((a, t) if i % 2 else (t, a)):
            op(config, threads[i % len(threads)], res[config.name])
    for config in (a, t):
        run.remove_victims(config)
    return {side: s.summary() for side, s in res.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", choices=sorted(dataset.SIZES), default="small")
    parser.add_argument("--samples", type=int, default=600, help="supersteps per layer and side")
    parser.add_argument("--out", type=Path, default=HERE)
    args = parser.parse_args()
    size = dataset.SIZES[args.size]
    target = dataset.ensure_database(os.environ.get("DATABASE_URL", ""), size)
    app = run.bench_login(target)
    a, t, admin = run.open_configs(target, app)
    sampled = dataset.sample_threads(admin, 32, conversations=size.conversations, min_checkpoints=size.checkpoints)
    writes, reads = sampled[:16], sampled[16:]
    results: dict[str, Any] = {"size": size.name, "machine": run.machine(admin), "samples": args.samples, "layers": {}}
    started = time.monotonic()
    try:
        restore(target)
        measure_superstep(a, t, writes, len(writes))  # unmeasured: caches warm before the first layer
        for op_name in ("get_tuple", "list(limit=10)", "delete_thread"):
            measure_op(a, t, reads, op_name, len(reads))
        for name, statements in LAYERS.items():
            restore(target)
            for statement in statements:
                admin.execute(statement)
            layer = {"put+put_writes": measure_superstep(a, t, writes, args.samples)}
            for op_name in ("get_tuple", "list(limit=10)", "delete_thread"):
                layer[op_name] = measure_op(a, t, reads, op_name, args.samples // 2)
            results["layers"][name] = layer
            for op_name, s in layer.items():
                print(f"{name}, {op_name}: T/A wall {report.ratio(s['T']['median'], s['A']['median'])}, "
                      f"CPU {report.ratio(s['T']['cpu_median'], s['A']['cpu_median'])}", flush=True)
    finally:
        restore(target)
        for conn in (a.conn, t.conn, admin):
            conn.close()
    results["seconds"] = round(time.monotonic() - started, 1)
    (args.out / "results").mkdir(parents=True, exist_ok=True)
    (args.out / "results" / f"floor-{size.name}.json").write_text(json.dumps(results, indent=1, default=str) + "\n")
    (args.out / "RESULTS.md").write_text(report.render(args.out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
