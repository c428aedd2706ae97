"""The README is the front door and docs/ the manual behind it: every relative link in them names a
file that exists (and, with an anchor, a heading of it), so moving a section cannot strand a reader."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
_LINK = re.compile(r"\]\(([^)#\s]+)?(?:#([^)\s]+))?\)")


def _anchor(heading: str) -> str:
    return re.sub(r"[^a-z0-9 _-]", "", heading.lower()).replace(" ", "-")


def test_every_relative_link_of_the_readme_and_docs_resolves() -> None:
    broken = []
    for page in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        for target, anchor in _LINK.findall(page.read_text(encoding="utf-8")):
            if target.startswith(("http://", "https://", "mailto:")):
                continue
            path = (page.parent / target).resolve() if target else page
            if not path.exists():
                broken.append(f"{page.relative_to(ROOT)}: {target}")
            elif anchor and path.suffix == ".md":
                headings = {_anchor(h) for h in re.findall(r"^#+ (.+)$", path.read_text(encoding="utf-8"), re.MULTILINE)}
                if anchor not in headings:
                    broken.append(f"{page.relative_to(ROOT)}: {target}#{anchor}")
    assert not broken, broken


def test_the_readme_stays_a_front_door() -> None:
    lines = (ROOT / "README.md").read_text(encoding="utf-8").count("\n")
    assert lines <= 360, f"README.md has {lines} lines: move manual material to docs/"


def test_the_readme_sql_example_prints_what_the_readme_says(migrated_db: str, tmp_path: Path) -> None:
    """The SQL API section's script, saved as example.sql and run with its psql command as the
    application's login on a fresh install, prints exactly the output the README shows."""
    import os
    import subprocess

    from dbtools import app_conninfo

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## The SQL API"):readme.index("## Running LangGraph under threadguard")]
    script, command, printed = (re.search(rf"```{kind}\n(.*?)\n```\n", section, re.DOTALL).group(1)  # type: ignore[union-attr]
                                for kind in ("sql", "sh", "text"))
    (tmp_path / "example.sql").write_text(script + "\n", encoding="utf-8")
    done = subprocess.run(command, shell=True, cwd=tmp_path, env={**os.environ, "DATABASE_URL": app_conninfo(migrated_db)},
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=60)
    assert done.returncode == 0
    assert [line.rstrip() for line in done.stdout.rstrip("\n").splitlines()] == printed.splitlines()
