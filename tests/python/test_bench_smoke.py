"""The benchmark harness at its smallest size, with few samples, so it cannot rot.
It measures nothing here: `make bench` does, and commits bench/RESULTS.md."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_bench_runs_end_to_end_at_small_size(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bench.run", "--size", "small", "--rounds", "2", "--per-round", "2",
         "--throughput-seconds", "0.5", "--out", str(tmp_path)],
        cwd=ROOT, env=dict(os.environ), capture_output=True, text=True, timeout=900,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    results = json.loads((tmp_path / "results" / "small.json").read_text())
    for temperature in ("hot", "cold"):
        for op in ("get_tuple", "put+put_writes", "list(limit=10)", "delete_thread"):
            assert results[temperature][op]["A"]["n"] > 0 and results[temperature][op]["T"]["n"] > 0
    assert results["throughput"]["T"]["median"] > 0
    rendered = (tmp_path / "RESULTS.md").read_text()
    assert "## Targets" in rendered and "list_conversations first page" in rendered
    plans = (tmp_path / "plans-small.txt").read_text()
    assert "== saver.get_tuple" in plans and "Index Scan" in plans
