-- threadguard.copy_conversation: copies one own conversation with every row of its
-- thread into a new conversation of the same user; foreign and absent sources give
-- the same null and create nothing; a taken target id is refused.
begin;
select plan(16);
select tests.seed_world();
-- A1's thread also has a subgraph namespace and a parent chain.
insert into public.checkpoints (thread_id, checkpoint_ns, checkpoint_id, parent_checkpoint_id, checkpoint, metadata,
                                threadguard_tenant_id, threadguard_user_id)
values (tests.t('thread_a1'), 'child:1', 'seed-3', 'seed-2', '{}', '{"step": 3}', tests.id('tenant_a'), tests.id('user_a1'));

select function_privs_are('threadguard', 'copy_conversation', array['uuid', 'uuid', 'text'], 'public', '{}'::text[],
    'PUBLIC cannot execute copy_conversation');
select function_privs_are('threadguard', 'copy_conversation', array['uuid', 'uuid', 'text'], 'threadguard_app', array['EXECUTE'],
    'the application role executes copy_conversation');

select tests.as_empty();
select throws_ok(format($$select threadguard.copy_conversation(%L, %L)$$, tests.id('thread_a1'), tests.id('thread_new')),
    '42501', null, 'no identity: raises 42501');
select tests.as_user('tenant_b', 'user_b1');
select is(threadguard.copy_conversation(tests.id('thread_a1'), tests.id('thread_new')), null, 'B: copying A1''s conversation gives null');
select tests.as_user('tenant_a', 'user_a2');
select is(threadguard.copy_conversation(tests.id('thread_a1'), tests.id('thread_new')), null, 'A2 (same tenant): A1''s gives null');
select tests.as_user('tenant_a', 'user_a1');
select is(threadguard.copy_conversation('0f000000-0000-4000-8000-000000000000', tests.id('thread_new')), null,
    'A1: an absent source gives null, like a foreign one');
select tests.as_superuser();
select is((select count(*)::int from threadguard.conversations where id = tests.id('thread_new'))
          + (select count(*)::int from public.checkpoints where thread_id = tests.t('thread_new')), 0,
    'superuser: the refused copies created nothing');

select tests.as_user('tenant_a', 'user_a1');
select throws_ok(format($$select threadguard.copy_conversation(%L, %L)$$, tests.id('thread_a1'), tests.id('thread_b1')),
    '23505', null, 'A1: copying into B1''s thread id is refused as taken');
select throws_ok(format($$select threadguard.copy_conversation(%L, %L)$$, tests.id('thread_a1'), tests.id('thread_a1')),
    '23505', null, 'A1: copying into its own existing thread is refused as taken');
select throws_ok(format($$select threadguard.copy_conversation(%L, null, '')$$, tests.id('thread_a1')),
    '22023', null, 'A1: an empty title is refused');
select throws_ok($$select threadguard.copy_conversation(null)$$, '22004', null, 'A1: a null source is an error');
select is(threadguard.copy_conversation(tests.id('thread_a1'), tests.id('thread_new')), tests.id('thread_new'),
    'A1: copies its own conversation into the new id');

select tests.as_superuser();
select results_eq(
    $$select title, tenant_id, user_id from threadguard.conversations where id = tests.id('thread_new')$$,
    $$values ('A1''s thread'::text, tests.id('tenant_a'), tests.id('user_a1'))$$,
    'superuser: the copy is A1''s, with the source''s title');
select results_eq(
    $$select checkpoint_ns, checkpoint_id, parent_checkpoint_id, metadata, threadguard_tenant_id, threadguard_user_id
        from public.checkpoints where thread_id = tests.t('thread_new') order by 1, 2$$,
    $$select checkpoint_ns, checkpoint_id, parent_checkpoint_id, metadata, threadguard_tenant_id, threadguard_user_id
        from public.checkpoints where thread_id = tests.t('thread_a1') and threadguard_tenant_id is not null order by 1, 2$$,
    'superuser: every owned checkpoint of every namespace copied, ids and parents kept; the unowned pre-adoption row not');
select is(
    (select array[(select count(*) from public.checkpoint_blobs where thread_id = tests.t('thread_new') and threadguard_user_id = tests.id('user_a1')),
                  (select count(*) from public.checkpoint_writes where thread_id = tests.t('thread_new') and threadguard_user_id = tests.id('user_a1'))]::int[]),
    array[2, 2], 'superuser: both blobs and both pending writes copied, stamped A1');
select is((select count(*)::int from public.checkpoints where thread_id = tests.t('thread_a1')), 4,
    'superuser: the source keeps all its rows');
select * from finish();
rollback;
