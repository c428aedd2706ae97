"""What each layer of threadguard's checkpoint-table policies costs one LangGraph
superstep (put + put_writes), measured as bench.run measures it (A and T
interleaved, wall time and the backend's CPU), with the policies replaced one
layer at a time on an existing bench database. The real definitions are put back
(the definitions `threadguard migrate` applies) at the end, also after a failure.

    python -m bench.floor --size medium   (DATABASE_URL: a superuser connection)

Each layer measures put + put_writes; the layers whose writes find their claims
also measure get_tuple, list(limit=10) and delete_thread (on other threads).
Layers, each a complete set of policies on the three checkpoint tables:
  trivial policies      RLS enabled and forced, every policy `true`: what row
                        security as such, a non-superuser login and the owner
                        stamps' defaults cost
  owner comparison      every policy, writes included, compares the owner stamps
                        with threadguard.context (the read policy): no ownership
  owner comparison as text
                        the same, comparing the stamps' text with the settings:
                        no InitPlan, a comparison per row instead
  threadguard           the real policies, in three modes:
                        - claims hit: each measured superstep follows an
                          unmeasured one on the same thread, so every write
                          finds its claim (the best case);
                        - full check: the deletion counter is advanced before
                          each superstep, so its first write is checked in full
                          (a real agent's case: its supersteps are seconds
                          apart, and a claim lasts until the second changes);
                        - full check, no activity: the same with claim_thread
                          finding the conversation instead of updating its
                          updated_at (what keeping updated_at current costs)
Not a test of isolation: the first three layers are not safe policies.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import time
from pathlib import Path
from typing import Any

from bench import dataset, report, run
from bench.run import Config, Samples, op_put_superstep
from threadguard import paths, runner

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


def claim_thread_without_activity() -> list[str]:
    """claim_thread with its updated_at UPDATE replaced by a lookup of the same row
    (it still records the claim, so later writes of the superstep hit it)."""
    text = (paths.sql_dir() / "functions" / "claim_thread.sql").read_text()
    body = text[text.index("create or replace function"):text.index("revoke all")]
    lookup = ("perform from threadguard.conversations as k"
              " where k.thread_id operator(pg_catalog.=) p_thread_id"
              " and k.tenant_id operator(pg_catalog.=) p_tenant_id"
              " and k.user_id operator(pg_catalog.=) p_user_id;")
    changed, n = re.subn(r"update threadguard\.conversations as c.*?skip locked\);", lookup, body, flags=re.S)
    if n != 1:
        raise RuntimeError("claim_thread.sql no longer has the UPDATE this layer replaces")
    return [changed]


LAYERS: dict[str, tuple[list[str], str]] = {
    "trivial policies": (policies("true", "true"), "hit"),
    "owner comparison": (policies(OWNER, OWNER), "hit"),
    "owner comparison as text": (policies(OWNER_TEXT, OWNER_TEXT), "hit"),
    "threadguard, claims hit": ([], "hit"),
    "threadguard, full check": ([], "full"),
    "threadguard, full check, no activity": (claim_thread_without_activity(), "full"),
}


def restore(target: str) -> None:
    """The real policies and functions again: what `threadguard migrate` applies after the migrations."""
    runner.apply_definitions(target)


def measure_superstep(a: Config, t: Config, threads: list[dataset.Thread], mode: str, samples: int) -> dict[str, Any]:
    assert a.admin is not None
    admin = a.admin
    res = {"A": Samples(), "T": Samples()}
    for i in range(samples):
        thread = threads[i % len(threads)]
        for config in ((a, t) if i % 2 else (t, a)):
            if mode == "hit":  # an unmeasured superstep first: the measured one finds its claims
                op_put_superstep(config, thread, Samples())
            else:  # every claim stale: the measured superstep's first write is checked in full
                admin.execute("select nextval('threadguard.conversation_deletions')")
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
        measure_superstep(a, t, writes, "hit", len(writes))  # unmeasured: caches warm before the first layer
        for op_name in ("get_tuple", "list(limit=10)", "delete_thread"):
            measure_op(a, t, reads, op_name, len(reads))
        for name, (statements, mode) in LAYERS.items():
            restore(target)
            for statement in statements:
                admin.execute(statement)
            layer = {"put+put_writes": measure_superstep(a, t, writes, mode, args.samples)}
            if mode == "hit":  # reads and deletes do not depend on the claims
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
