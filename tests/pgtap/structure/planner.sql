-- Structure: what the planner believes under the read policies. Without the
-- owner dependency statistics of migration 0006 the planner takes the owner
-- comparison for filters independent of the thread, expects about one row of a
-- thread, and trades get_tuple's backward primary-key scan for a scan of the
-- whole thread and a sort (bench/ATTEMPTS.md, step 4). Here: a 200-row thread per
-- table among 300 other owners' threads, fresh statistics, and the app's
-- estimates of that thread's rows: 1 without the statistics. (The policies
-- compare with InitPlan parameters, of which the statistics take only part of
-- account: 11 rows here; enough to keep the plans, as bench/plans-*.txt show.)
begin;
select plan(4);
select tests.seed_world();

insert into public.checkpoints (thread_id, checkpoint_ns, checkpoint_id, checkpoint, metadata,
                                threadguard_tenant_id, threadguard_user_id)
select tests.t('thread_a1'), '', 'p' || g, '{}', '{}', tests.id('tenant_a'), tests.id('user_a1')
from pg_catalog.generate_series(1, 200) as g;
insert into public.checkpoint_blobs (thread_id, checkpoint_ns, channel, version, type, blob,
                                     threadguard_tenant_id, threadguard_user_id)
select tests.t('thread_a1'), '', 'messages', 'p' || g, 'msgpack', '\x00', tests.id('tenant_a'), tests.id('user_a1')
from pg_catalog.generate_series(1, 200) as g;
insert into public.checkpoint_writes (thread_id, checkpoint_ns, checkpoint_id, task_id, idx, channel, type, blob,
                                      threadguard_tenant_id, threadguard_user_id)
select tests.t('thread_a1'), '', 'p' || g, 't', 0, 'messages', 'msgpack', '\x00', tests.id('tenant_a'), tests.id('user_a1')
from pg_catalog.generate_series(1, 200) as g;
-- And 300 other owners with a 10-row thread each, so that owners are as many
-- and as selective as in a real table.
insert into threadguard.conversations (id, tenant_id, user_id)
select pg_catalog.md5('thread' || o)::uuid, pg_catalog.md5('tenant' || o)::uuid, pg_catalog.md5('user' || o)::uuid
from pg_catalog.generate_series(1, 300) as o;
insert into public.checkpoints (thread_id, checkpoint_ns, checkpoint_id, checkpoint, metadata,
                                threadguard_tenant_id, threadguard_user_id)
select pg_catalog.md5('thread' || o)::uuid::text, '', 'p' || r, '{}', '{}',
       pg_catalog.md5('tenant' || o)::uuid, pg_catalog.md5('user' || o)::uuid
from pg_catalog.generate_series(1, 300) as o, pg_catalog.generate_series(1, 10) as r;
insert into public.checkpoint_blobs (thread_id, checkpoint_ns, channel, version, type, blob,
                                     threadguard_tenant_id, threadguard_user_id)
select pg_catalog.md5('thread' || o)::uuid::text, '', 'messages', 'p' || r, 'msgpack', '\x00',
       pg_catalog.md5('tenant' || o)::uuid, pg_catalog.md5('user' || o)::uuid
from pg_catalog.generate_series(1, 300) as o, pg_catalog.generate_series(1, 10) as r;
insert into public.checkpoint_writes (thread_id, checkpoint_ns, checkpoint_id, task_id, idx, channel, type, blob,
                                      threadguard_tenant_id, threadguard_user_id)
select pg_catalog.md5('thread' || o)::uuid::text, '', 'p' || r, 't', 0, 'messages', 'msgpack', '\x00',
       pg_catalog.md5('tenant' || o)::uuid, pg_catalog.md5('user' || o)::uuid
from pg_catalog.generate_series(1, 300) as o, pg_catalog.generate_series(1, 10) as r;
analyze public.checkpoints, public.checkpoint_blobs, public.checkpoint_writes;

-- The planner's row estimate for a query, as the role and context of the moment.
create function pg_temp.estimate(p_query text) returns double precision language plpgsql as $$
declare
    v_plan json;
begin
    execute 'explain (format json) ' || p_query into v_plan;
    return (v_plan -> 0 -> 'Plan' ->> 'Plan Rows')::double precision;
end
$$;
grant execute on function pg_temp.estimate(text) to threadguard_app;

select tests.as_user('tenant_a', 'user_a1');
select cmp_ok(pg_temp.estimate(format('select * from public.checkpoints where thread_id = %L', tests.t('thread_a1'))),
    '>=', 5::double precision, 'A1: the planner expects more than one of its thread''s checkpoints');
select cmp_ok(pg_temp.estimate(format('select * from public.checkpoint_blobs where thread_id = %L', tests.t('thread_a1'))),
    '>=', 5::double precision, 'A1: the planner expects more than one of its thread''s blobs');
select cmp_ok(pg_temp.estimate(format('select * from public.checkpoint_writes where thread_id = %L', tests.t('thread_a1'))),
    '>=', 5::double precision, 'A1: the planner expects more than one of its thread''s writes');
select ok((select count(*) from public.checkpoints where thread_id = tests.t('thread_a1')) >= 200,
    'A1 sees the 200 rows the estimates are about');

select * from finish();
rollback;
