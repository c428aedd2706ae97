-- threadguard.list_conversations: the current user's conversations, most recently
-- active first, keyset-paginated, each with its latest root checkpoint. Activity is
-- exact: the stored updated_at lags the latest checkpoint by less than 27 s
-- (touch_conversation.sql), and the page is ordered by the later of the two.

create or replace function threadguard.list_conversations(
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
-- Both queries must read conversations_owner_activity_idx as a bounded range, whatever
-- the statistics say about this user: a cached generic plan otherwise sorts all of a
-- user's conversations when the average user has few (bench/ATTEMPTS.md). The only
-- sort left is of the page's few candidates.
set enable_sort = off
-- enable_sort = off makes the final sort of the candidates cost 1e10, which would JIT-compile it (~300 ms).
set jit = off
as $$
#variable_conflict use_column
declare
    v_tenant_id uuid;  -- from threadguard.require_context(), read once
    v_user_id uuid;
    v_limit integer;
    -- More than the stored updated_at can lag a conversation's exact activity (27 s,
    -- touch_conversation.sql), with room for clock skew in rows stamped by earlier
    -- releases (from the server's clock).
    c_lag constant interval := interval '1 minute';
    v_floor timestamptz;   -- the p_limit-th stored activity among rows surely on this page or later
    v_low timestamptz;     -- the candidates' range of stored activity: (v_low, v_high]
    v_high timestamptz := coalesce(p_before_updated_at, 'infinity');
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
    v_limit := least(p_limit, 200);  -- LEAST is syntax, not a function: nothing to shadow

    -- Exact activity is at least the stored one and less than c_lag above it. Rows stored
    -- at least c_lag before the cursor all come after it; the p_limit-th of them bounds
    -- the page from below, so only rows stored above (v_floor - c_lag) can be on it.
    select cv.updated_at into v_floor
      from threadguard.conversations as cv
     where cv.tenant_id operator(pg_catalog.=) v_tenant_id
       and cv.user_id operator(pg_catalog.=) v_user_id
       and cv.updated_at operator(pg_catalog.<=) (v_high operator(pg_catalog.-) c_lag)
     order by cv.updated_at desc, cv.id desc
    offset v_limit operator(pg_catalog.-) 1 limit 1;
    v_low := coalesce(v_floor operator(pg_catalog.-) c_lag, '-infinity');  -- plain values: the plan reads a range

    -- The candidates, then their latest root checkpoints, looked up by the stored text
    -- id: under RLS only a leakproof condition may use the checkpoints index, and a
    -- cast of c.id would not be one.
    return query
    select c.id, c.title, c.created_at, a.active, k.checkpoint_id, k.metadata
    from (
        select cv.id, cv.thread_id, cv.title, cv.created_at, cv.updated_at
        from threadguard.conversations as cv
        where cv.tenant_id operator(pg_catalog.=) v_tenant_id
          and cv.user_id operator(pg_catalog.=) v_user_id
          and cv.updated_at operator(pg_catalog.<=) v_high
          and cv.updated_at operator(pg_catalog.>) v_low
    ) as c
    left join lateral (
        select cp.checkpoint_id, cp.metadata
        from public.checkpoints as cp
        where cp.thread_id operator(pg_catalog.=) c.thread_id
          and cp.checkpoint_ns operator(pg_catalog.=) ''
        order by cp.checkpoint_id desc
        limit 1
    ) as k on true
    cross join lateral (
        select greatest(c.updated_at, threadguard.checkpoint_time(k.checkpoint_id)) as active  -- GREATEST is syntax
    ) as a
    where p_before_updated_at is null
       or (a.active, c.id) operator(pg_catalog.<) (p_before_updated_at, p_before_id)
    order by a.active desc, c.id desc
    limit v_limit;
end
$$;

revoke all on function threadguard.list_conversations(integer, timestamptz, uuid) from public;
grant execute on function threadguard.list_conversations(integer, timestamptz, uuid) to threadguard_app;
comment on function threadguard.list_conversations(integer, timestamptz, uuid) is
    'The current user''s conversations, most recently active first (updated_at: the later of the stored activity and the time in the latest root checkpoint''s id), with each thread''s latest root checkpoint (checkpoint_id and metadata, null when none yet). p_limit: 1 or more, clamped to 200. Next page: pass the last row''s updated_at and thread_id as p_before_updated_at and p_before_id. Raises 42501 without a valid context, 22023 on bad arguments.';
