"""Where the migrations and SQL definitions are: in the wheel, or in the source tree."""

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
_SOURCE_TREE = _PACKAGE.parent.parent


def _find(packaged: str, in_tree: str) -> Path:
    for candidate in (_PACKAGE / packaged, _SOURCE_TREE / in_tree):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"threadguard: cannot find its {in_tree}/ folder next to {_PACKAGE}")


def migrations_dir() -> Path:
    return _find("_migrations", "migrations")


def sql_dir() -> Path:
    return _find("_sql", "sql")
