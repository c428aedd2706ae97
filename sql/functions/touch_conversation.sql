-- threadguard.touch_conversation: a conversation's updated_at is its last activity,
-- moved by the database whenever LangGraph writes a new checkpoint to its thread
-- (resolution: the writing transaction's start, never backwards). Its trigger is
-- defined here too.

create or replace function threadguard.touch_conversation()
returns trigger
language plpgsql
-- Definer: the application may not update updated_at itself. RLS still applies to
-- the owner (FORCE): it reaches only the writer's own conversation.
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
    update threadguard.conversations as c
       set updated_at = pg_catalog.now()
     where c.thread_id operator(pg_catalog.=) new.thread_id
       and c.tenant_id operator(pg_catalog.=) new.threadguard_tenant_id
       and c.user_id operator(pg_catalog.=) new.threadguard_user_id
       and c.updated_at operator(pg_catalog.<) pg_catalog.now();
    return null;
end
$$;

revoke all on function threadguard.touch_conversation() from public;
comment on function threadguard.touch_conversation() is
    'Trigger function: moves the conversation''s updated_at to now() when a checkpoint is inserted into its thread (once per transaction, never backwards).';

-- Rows with no owner (a superuser's, before adoption) have no conversation to mark:
-- the WHEN clause skips them without calling the function.
create or replace trigger checkpoints_touch_conversation
    after insert on public.checkpoints
    for each row when (new.threadguard_tenant_id is not null)
    execute function threadguard.touch_conversation();
comment on trigger checkpoints_touch_conversation on public.checkpoints is
    'threadguard: a new checkpoint marks its conversation active (updated_at).';
