"""The pgTAP isolation files for blobs and writes are generated from checkpoints.sql."""

from __future__ import annotations

import subprocess
from pathlib import Path

PGTAP = Path(__file__).resolve().parents[1] / "pgtap"


def test_generated_isolation_files_are_current(tmp_path: Path) -> None:
    subprocess.run([str(PGTAP / "generate_isolation.sh"), str(tmp_path)], check=True)
    for name in ("checkpoint_blobs.sql", "checkpoint_writes.sql"):
        assert (tmp_path / name).read_text() == (PGTAP / "isolation" / name).read_text(), (
            f"tests/pgtap/isolation/{name} is stale: run tests/pgtap/generate_isolation.sh"
        )
