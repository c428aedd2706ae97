"""The README's first command: `make demo` runs python -m threadguard.demo; so does CI, here."""

from __future__ import annotations

import os
import subprocess
import sys

from dbtools import fresh_database


def test_demo_runs_clean_on_a_fresh_database() -> None:
    with fresh_database("tg_demo") as conninfo:
        result = subprocess.run(
            [sys.executable, "-m", "threadguard.demo"],
            env={**os.environ, "DATABASE_URL": conninfo},
            capture_output=True, text=True, timeout=300,
        )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "FAIL" not in result.stdout
    assert result.stdout.rstrip().endswith("demo: every check passed")
