"""The saver, conformance, store and operations suites on sealed databases (docs/sealed.md): every migrated database
of theirs is sealed with the test issuer's keys and every acting_as presents a token it signed
(tests/python/tokens.py), so they run unchanged, direct and through PgBouncer (only the store's adoption
test is left out: it adopts an unsealed database). A file of its own so that it runs beside test_sealed.py."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def test_the_saver_conformance_and_store_suites_pass_sealed() -> None:
    suites = ["test_conformance.py", "test_saver.py", "test_store.py", "test_operations.py",
              "test_pool_reuse.py::test_a_pipeline_queues_the_identity_once_per_transaction"]
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider",
                           "-k", "not adopting", *suites],
                          cwd=Path(__file__).parent, env={**os.environ, "TG_TEST_SEALED": "1"},
                          capture_output=True, text=True, timeout=900)
    summary = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert " passed" in summary and "skipped" not in summary and "failed" not in summary, summary
