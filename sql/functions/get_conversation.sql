-- threadguard.get_conversation: one conversation of the current user, with its
-- latest root checkpoint. Absent and foreign ids give the same answer: no row.

create or replace function threadguard.get_conversation(p_thread_id uuid)
returns table (
    thread_id uuid,
    title text,
    created_at timestamptz,
    updated_at timestamptz,
    checkpoint_id text,
    metadata jsonb,
    checkpoint jsonb
)
language plpgsql
stable
-- Definer: reads conversations and checkpoints with a plan the function controls;
-- identity comes only from the context, and RLS still applies.
security definer
set search_path = pg_catalog, pg_temp
as $$
#variable_conflict use_column
declare
    v_tenant_id uuid;  -- from threadguard.require_context(), read once
    v_user_id uuid;
begin
    select c.tenant_id, c.user_id into v_tenant_id, v_user_id from threadguard.require_context() as c;
    if p_thread_id is null then
        raise exception 'threadguard: p_thread_id must not be null' using errcode = 'null_value_not_allowed';
    end if;
    -- The checkpoint lookup joins on the stored text id: under RLS only a
    -- leakproof condition may use the checkpoints index, and a cast of c.id
    -- would not be one.
    return query
    select c.id, c.title, c.created_at,
           greatest(c.updated_at, threadguard.checkpoint_time(k.checkpoint_id)),  -- exact: list_conversations.sql
           k.checkpoint_id, k.metadata, k.checkpoint
    from (
        select cv.id, cv.thread_id, cv.title, cv.created_at, cv.updated_at
        from threadguard.conversations as cv
        where cv.id operator(pg_catalog.=) p_thread_id
          and cv.tenant_id operator(pg_catalog.=) v_tenant_id
          and cv.user_id operator(pg_catalog.=) v_user_id
        offset 0
    ) as c
    left join lateral (
        select cp.checkpoint_id, cp.metadata, cp.checkpoint
        from public.checkpoints as cp
        where cp.thread_id operator(pg_catalog.=) c.thread_id
          and cp.checkpoint_ns operator(pg_catalog.=) ''
        order by cp.checkpoint_id desc
        limit 1
    ) as k on true;
end
$$;

revoke all on function threadguard.get_conversation(uuid) from public;
grant execute on function threadguard.get_conversation(uuid) to threadguard_app;
comment on function threadguard.get_conversation(uuid) is
    'One conversation of the current user (updated_at as list_conversations gives it) with its latest root checkpoint (checkpoint_id, metadata, checkpoint; null when none yet). No row when the id does not exist or belongs to someone else: the two are indistinguishable. Raises 42501 without a valid context, 22004 for a null id.';
