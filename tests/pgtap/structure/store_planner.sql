-- Structure: the plans of LangGraph's store statements under the store policies. The
-- policies' byte-order ranges have their own index (store_owner_idx): were they served by
-- LangGraph's store_prefix_idx, which also serves `prefix = $ns`, the planner would take the
-- two together for one row and read a whole namespace for every get (×65 at 10,000 items,
-- bench/ATTEMPTS.md). Here: a 2,000-item namespace among 300 other users', fresh
-- statistics, and the app's plans of get (as PostgresStore sends it) and search.
begin;
select plan(4);
select tests.seed_store();
insert into public.store (prefix, key, value)
select tests.ns('tenant_a', 'user_a1', 'big'), 'k' || g, '{}' from pg_catalog.generate_series(1, 2000) as g;
insert into public.store (prefix, key, value)
select pg_catalog.md5('t' || o)::uuid || '.' || pg_catalog.md5('u' || o)::uuid || '.memories', 'k' || g, '{}'
from pg_catalog.generate_series(1, 300) as o, pg_catalog.generate_series(1, 20) as g;
analyze public.store;

create function pg_temp.plan_of(p_query text) returns text language plpgsql as $$
declare
    v_line text;
    v_plan text := '';
begin
    for v_line in execute 'explain (costs off) ' || p_query loop
        v_plan := v_plan || v_line || e'\n';
    end loop;
    return v_plan;
end
$$;

select tests.as_user('tenant_a', 'user_a1');
select ok(pg_temp.plan_of(format($q$
    with passed_in as (select unnest(array['k7']::text[]) as key, unnest(array[false]::bool[]) as do_refresh),
    updated as (update store s set expires_at = now() + (s.ttl_minutes || ' minutes')::interval from passed_in p
                where s.prefix = %1$L and s.key = p.key and p.do_refresh = true and s.ttl_minutes is not null returning s.key)
    select s.key, s.value, s.created_at, s.updated_at from store s join passed_in p on s.key = p.key where s.prefix = %1$L$q$,
    tests.ns('tenant_a', 'user_a1', 'big'))) ~ 'Index Scan using store_pkey on store s\s',
    'get: one primary-key probe per key, not a scan of the namespace');
select unalike(pg_temp.plan_of(format($q$
    with passed_in as (select unnest(array['k7']::text[]) as key, unnest(array[false]::bool[]) as do_refresh),
    updated as (update store s set expires_at = now() + (s.ttl_minutes || ' minutes')::interval from passed_in p
                where s.prefix = %1$L and s.key = p.key and p.do_refresh = true and s.ttl_minutes is not null returning s.key)
    select s.key, s.value, s.created_at, s.updated_at from store s join passed_in p on s.key = p.key where s.prefix = %1$L$q$,
    tests.ns('tenant_a', 'user_a1', 'big'))), '%store_prefix_idx%', 'get: LangGraph''s prefix index is not used to read the namespace');
select ok(pg_temp.plan_of(format($q$select * from store where (store.prefix = %1$L or store.prefix like %2$L escape '\')
    order by store.updated_at desc limit 10 offset 0$q$, tests.ns('tenant_a', 'user_a1'), tests.ns('tenant_a', 'user_a1') || '.%')) ~ 'store_owner_idx',
    'search in a namespace: the caller''s range through store_owner_idx, no sequential scan');
select ok(pg_temp.plan_of('select * from store order by updated_at desc limit 10') ~ 'store_owner_idx',
    'search of everything (no namespace): only the caller''s ranges are read');

select * from finish();
rollback;
