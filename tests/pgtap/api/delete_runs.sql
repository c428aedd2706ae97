-- threadguard.delete_runs: deletes the checkpoints a run wrote in the caller's own
-- threads, with their pending writes and the blobs nothing refers to any more; the
-- same run id in another user's thread is out of reach.
begin;
select plan(11);
select tests.seed_world();
select tests.as_superuser();
-- seed-1 of every thread is run-1's; each checkpoint names its own blob version.
update public.checkpoints set metadata = '{"run_id": "run-1"}' where checkpoint_id = 'seed-1';
update public.checkpoints set checkpoint = jsonb_build_object('channel_versions', jsonb_build_object('messages', checkpoint_id));

select function_privs_are('threadguard', 'delete_runs', array['text[]'], 'public', '{}'::text[], 'PUBLIC cannot execute delete_runs');
select tests.as_empty();
select throws_ok($$select threadguard.delete_runs(array['run-1'])$$, '42501', null, 'no identity: raises 42501');
select tests.as_user('tenant_a', 'user_a1');
select throws_ok($$select threadguard.delete_runs(null)$$, '22004', null, 'A1: a null array is an error');
select is(threadguard.delete_runs('{}'), 0::bigint, 'A1: an empty array deletes nothing');
select is(threadguard.delete_runs(array['run-9']), 0::bigint, 'A1: an unknown run deletes nothing');
select is(threadguard.delete_runs(array['run-1', 'run-9']), 1::bigint, 'A1: deletes its one checkpoint of run-1');

select tests.as_superuser();
select results_eq(
    $$select 'checkpoints', checkpoint_id from public.checkpoints where thread_id = tests.t('thread_a1')
      union all select 'writes', checkpoint_id from public.checkpoint_writes where thread_id = tests.t('thread_a1')
      union all select 'blobs', version from public.checkpoint_blobs where thread_id = tests.t('thread_a1') order by 1, 2$$,
    $$values ('blobs', 'seed-2'), ('checkpoints', 'pre-adoption'), ('checkpoints', 'seed-2'), ('writes', 'seed-2')$$,
    'superuser: A1''s run-1 checkpoint, its write and its blob are gone; the rest of the thread stays');
select is((select count(*)::int from public.checkpoints where checkpoint_id = 'seed-1'), 2,
    'superuser: A2''s and B1''s checkpoints of the same run id are untouched');
select is((select count(*)::int from public.checkpoint_blobs where version = 'seed-1'), 2,
    'superuser: and so are their blobs');

select tests.as_user('tenant_b', 'user_b1');
select is(threadguard.delete_runs(array['run-1']), 1::bigint, 'B1: deletes only its own checkpoint of run-1');
select tests.as_superuser();
select is((select array_agg(thread_id order by thread_id) from public.checkpoints where checkpoint_id = 'seed-1'),
    array[tests.t('thread_a2')], 'superuser: only A2''s run-1 checkpoint is left');
select * from finish();
rollback;
