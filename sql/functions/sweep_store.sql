-- threadguard.sweep_store: LangGraph's store TTL sweep as an operation. The application's
-- own sweeper (PostgresStore.start_ttl_sweeper) runs with no identity and so deletes
-- nothing under RLS; this deletes up to p_batch expired items of every tenant per call
-- and says how many expired ones are left. Audited when it deletes anything.

reset role;  -- created as the migrating administrator, then given to threadguard_operator
create or replace function threadguard.sweep_store(p_batch integer default 10000)
returns table (deleted bigint, remaining bigint)
language plpgsql
-- Definer: runs as threadguard_operator, whose policies reach every tenant.
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
    if p_batch is null or p_batch not between 1 and 100000 then
        raise exception 'threadguard: p_batch must be between 1 and 100000 (got %)', coalesce(p_batch::text, 'null')
            using errcode = 'invalid_parameter_value';
    end if;
    -- LangGraph's own condition (expires_at < NOW()), through idx_store_expires_at.
    delete from public.store as s
     where s.ctid operator(pg_catalog.=) any (array(
            select k.ctid from public.store as k
             where k.expires_at is not null and k.expires_at operator(pg_catalog.<) pg_catalog.now()
             limit p_batch));
    get diagnostics deleted = row_count;
    select pg_catalog.count(*) into remaining from public.store as k
     where k.expires_at is not null and k.expires_at operator(pg_catalog.<) pg_catalog.now();
    if deleted operator(pg_catalog.>) 0 then
        insert into threadguard.audit_log (action, reason, row_count, detail)
        values ('sweep_store', 'store items past their TTL', deleted, pg_catalog.jsonb_build_object('remaining', remaining));
    end if;
    return next;
end
$$;
alter function threadguard.sweep_store(integer) owner to threadguard_operator;
revoke all on function threadguard.sweep_store(integer) from public;
grant execute on function threadguard.sweep_store(integer) to threadguard_admin;
comment on function threadguard.sweep_store(integer) is
    'Store TTL sweep (operators, schedulable): deletes up to p_batch items of every tenant whose expires_at has passed; returns how many it deleted and how many expired ones are left (call again until none is). Audited when it deletes anything.';
set local role threadguard_owner;
