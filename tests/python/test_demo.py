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


def test_demo_help_touches_no_database_and_no_settings_is_an_error() -> None:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL" and not k.startswith("PG")}
    helped = subprocess.run([sys.executable, "-m", "threadguard.demo", "--help"], env=env, capture_output=True, text=True, timeout=60)
    assert helped.returncode == 0 and "usage:" in helped.stdout and "migrating" not in helped.stderr
    bare = subprocess.run([sys.executable, "-m", "threadguard.demo"], env=env, capture_output=True, text=True, timeout=60)
    assert bare.returncode == 2 and "no database named" in bare.stderr and "Traceback" not in bare.stderr
