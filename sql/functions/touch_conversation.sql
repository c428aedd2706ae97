-- threadguard.touch_conversation: keeps conversations.updated_at at the thread's
-- last activity. Fires when LangGraph inserts a checkpoint; the database does it
-- because the application cannot be trusted to. Its trigger is defined here too.

create or replace function threadguard.touch_conversation()
returns trigger
language plpgsql
-- Definer: threadguard_app may not update updated_at itself (column privileges).
-- RLS still applies to the owner (FORCE), so only the caller's own conversation moves.
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
    update threadguard.conversations
       set updated_at = pg_catalog.now()
     where id operator(pg_catalog.=) threadguard.thread_uuid(new.thread_id)
       and updated_at operator(pg_catalog.<) pg_catalog.now();
    return null;
end
$$;

revoke all on function threadguard.touch_conversation() from public;
comment on function threadguard.touch_conversation() is
    'Trigger function: moves the thread''s conversations.updated_at to now() when a checkpoint is inserted (never backwards, once per transaction). Security definer so the application role needs no UPDATE right on updated_at.';

create or replace trigger checkpoints_touch_conversation
    after insert on public.checkpoints
    for each row execute function threadguard.touch_conversation();
comment on trigger checkpoints_touch_conversation on public.checkpoints is
    'threadguard: a new checkpoint is activity on its conversation (updated_at).';
