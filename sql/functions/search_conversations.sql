-- threadguard.search_conversations: the current user's conversations whose title
-- contains a text and/or whose metadata contains a JSON object, most recently active
-- first, keyset-paginated like list_conversations and with its exact activity (which
-- reads each candidate's latest root checkpoint id).

create or replace function threadguard.search_conversations(
    p_title_contains text default null,
    p_metadata jsonb default null,
    p_limit integer default 50,
    p_before_updated_at timestamptz default null,
    p_before_id uuid default null
)
returns table (
    thread_id uuid,
    title text,
    metadata jsonb,
    created_at timestamptz,
    updated_at timestamptz
)
language plpgsql
stable
-- Definer: one plan the function controls; identity comes only from the context, and
-- RLS still applies.
security definer
set search_path = pg_catalog, pg_temp
-- The index conversations_owner_activity_idx is read as ranges, filtered as it is read, the
-- first stopping after p_limit matches: never a sort of all of a user's conversations
-- (bench/SEARCH.md records the plans and what a rare match costs).
set enable_sort = off
-- enable_sort = off makes the final sort of the candidates cost 1e10, which would JIT-compile it (~300 ms).
set jit = off
as $$
#variable_conflict use_column
declare
    v_tenant_id uuid;  -- from threadguard.require_context(), read once
    v_user_id uuid;
    -- The text as an ILIKE pattern that matches it literally: \ % _ escaped (ILIKE is cheaper per
    -- row than lower() + strpos: bench/ATTEMPTS.md).
    v_pattern text := '%' || pg_catalog.replace(pg_catalog.replace(pg_catalog.replace(
                          p_title_contains, '\', '\\'), '%', '\%'), '_', '\_') || '%';
    v_limit integer;
    c_lag constant interval := interval '1 minute';  -- as in list_conversations.sql, which says why
    v_floor timestamptz;   -- the stored activity of the p_limit-th match below the cursor's window
    v_low timestamptz;     -- v_floor - c_lag: the window below it
    v_rows threadguard.conversations[];  -- the first p_limit matches below the cursor's window
    v_found bigint;
    v_near timestamptz;    -- v_high - c_lag: the window just before the cursor
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
    if p_title_contains is not null and pg_catalog.char_length(p_title_contains) not between 1 and 200 then
        raise exception 'threadguard: p_title_contains must be null or 1 to 200 characters long (got %)',
            pg_catalog.char_length(p_title_contains) using errcode = 'invalid_parameter_value';
    end if;
    if p_metadata is not null and pg_catalog.jsonb_typeof(p_metadata) operator(pg_catalog.<>) 'object' then
        raise exception 'threadguard: p_metadata must be null or a JSON object (got %)', pg_catalog.jsonb_typeof(p_metadata)
            using errcode = 'invalid_parameter_value';
    end if;

    v_limit := least(p_limit, 200);  -- LEAST is syntax, not a function: nothing to shadow
    v_near := v_high operator(pg_catalog.-) c_lag;

    -- As list_conversations, but a filter may match rarely, so the user's index is read once:
    -- the first p_limit matches stored at least c_lag before the cursor are kept as rows, and only
    -- the two c_lag-wide windows their order cannot settle (just before the cursor, just below
    -- the last of them) are read again.
    select pg_catalog.array_agg(m.r), pg_catalog.min((m.r).updated_at), pg_catalog.count(*)
      into v_rows, v_floor, v_found
      from (select cv as r
              from threadguard.conversations as cv
             where cv.tenant_id operator(pg_catalog.=) v_tenant_id
               and cv.user_id operator(pg_catalog.=) v_user_id
               and cv.updated_at operator(pg_catalog.<=) v_near
               -- Case-insensitive substring; nothing in the text is a pattern (escaped above).
               and (v_pattern is null or cv.title operator(pg_catalog.~~*) v_pattern)
               and (p_metadata is null or cv.metadata operator(pg_catalog.@>) p_metadata)
             order by cv.updated_at desc, cv.id desc
             limit v_limit) as m;
    if v_found operator(pg_catalog.<) v_limit then
        v_floor := null;  -- every match below the cursor's window is in v_rows
    end if;
    v_low := coalesce(v_floor operator(pg_catalog.-) c_lag, 'infinity');  -- plain values: the plans read ranges

    return query
    select c.id, c.title, c.metadata, c.created_at, a.active
    from (
        select cv.id, cv.thread_id, cv.title, cv.metadata, cv.created_at, cv.updated_at
        from pg_catalog.unnest(v_rows) as cv
        union
        select cv.id, cv.thread_id, cv.title, cv.metadata, cv.created_at, cv.updated_at
        from threadguard.conversations as cv
        where cv.tenant_id operator(pg_catalog.=) v_tenant_id
          and cv.user_id operator(pg_catalog.=) v_user_id
          and cv.updated_at operator(pg_catalog.>) v_near
          and cv.updated_at operator(pg_catalog.<=) v_high
          and (v_pattern is null or cv.title operator(pg_catalog.~~*) v_pattern)
          and (p_metadata is null or cv.metadata operator(pg_catalog.@>) p_metadata)
        union
        select cv.id, cv.thread_id, cv.title, cv.metadata, cv.created_at, cv.updated_at
        from threadguard.conversations as cv
        where cv.tenant_id operator(pg_catalog.=) v_tenant_id
          and cv.user_id operator(pg_catalog.=) v_user_id
          and cv.updated_at operator(pg_catalog.>) v_low
          and cv.updated_at operator(pg_catalog.<=) v_floor
          and (v_pattern is null or cv.title operator(pg_catalog.~~*) v_pattern)
          and (p_metadata is null or cv.metadata operator(pg_catalog.@>) p_metadata)
    ) as c
    left join lateral (  -- by the stored text id, as in list_conversations
        select cp.checkpoint_id
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

revoke all on function threadguard.search_conversations(text, jsonb, integer, timestamptz, uuid) from public;
grant execute on function threadguard.search_conversations(text, jsonb, integer, timestamptz, uuid) to threadguard_app;
comment on function threadguard.search_conversations(text, jsonb, integer, timestamptz, uuid) is
    'The current user''s conversations whose title contains p_title_contains (case-insensitive; null: any) and whose metadata contains p_metadata (jsonb @>; null: any), most recently active first (updated_at as list_conversations gives it). p_limit: 1 or more, clamped to 200. Next page: pass the last row''s updated_at and thread_id as p_before_updated_at and p_before_id. Raises 42501 without a valid context, 22023 on bad arguments.';
