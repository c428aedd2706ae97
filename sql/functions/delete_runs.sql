-- threadguard.delete_runs: deletes, in the current user's conversations only, every
-- checkpoint a run wrote (LangGraph's delete_for_runs: metadata run_id among the
-- given ids), with its pending writes, then the blobs no remaining checkpoint of its
-- thread and namespace refers to. Other users' runs are out of reach, silently.

create or replace function threadguard.delete_runs(p_run_ids text[])
returns bigint
language plpgsql
-- Definer: the same deletion whatever the application's grants; identity comes only
-- from the context, and RLS still applies.
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
    v_tenant_id uuid;  -- from threadguard.require_context(), read once
    v_user_id uuid;
    v_deleted bigint;
    v_threads text[];
begin
    select c.tenant_id, c.user_id into v_tenant_id, v_user_id from threadguard.require_context() as c;
    if p_run_ids is null then
        raise exception 'threadguard: p_run_ids must not be null (pass an empty array for none)' using errcode = 'null_value_not_allowed';
    end if;
    if pg_catalog.cardinality(p_run_ids) operator(pg_catalog.=) 0 then
        return 0;
    end if;

    -- The caller's threads first (owner index), then each one's checkpoints by key:
    -- the cost is the caller's checkpoints, never the table's.
    with gone as (
        delete from public.checkpoints as cp
         using threadguard.conversations as cv
         where cv.tenant_id operator(pg_catalog.=) v_tenant_id
           and cv.user_id operator(pg_catalog.=) v_user_id
           and cp.thread_id operator(pg_catalog.=) cv.thread_id
           and (cp.metadata operator(pg_catalog.->>) 'run_id') operator(pg_catalog.=) any (p_run_ids)
        returning cp.thread_id, cp.checkpoint_ns, cp.checkpoint_id
    ), writes as (
        delete from public.checkpoint_writes as w
         using gone as g
         where w.thread_id operator(pg_catalog.=) g.thread_id
           and w.checkpoint_ns operator(pg_catalog.=) g.checkpoint_ns
           and w.checkpoint_id operator(pg_catalog.=) g.checkpoint_id
        returning 1
    )
    select pg_catalog.count(*), pg_catalog.array_agg(distinct g.thread_id)
      into v_deleted, v_threads
      from gone as g;

    if v_deleted operator(pg_catalog.>) 0 then
        -- A new statement sees the checkpoints gone: a blob is kept while any checkpoint of
        -- its thread and namespace still names its version for its channel.
        delete from public.checkpoint_blobs as b
         where b.thread_id operator(pg_catalog.=) any (v_threads)
           and not exists (
               select from public.checkpoints as cp
                where cp.thread_id operator(pg_catalog.=) b.thread_id
                  and cp.checkpoint_ns operator(pg_catalog.=) b.checkpoint_ns
                  and ((cp.checkpoint operator(pg_catalog.->) 'channel_versions') operator(pg_catalog.->>) b.channel)
                      operator(pg_catalog.=) b.version);
    end if;
    return v_deleted;
end
$$;

revoke all on function threadguard.delete_runs(text[]) from public;
grant execute on function threadguard.delete_runs(text[]) to threadguard_app;
comment on function threadguard.delete_runs(text[]) is
    'Deletes every checkpoint of the current user''s conversations whose metadata run_id is one of p_run_ids (every namespace), with its pending writes and the blobs no remaining checkpoint refers to, in one transaction; returns how many checkpoints went. Runs of other users are out of reach (not counted). Raises 42501 without a valid context, 22004 for a null array.';
