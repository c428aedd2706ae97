"""The benchmark harness at its smallest size, with few samples, so it cannot rot.
It measures nothing here: `make bench` does, and commits bench/RESULTS.md."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import psycopg

from bench import dataset
from threadguard import runner

ROOT = Path(__file__).resolve().parents[2]


def test_bench_runs_end_to_end_at_small_size(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bench.run", "--size", "small", "--rounds", "2", "--per-round", "2",
         "--throughput-seconds", "0.2", "--throughput-processes", "1", "--out", str(tmp_path)],
        cwd=ROOT, env=dict(os.environ), capture_output=True, text=True, timeout=900,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    results = json.loads((tmp_path / "results" / "small.json").read_text())
    for temperature in ("hot", "cold"):
        for op in ("get_tuple", "put+put_writes", "list(limit=10)", "delete_thread"):
            assert results[temperature][op]["A"]["n"] > 0 and results[temperature][op]["T"]["n"] > 0
    for regime, ops in (("agent", ["put+put_writes"]), ("pooler", ["get_tuple", "put+put_writes", "list(limit=10)", "delete_thread"])):
        for op in ops:
            assert all(results[regime][op][side]["n"] > 0 for side in ("A", "A+", "T")), (regime, op)
    assert results["throughput"]["T"]["median"] > 0 and results["throughput"]["A+"]["median"] > 0
    rendered = (tmp_path / "RESULTS.md").read_text()
    assert "## Targets" in rendered and "list_conversations first page" in rendered
    plans = (tmp_path / "plans-small.txt").read_text()
    assert "== saver.get_tuple" in plans and "Index Scan" in plans
    # The durable regime refuses a server that is not durable, and its results render beside the fast ones.
    refused = subprocess.run([sys.executable, "-m", "bench.run", "--size", "small", "--regime", "durable", "--out", str(tmp_path)],
                             cwd=ROOT, env=dict(os.environ), capture_output=True, text=True, timeout=300)
    assert refused.returncode != 0 and "the durable regime needs" in refused.stderr
    from bench import report

    (tmp_path / "results" / "small-durable.json").write_text(json.dumps({**results, "regime": "durable"}))
    rendered = report.render(tmp_path)
    assert rendered.count("## small") == 2 and "## small, durable regime (fsync on, synchronous_commit on" in rendered


def test_floor_runs_and_puts_the_real_policies_back(tmp_path: Path) -> None:
    """bench.floor swaps unsafe policies in on the small bench database: it must
    measure every layer and leave the real definitions behind (verify finds nothing)."""
    result = subprocess.run(
        [sys.executable, "-m", "bench.floor", "--size", "small", "--samples", "4", "--out", str(tmp_path)],
        cwd=ROOT, env=dict(os.environ), capture_output=True, text=True, timeout=900,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    layers = json.loads((tmp_path / "results" / "floor-small.json").read_text())["layers"]
    assert set(layers) == {"trivial policies", "owner comparison as text", "threadguard", "threadguard, no activity",
                           "threadguard, activity to the minute"}
    assert all(s["T"]["n"] > 0 for layer in layers.values() for s in layer.values())
    assert "What each policy layer costs" in (tmp_path / "RESULTS.md").read_text()
    bench_db = dataset.ensure_database(os.environ["DATABASE_URL"], dataset.SIZES["small"])  # reused, not rebuilt
    assert runner.verify(bench_db) == []
    with psycopg.connect(bench_db) as conn:
        checks = conn.execute("select pg_get_expr(polwithcheck, polrelid) from pg_policy"
                              " where polname = 'checkpoints_owner_insert'").fetchone()
        trigger = conn.execute("select 1 from pg_trigger where tgname = 'checkpoints_touch_conversation'").fetchone()
    assert checks is not None and "threadguard.context" in checks[0], "the real write policy is back"
    assert trigger is not None, "the activity trigger is back"


def test_search_bench_runs_and_finds_what_each_case_asks(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bench.search", "--conversations", "400", "--samples", "2", "--out", str(tmp_path)],
        cwd=ROOT, env=dict(os.environ), capture_output=True, text=True, timeout=900,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    cases = json.loads((tmp_path / "results" / "search.json").read_text())["cases"]
    rows = {case: pages["first"]["rows"] for case, pages in cases.items()}
    # 400 conversations: 5% is 20, 10% is 40, 1% is 4; the page holds them all.
    assert rows == {"no filter": 50, "title 'alpha'": 20, "metadata project=p3": 40, "title 'alpha' + project=p0": 20,
                    "metadata team=t42 (rare)": 0, "title 'zebra' (no match)": 0,
                    # list_conversations and 0.21's, its same-run reference: the same page
                    "list_conversations": 50, "list_conversations, 0.21's function": 50}, rows
    assert "Index Scan using conversations_owner_activity_idx" in (tmp_path / "SEARCH.md").read_text()


def test_client_bench_runs(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "bench.client", "--statements", "50", "--rounds", "1", "--out", str(tmp_path)],
                            cwd=ROOT, env=dict(os.environ), capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    measured = json.loads((tmp_path / "results" / "client.json").read_text())
    assert measured["A"] > 0 and measured["T"] > 0 and "added by the binding" in (tmp_path / "CLIENT.md").read_text()


def test_partitions_bench_runs(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "bench.partitions", "--size", "tiny", "--partitions", "4", "--rounds", "1",
                             "--per-round", "3", "--out", str(tmp_path)],
                            cwd=ROOT, env=dict(os.environ), capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    results = json.loads((tmp_path / "results" / "partitions-tiny-p4.json").read_text())
    assert all(results[r][op][side]["n"] > 0 for r, op in (("hot", "get_tuple"), ("cold", "list(limit=10)"), ("agent", "put+put_writes"))
               for side in ("plain", "partitioned"))
    assert "| agent | put+put_writes |" in (tmp_path / "results" / "partitions-tiny-p4.md").read_text()


def test_sealed_bench_runs(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "bench.sealed", "--size", "tiny", "--rounds", "1", "--per-round", "3", "--seconds", "0.3",
                             "--throughput-rounds", "1",
                             "--out", str(tmp_path)],
                            cwd=ROOT, env=dict(os.environ), capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    results = json.loads((tmp_path / "results" / "sealed-tiny.json").read_text())
    assert all(results[r][op][side]["n"] > 0 for r, op in (("hot", "get_tuple"), ("agent", "put+put_writes"))
               for side in ("plain", "sealed"))
    assert all(results["first use"][alg]["new token"]["n"] > 0 for alg in ("RS256-2048", "HS256"))
    assert "| agent | put+put_writes |" in (tmp_path / "results" / "sealed-tiny.md").read_text()
