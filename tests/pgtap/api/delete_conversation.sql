-- threadguard.delete_conversation: deletes one own conversation and its whole
-- thread (every namespace), nothing else; a later LangGraph write to it is refused.
begin;
select plan(16);
select tests.seed_world();

select is_definer('threadguard', 'delete_conversation', array['uuid'], 'delete_conversation is SECURITY DEFINER');
select function_privs_are('threadguard', 'delete_conversation', array['uuid'], 'public', '{}'::text[], 'PUBLIC cannot execute delete_conversation');
select function_privs_are('threadguard', 'delete_conversation', array['uuid'], 'threadguard_app', array['EXECUTE'], 'threadguard_app executes delete_conversation');
select function_privs_are('threadguard', 'delete_conversation', array['uuid'], 'threadguard_admin', '{}'::text[], 'threadguard_admin cannot execute delete_conversation');

select tests.as_unset();
select throws_ok(format('select threadguard.delete_conversation(%L)', tests.id('thread_a1')), '42501', null, 'unset: raises 42501');

-- A1 builds a thread with rows in every table and two namespaces.
select tests.as_user('tenant_a', 'user_a1');
select lives_ok(format('select threadguard.create_conversation(''doomed'', %L)', tests.id('thread_new')), 'A1: creates a conversation');
select lives_ok(format($$
    insert into public.checkpoints (thread_id, checkpoint_ns, checkpoint_id, checkpoint) values (%1$L, '', 'c1', '{}'), (%1$L, 'sub:1', 'c2', '{}');
    insert into public.checkpoint_blobs (thread_id, checkpoint_ns, channel, version, type, blob) values (%1$L, '', 'messages', '1', 'msgpack', '\x00'), (%1$L, 'sub:1', 'messages', '1', 'msgpack', '\x00');
    insert into public.checkpoint_writes (thread_id, checkpoint_ns, checkpoint_id, task_id, idx, channel, type, blob) values (%1$L, '', 'c1', 't', 0, 'messages', 'msgpack', '\x00'), (%1$L, 'sub:1', 'c2', 't', 0, 'messages', 'msgpack', '\x00')$$,
    tests.t('thread_new')), 'A1: writes checkpoints, blobs and writes in two namespaces');

-- B tries first.
select tests.as_user('tenant_b', 'user_b1');
select is(threadguard.delete_conversation(tests.id('thread_new')), false, 'B: deleting A1''s conversation returns false');
select is(threadguard.delete_conversation(tests.id('thread_b1')::text::uuid), true, 'B: deletes its own');

select tests.as_user('tenant_a', 'user_a1');
select is(threadguard.delete_conversation('0f000000-0000-4000-8000-000000000000'), false, 'A1: an absent id returns false, exactly like a foreign one');
select throws_ok('select threadguard.delete_conversation(null)', '22004', 'threadguard: p_thread_id must not be null', 'A1: a null id is an error, not a silent false');
select is(threadguard.delete_conversation(tests.id('thread_new')), true, 'A1: deletes its conversation');
select is(threadguard.delete_conversation(tests.id('thread_new')), false, 'A1: a second delete finds nothing');
select throws_ok(tests.insert_sql('checkpoints', tests.t('thread_new'), 'late'), '23503', null,
    'A1: a LangGraph write after the delete is refused (no resurrected thread)');

select tests.as_superuser();
select is((select count(*)::int from (
        select 1 from threadguard.conversations where id = tests.id('thread_new')
        union all select 1 from public.checkpoints where thread_id = tests.t('thread_new')
        union all select 1 from public.checkpoint_blobs where thread_id = tests.t('thread_new')
        union all select 1 from public.checkpoint_writes where thread_id = tests.t('thread_new')) as left_over),
    0, 'superuser: no row of the deleted thread remains in any of the four tables');
select results_eq('select thread_id, count(*) from public.checkpoint_blobs group by 1 order by 1',
    format('values (%L, 2::bigint), (%L, 2::bigint)', tests.t('thread_a1'), tests.t('thread_a2')),
    'superuser: A1''s and A2''s other threads are untouched; B''s own delete removed only B''s');
select * from finish();
rollback;
