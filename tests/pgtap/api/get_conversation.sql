-- threadguard.get_conversation: one own conversation with its latest root
-- checkpoint; absent and foreign ids are indistinguishable (no row, no error).
begin;
select plan(13);
select tests.seed_world();

select is_definer('threadguard', 'get_conversation', array['uuid'], 'get_conversation is SECURITY DEFINER');
select function_privs_are('threadguard', 'get_conversation', array['uuid'], 'public', '{}'::text[], 'PUBLIC cannot execute get_conversation');
select function_privs_are('threadguard', 'get_conversation', array['uuid'], 'threadguard_app', array['EXECUTE'], 'threadguard_app executes get_conversation');
select function_privs_are('threadguard', 'get_conversation', array['uuid'], 'threadguard_admin', '{}'::text[], 'threadguard_admin cannot execute get_conversation');

select tests.as_unset();
select throws_ok(format('select * from threadguard.get_conversation(%L)', tests.id('thread_a1')), '42501', null, 'unset: raises 42501');
select tests.as_empty();
select throws_ok(format('select * from threadguard.get_conversation(%L)', tests.id('thread_a1')), '42501', null, 'empty: raises 42501');

select tests.as_user('tenant_a', 'user_a1');
update public.checkpoints set checkpoint = '{"v": 4, "id": "seed-2"}' where checkpoint_id = 'seed-2';
select results_eq(format('select thread_id, title, checkpoint_id, checkpoint from threadguard.get_conversation(%L)', tests.id('thread_a1')),
    $$select tests.id('thread_a1'), 'A1''s thread'::text, 'seed-2'::text, '{"v": 4, "id": "seed-2"}'::jsonb$$,
    'A1: gets its conversation with the latest root checkpoint');
select is_empty(format('select * from threadguard.get_conversation(%L)', tests.id('thread_b1')), 'A1: B''s conversation gives no row');
select is_empty(format('select * from threadguard.get_conversation(%L)', tests.id('thread_a2')), 'A1: A2''s conversation (same tenant) gives no row');
select is_empty(format('select * from threadguard.get_conversation(%L)', tests.id('thread_new')), 'A1: an absent id gives no row, exactly like a foreign one');
select throws_ok('select * from threadguard.get_conversation(null)', '22004', 'threadguard: p_thread_id must not be null', 'A1: a null id is an error, not an empty answer');

select tests.as_user('tenant_b', 'user_b1');
select is_empty(format('select * from threadguard.get_conversation(%L)', tests.id('thread_a1')), 'B: A1''s conversation gives no row');
select results_eq(format('select thread_id, checkpoint_id from threadguard.get_conversation(%L)', tests.id('thread_b1')),
    $$select tests.id('thread_b1'), 'seed-2'::text$$, 'B: gets its own');
select * from finish();
rollback;
