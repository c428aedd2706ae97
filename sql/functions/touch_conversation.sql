-- threadguard.touch_conversation: keeps conversations.updated_at at the thread's
-- last activity when LangGraph inserts a checkpoint (the application cannot be
-- trusted to), and refuses a checkpoint whose conversation a concurrent
-- delete_conversation removed after the write's RLS check saw it. Its trigger is defined here too.

create or replace function threadguard.touch_conversation()
returns trigger
language plpgsql
-- Definer: threadguard_app may not update updated_at itself (column privileges).
-- RLS still applies to the owner (FORCE), so only the caller's own conversation moves.
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
    if threadguard.current_tenant_id() is null then
        -- Only a role that bypasses RLS (a superuser doing maintenance) can
        -- insert without a context: there is no conversation to touch for it.
        return null;
    end if;
    -- Always an UPDATE, so it always takes the row lock: a concurrent delete
    -- either waits for this transaction, or has committed and leaves no row.
    update threadguard.conversations
       set updated_at = greatest(updated_at, pg_catalog.now())  -- GREATEST is syntax: nothing to shadow
     where thread_id operator(pg_catalog.=) new.thread_id;
    if not found then
        raise exception 'threadguard: thread % has no conversation (it was deleted while this checkpoint was written)', new.thread_id
            using errcode = 'insufficient_privilege';
    end if;
    return null;
end
$$;

revoke all on function threadguard.touch_conversation() from public;
comment on function threadguard.touch_conversation() is
    'Trigger function: moves the thread''s conversations.updated_at to now() when a checkpoint is inserted (never backwards), and raises 42501 if the conversation was deleted concurrently. Security definer so the application role needs no UPDATE right on updated_at.';

create or replace trigger checkpoints_touch_conversation
    after insert on public.checkpoints
    for each row execute function threadguard.touch_conversation();
comment on trigger checkpoints_touch_conversation on public.checkpoints is
    'threadguard: a new checkpoint is activity on its conversation (updated_at), and cannot outlive a concurrent delete of it.';
