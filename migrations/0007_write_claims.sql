-- 0007 write claims: what the write-path benchmarks asked for (bench/ATTEMPTS.md).
-- A LangGraph write used to pay, per row, an ownership probe of conversations and,
-- per checkpoint, a trigger that updated conversations.updated_at. Both move into
-- threadguard.may_write_thread and claim_thread (sql/functions), which check a
-- thread once and remember the check for the session until any conversation is
-- deleted, the identity changes, or the second changes. This migration adds the
-- counter that invalidates remembered checks and removes the per-checkpoint trigger.
-- depends: 0006_thread_text_and_statistics

-- The write policies that probe conversations go first; sql/policies recreates
-- them right after this migration (until then nothing can be written: fail closed).
drop policy if exists checkpoints_owner_insert on public.checkpoints;
drop policy if exists checkpoints_owner_update on public.checkpoints;
drop policy if exists checkpoint_blobs_owner_insert on public.checkpoint_blobs;
drop policy if exists checkpoint_blobs_owner_update on public.checkpoint_blobs;
drop policy if exists checkpoint_writes_owner_insert on public.checkpoint_writes;
drop policy if exists checkpoint_writes_owner_update on public.checkpoint_writes;

-- Activity (updated_at) and the ordering against a concurrent delete are now
-- may_write_thread's: the per-checkpoint trigger goes.
drop trigger if exists checkpoints_touch_conversation on public.checkpoints;
drop function if exists threadguard.touch_conversation();

set local role threadguard_owner;

create sequence threadguard.conversation_deletions as bigint;
comment on sequence threadguard.conversation_deletions is
    'Advanced (outside any transaction, so at once) by every deletion of a conversation: a session''s remembered write check is valid only while this has not moved.';
-- The application reads it (the write check is inlined into its statements) and
-- advances it (the purge trigger runs as the deleting role). Advancing it by
-- hand only makes every session check its next write again in full.
revoke all on sequence threadguard.conversation_deletions from public;
grant select, usage on sequence threadguard.conversation_deletions to threadguard_app;

reset role;
