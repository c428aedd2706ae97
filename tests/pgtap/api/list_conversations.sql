-- threadguard.list_conversations: own conversations only, newest activity first,
-- with the latest root checkpoint; bad arguments and missing context raise.
begin;
select plan(16);
select tests.seed_world();

select is_definer('threadguard', 'list_conversations', array['integer', 'timestamp with time zone', 'uuid'], 'list_conversations is SECURITY DEFINER');
select function_privs_are('threadguard', 'list_conversations', array['integer', 'timestamp with time zone', 'uuid'], 'public', '{}'::text[], 'PUBLIC cannot execute list_conversations');
select function_privs_are('threadguard', 'list_conversations', array['integer', 'timestamp with time zone', 'uuid'], 'threadguard_app', array['EXECUTE'], 'threadguard_app executes list_conversations');
select function_privs_are('threadguard', 'list_conversations', array['integer', 'timestamp with time zone', 'uuid'], 'threadguard_admin', '{}'::text[], 'threadguard_admin cannot execute list_conversations');

-- No context ---------------------------------------------------------------------
select tests.as_unset();
select throws_ok('select * from threadguard.list_conversations()', '42501', 'threadguard: app.tenant_id is not set to a valid uuid',
    'unset: raises 42501 instead of listing anything');
select tests.as_malformed();
select throws_ok('select * from threadguard.list_conversations()', '42501', null, 'malformed: raises 42501');

-- Tenant A, user 1 ---------------------------------------------------------------
select tests.as_user('tenant_a', 'user_a1');
-- A checkpoint in a subgraph namespace with a later id is not the root checkpoint.
insert into public.checkpoints (thread_id, checkpoint_ns, checkpoint_id, checkpoint) values (tests.t('thread_a1'), 'sub:1', 'seed-9', '{}');
select results_eq('select thread_id, title, checkpoint_id, metadata from threadguard.list_conversations()',
    $$select tests.id('thread_a1'), 'A1''s thread'::text, 'seed-2'::text, '{}'::jsonb$$,
    'A1: lists only its own conversation, with its latest root checkpoint');
select lives_ok(format('select threadguard.create_conversation(''empty'', %L)', tests.id('thread_new')), 'A1: creates a conversation with no checkpoint yet');
select results_eq('select thread_id, checkpoint_id, metadata from threadguard.list_conversations()',
    $$values (tests.id('thread_new'), null::text, null::jsonb), (tests.id('thread_a1'), 'seed-2', '{}')$$,
    'A1: the newest activity comes first; a thread with no checkpoint has null checkpoint columns');
select throws_ok('select * from threadguard.list_conversations(null)', '22023', 'threadguard: p_limit must be a positive integer (got null)', 'A1: a null limit is refused');
select throws_ok('select * from threadguard.list_conversations(0)', '22023', 'threadguard: p_limit must be a positive integer (got 0)', 'A1: a zero limit is refused');
select throws_ok('select * from threadguard.list_conversations(-5)', '22023', 'threadguard: p_limit must be a positive integer (got -5)', 'A1: a negative limit is refused');
select throws_ok('select * from threadguard.list_conversations(10, now())', '22023', null, 'A1: half a cursor is refused');
insert into threadguard.conversations (title) select 'bulk ' || g from generate_series(1, 250) g;
select is((select count(*)::int from threadguard.list_conversations(100000)), 200, 'A1: the limit is clamped to 200');

-- Tenant A, user 2 / tenant B ----------------------------------------------------------
select tests.as_user('tenant_a', 'user_a2');
select results_eq('select thread_id from threadguard.list_conversations()', 'select tests.id(''thread_a2'')', 'A2: lists only its own conversation');
select tests.as_user('tenant_b', 'user_b1');
select results_eq('select thread_id from threadguard.list_conversations()', 'select tests.id(''thread_b1'')', 'B: lists only its own conversation');
select * from finish();
rollback;
