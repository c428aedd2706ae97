#!/usr/bin/env bash
# isolation/checkpoint_blobs.sql and isolation/checkpoint_writes.sql are the same
# persona-by-persona proof as isolation/checkpoints.sql, for the other two tables.
# Edit checkpoints.sql, then run this to regenerate them (pytest checks they match).
#   tests/pgtap/generate_isolation.sh [OUTPUT_DIR]   (default: tests/pgtap/isolation)
set -euo pipefail
src="$(cd "$(dirname "$0")" && pwd)/isolation"
out="${1:-$src}"
for t in checkpoint_blobs checkpoint_writes; do
  case $t in checkpoint_blobs) key=version; what="blob";; checkpoint_writes) key=checkpoint_id; what="pending write";; esac
  sed -e "s/public\.checkpoints/public.$t/g" -e "s/'checkpoints'/'$t'/g" -e "s/''checkpoints''/''$t''/g" \
      -e "s/metadata = '{\"x\":1}'/type = 'changed'/g" \
      -e "s/where metadata = '{}'/where type = 'msgpack'/" \
      -e "s/'values (3::bigint)'/'values (2::bigint)'/" \
      -e "s/B''s two rows and the pre-adoption row are intact/B''s two rows are intact/" \
      -e "s/values (%L, 3::bigint), (%L, 2::bigint)/values (%L, 2::bigint), (%L, 2::bigint)/" \
      -e "s/(not the unowned pre-adoption row)//" \
      -e "s/sees exactly its two checkpoints/sees exactly its two rows/" \
      -e "s/sees no checkpoint/sees no $what/" \
      -e "s/where checkpoint_id = 'a1-new'/where $key = 'a1-new'/" \
      -e "s/and checkpoint_id = 'a1-new' returning checkpoint_id/and $key = 'a1-new' returning $key/" \
      "$src/checkpoints.sql" > "$out/$t.sql"
done
sed -i "1,2c -- Isolation of public.checkpoint_blobs (the channel values, i.e. the messages), persona by\n-- persona: each sees and changes only its own thread's rows; foreign writes are refused." "$out/checkpoint_blobs.sql"
sed -i "1,2c -- Isolation of public.checkpoint_writes (pending writes, which get_tuple returns as the graph's\n-- own): each persona sees and changes only its own thread's rows; foreign writes are refused." "$out/checkpoint_writes.sql"
OUT="$out" python3 - <<'PY'
for t, cols, vals in (("checkpoint_blobs","thread_id, channel, version, type, blob","%L, 'messages', 'n2', 'msgpack', '\\x00'"),
                      ("checkpoint_writes","thread_id, checkpoint_id, task_id, idx, channel, type, blob","%L, 'n2', 't', 0, 'messages', 'msgpack', '\\x00'")):
    import os; p=os.path.join(os.environ["OUT"], f"{t}.sql"); s=open(p).read()
    old=f"insert into public.{t} (thread_id, checkpoint_id, checkpoint, threadguard_tenant_id, threadguard_user_id) values (%L, 'n2', '{{}}', %L, %L)"
    assert s.count(old) == 2, t
    s=s.replace(old, f"insert into public.{t} ({cols}, threadguard_tenant_id, threadguard_user_id) values ({vals}, %L, %L)")
    open(p,'w').write(s)
PY
