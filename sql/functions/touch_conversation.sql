-- threadguard.touch_conversation: a conversation's updated_at records its activity,
-- moved by the database when LangGraph writes a checkpoint to its thread. Only the
-- first checkpoint of each ~27 s (a new uuid6 time_high: the id's first 8 hex digits
-- differ from its parent's) moves it, to the time in the id; readers take the exact
-- time from the latest checkpoint id (list_conversations.sql), so the row is not
-- updated on every superstep (bench/ATTEMPTS.md). Its trigger is defined here too.

create or replace function threadguard.touch_conversation()
returns trigger
language plpgsql
-- Definer: the application may not update updated_at itself. RLS still applies to
-- the owner (FORCE): it reaches only the writer's own conversation.
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
    -- The time in the id (one clock for writing and reading); now() for an id that is no uuid6.
    v_at timestamptz := coalesce(threadguard.checkpoint_time(new.checkpoint_id), pg_catalog.now());
begin
    update threadguard.conversations as c
       set updated_at = v_at
     where c.thread_id operator(pg_catalog.=) new.thread_id
       and c.tenant_id operator(pg_catalog.=) new.threadguard_tenant_id
       and c.user_id operator(pg_catalog.=) new.threadguard_user_id
       and c.updated_at operator(pg_catalog.<) v_at;
    return null;
end
$$;

revoke all on function threadguard.touch_conversation() from public;
comment on function threadguard.touch_conversation() is
    'Trigger function: moves the conversation''s updated_at (never backwards) to the time in the new checkpoint''s id (now() for an id that is no uuid6).';

-- Rows with no owner (a superuser's, before adoption) have no conversation to mark.
-- A checkpoint whose uuid6 shares its parent's first 8 hex digits (the same ~27 s)
-- skips the call: the parent's bucket was marked when it began, so updated_at lags
-- the latest checkpoint by less than 27 s, which readers close from the ids.
create or replace trigger checkpoints_touch_conversation
    after insert on public.checkpoints
    for each row when (new.threadguard_tenant_id is not null
                       and (new.parent_checkpoint_id is null
                            or pg_catalog.left(new.checkpoint_id, 8) operator(pg_catalog.<>) pg_catalog.left(new.parent_checkpoint_id, 8)
                            or threadguard.checkpoint_time(new.checkpoint_id) is null))
    execute function threadguard.touch_conversation();
comment on trigger checkpoints_touch_conversation on public.checkpoints is
    'threadguard: a checkpoint that starts a new ~27 s of activity (or has no parent, or an id that is no uuid6) marks its conversation active (updated_at).';
