-- threadguard.delete_namespace: deletes one subgraph namespace (and those nested under
-- it) of one own conversation, nothing else; the root namespace stays LangGraph's.
begin;
select plan(14);
select tests.seed_world();

select is_definer('threadguard', 'delete_namespace', array['uuid', 'text'], 'delete_namespace is SECURITY DEFINER');
select function_privs_are('threadguard', 'delete_namespace', array['uuid', 'text'], 'public', '{}'::text[], 'PUBLIC cannot execute delete_namespace');
select function_privs_are('threadguard', 'delete_namespace', array['uuid', 'text'], 'threadguard_app', array['EXECUTE'], 'threadguard_app executes delete_namespace');

-- A1 gives its thread a subgraph namespace, one nested under it, and one that merely shares a prefix.
select tests.as_user('tenant_a', 'user_a1');
select lives_ok(format($$
    insert into public.checkpoints (thread_id, checkpoint_ns, checkpoint_id, checkpoint)
    values (%1$L, 'sub:1', 'c1', '{}'), (%1$L, 'sub:1|inner:2', 'c1', '{}'), (%1$L, 'sub:10', 'c1', '{}');
    insert into public.checkpoint_blobs (thread_id, checkpoint_ns, channel, version, type, blob) values (%1$L, 'sub:1', 'messages', '1', 'msgpack', '\x00');
    insert into public.checkpoint_writes (thread_id, checkpoint_ns, checkpoint_id, task_id, idx, channel, type, blob) values (%1$L, 'sub:1', 'c1', 't', 0, 'messages', 'msgpack', '\x00')$$,
    tests.t('thread_a1')), 'A1: writes a subgraph namespace, a nested one and a look-alike');

select tests.as_empty();
select throws_ok(format($$select threadguard.delete_namespace(%L, 'sub:1')$$, tests.id('thread_a1')), '42501', null, 'empty context: raises 42501');

select tests.as_user('tenant_b', 'user_b1');
select is(threadguard.delete_namespace(tests.id('thread_a1'), 'sub:1'), null, 'B: A1''s conversation gives null');
select tests.as_user('tenant_a', 'user_a2');
select is(threadguard.delete_namespace(tests.id('thread_a1'), 'sub:1'), null, 'A2 (same tenant): A1''s conversation gives null');

select tests.as_user('tenant_a', 'user_a1');
select is(threadguard.delete_namespace('0f000000-0000-4000-8000-000000000000', 'sub:1'), null, 'A1: an absent id gives null, exactly like a foreign one');
select throws_ok(format($$select threadguard.delete_namespace(%L, '')$$, tests.id('thread_a1')), '22023', null, 'A1: the root namespace is refused');
select throws_ok(format($$select threadguard.delete_namespace(%L, null)$$, tests.id('thread_a1')), '22004', null, 'A1: a null namespace is an error');
select is(threadguard.delete_namespace(tests.id('thread_a1'), 'sub:1'), 4::bigint, 'A1: deletes the namespace''s checkpoint, blob and write and the nested checkpoint');
select is(threadguard.delete_namespace(tests.id('thread_a1'), 'sub:1'), 0::bigint, 'A1: a second call finds nothing');

select tests.as_superuser();
select results_eq(format($$select checkpoint_ns, count(*) from public.checkpoints where thread_id = %L group by 1 order by 1$$, tests.t('thread_a1')),
    $$values (''::text, 3::bigint), ('sub:10', 1::bigint)$$, 'superuser: the root namespace (2 seeded, 1 pre-adoption) and the look-alike are intact');
select results_eq($$select count(*) from public.checkpoints where checkpoint_ns = ''$$, $$values (7::bigint)$$,
    'superuser: no other thread lost a row');
select * from finish();
rollback;
