-- threadguard.rename_conversation: renames one own conversation; foreign and absent ids
-- give the same false; bad titles and no identity raise.
begin;
select plan(9);
select tests.seed_world();

select function_privs_are('threadguard', 'rename_conversation', array['uuid', 'text'], 'public', '{}'::text[], 'PUBLIC cannot execute rename_conversation');
select tests.as_empty();
select throws_ok(format($$select threadguard.rename_conversation(%L, 'x')$$, tests.id('thread_a1')), '42501', null, 'no identity: raises 42501');
select tests.as_user('tenant_b', 'user_b1');
select is(threadguard.rename_conversation(tests.id('thread_a1'), 'mine now'), false, 'B: A1''s conversation gives false');
select tests.as_user('tenant_a', 'user_a2');
select is(threadguard.rename_conversation(tests.id('thread_a1'), 'mine now'), false, 'A2 (same tenant): A1''s gives false');
select tests.as_user('tenant_a', 'user_a1');
select is(threadguard.rename_conversation('0f000000-0000-4000-8000-000000000000', 'x'), false, 'A1: an absent id gives false, like a foreign one');
select throws_ok(format($$select threadguard.rename_conversation(%L, '')$$, tests.id('thread_a1')), '22023', null, 'A1: an empty title is refused');
select throws_ok($$select threadguard.rename_conversation(null, 'x')$$, '22004', null, 'A1: a null id is an error');
select is(threadguard.rename_conversation(tests.id('thread_a1'), 'Renamed'), true, 'A1: renames its own');
select tests.as_superuser();
select results_eq($$select id, title from threadguard.conversations order by id$$,
    format($$values (%L::uuid, 'Renamed'::text), (%L::uuid, 'A2''s thread'), (%L::uuid, 'B1''s thread')$$,
           tests.id('thread_a1'), tests.id('thread_a2'), tests.id('thread_b1')),
    'superuser: only A1''s title changed');
select * from finish();
rollback;
