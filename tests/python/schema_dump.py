"""Regenerate or check schema.sql: the normalised schema of a freshly migrated database.

    python tests/python/schema_dump.py --write schema.sql   (make schema)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from dbtools import fresh_database, schema_dump  # noqa: E402

from threadguard import runner  # noqa: E402


def fresh_schema() -> str:
    with fresh_database("tg_schema") as conninfo:
        runner.migrate(conninfo)
        return schema_dump(conninfo)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--write", type=Path, required=True)
    args = parser.parse_args()
    args.write.write_text(fresh_schema(), encoding="utf-8")
    print(f"wrote {args.write}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
