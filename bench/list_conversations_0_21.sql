-- bench: threadguard.list_conversations as 0.21 shipped it (ordered by the stored updated_at, which
-- every checkpoint moved), installed as bench.list_conversations_0_21 in bench databases only, so
-- that the new function is compared with it in the same run (issue #21: "unchanged or better").

create schema if not exists bench;
grant usage on schema bench to {app};

create or replace function bench.list_conversations_0_21(
    p_limit integer default 50,
    p_before_updated_at timestamptz default null,
    p_before_id uuid default null
)
returns table (
    thread_id uuid,
    title text,
    created_at timestamptz,
    updated_at timestamptz,
    checkpoint_id text,
    metadata jsonb
)
language plpgsql
stable
-- Definer: one call reads conversations and checkpoints with a plan the function
-- controls; identity still comes only from the context, and RLS still applies.
security definer
set search_path = pg_catalog, pg_temp
-- The page must come from conversations_owner_activity_idx in order, stopping
-- after p_limit rows, whatever the statistics say about this user: the cached
-- generic plan otherwise sorts all of a user's conversations when the average
-- user has few (cost growing with the count; bench/ATTEMPTS.md).
set enable_sort = off
as $$
#variable_conflict use_column
declare
    v_tenant_id uuid;  -- from threadguard.require_context(), read once
    v_user_id uuid;
begin
    select c.tenant_id, c.user_id into v_tenant_id, v_user_id from threadguard.require_context() as c;
    if p_limit is null or p_limit operator(pg_catalog.<) 1 then
        raise exception 'threadguard: p_limit must be a positive integer (got %)', coalesce(p_limit::text, 'null')
            using errcode = 'invalid_parameter_value';
    end if;
    if (p_before_updated_at is null) operator(pg_catalog.<>) (p_before_id is null) then
        raise exception 'threadguard: pass both p_before_updated_at and p_before_id (the last row''s updated_at and thread_id), or neither'
            using errcode = 'invalid_parameter_value';
    end if;

    -- The page is chosen first, then its checkpoints are looked up by the stored
    -- text id: under RLS only a leakproof condition may use the checkpoints
    -- index, and a cast of c.id would not be one.
    return query
    select c.id, c.title, c.created_at, c.updated_at, k.checkpoint_id, k.metadata
    from (
        select cv.id, cv.thread_id, cv.title, cv.created_at, cv.updated_at
        from threadguard.conversations as cv
        where cv.tenant_id operator(pg_catalog.=) v_tenant_id
          and cv.user_id operator(pg_catalog.=) v_user_id
          and (p_before_updated_at is null
               or (cv.updated_at, cv.id) operator(pg_catalog.<) (p_before_updated_at, p_before_id))
        order by cv.updated_at desc, cv.id desc
        limit least(p_limit, 200)  -- LEAST is syntax, not a function: nothing to shadow
    ) as c
    left join lateral (
        select cp.checkpoint_id, cp.metadata
        from public.checkpoints as cp
        where cp.thread_id operator(pg_catalog.=) c.thread_id
          and cp.checkpoint_ns operator(pg_catalog.=) ''
        order by cp.checkpoint_id desc
        limit 1
    ) as k on true
    order by c.updated_at desc, c.id desc;
end
$$;

revoke all on function bench.list_conversations_0_21(integer, timestamptz, uuid) from public;
grant execute on function bench.list_conversations_0_21(integer, timestamptz, uuid) to {app};
alter function bench.list_conversations_0_21(integer, timestamptz, uuid) owner to {owner};
