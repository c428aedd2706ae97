-- threadguard.create_conversation: who may call it, what it refuses, and that the
-- owner always comes from the context.
begin;
select plan(19);
select tests.seed_world();

select is_definer('threadguard', 'create_conversation', array['text', 'uuid'], 'create_conversation is SECURITY DEFINER');
select function_privs_are('threadguard', 'create_conversation', array['text', 'uuid'], 'public', '{}'::text[], 'PUBLIC cannot execute create_conversation');
select function_privs_are('threadguard', 'create_conversation', array['text', 'uuid'], 'threadguard_app', array['EXECUTE'], 'threadguard_app executes create_conversation');
select function_privs_are('threadguard', 'create_conversation', array['text', 'uuid'], 'threadguard_admin', '{}'::text[], 'threadguard_admin cannot execute create_conversation');

-- No context -------------------------------------------------------------------
select tests.as_unset();
select throws_ok('select threadguard.create_conversation(''x'')', '42501', 'threadguard: app.tenant_id is not set to a valid uuid',
    'unset: raises 42501 naming app.tenant_id');
select tests.as_empty();
select throws_ok('select threadguard.create_conversation(''x'')', '42501', 'threadguard: app.tenant_id is not set to a valid uuid',
    'empty: raises 42501 naming app.tenant_id');
select tests._become(tests.t('tenant_a'), 'not-a-uuid');
select throws_ok('select threadguard.create_conversation(''x'')', '42501', 'threadguard: app.user_id is not set to a valid uuid',
    'malformed user: raises 42501 naming app.user_id');

-- Tenant A, user 1 -------------------------------------------------------------
select tests.as_user('tenant_a', 'user_a1');
select results_eq($$select tenant_id, user_id, title, created_at = now(), updated_at = now() from threadguard.create_conversation('Trip plans')$$,
    $$select tests.id('tenant_a'), tests.id('user_a1'), 'Trip plans'::text, true, true$$,
    'A1: creates a conversation owned by A1, timestamps now');
select is((select id from threadguard.create_conversation(null, tests.id('thread_new'))), tests.id('thread_new'), 'A1: may choose the thread id');
select is((select title from threadguard.create_conversation()), null, 'A1: the title is optional');
select throws_ok(format('select threadguard.create_conversation(%L)', repeat('x', 201)), '22023',
    'threadguard: p_title must be 1 to 200 characters long (got 201)', 'A1: a 201-character title is refused');
select throws_ok($$select threadguard.create_conversation('')$$, '22023', 'threadguard: p_title must be 1 to 200 characters long (got 0)',
    'A1: an empty title is refused');
select throws_ok($$select threadguard.create_conversation('x', '00000000-0000-0000-0000-000000000000')$$, '22023', null,
    'A1: the nil uuid is refused as a thread id');
select throws_ok(format('select threadguard.create_conversation(%L, %L)', 'mine now', tests.id('thread_b1')), '23505',
    format('threadguard: a conversation with id %s already exists', tests.id('thread_b1')),
    'A1: taking B''s thread id fails, naming only the id A1 passed (never B''s data)');
select is((select count(*)::int from threadguard.conversations), 4, 'A1: the refused calls created nothing (1 seeded + 3 created)');
select lives_ok(format($$select threadguard.create_conversation('another', %L)$$, tests.id('user_a1')),
    'A1: a new id works after the refused calls');

-- The owner cannot be smuggled in --------------------------------------------
select is((select count(*)::int from pg_proc p, unnest(p.proargnames) a
           where p.pronamespace = 'threadguard'::regnamespace
             and p.proname in ('create_conversation', 'list_conversations', 'get_conversation', 'delete_conversation')
             and (a like '%tenant%' or a like '%user%')),
    0, 'no API function takes a tenant or user parameter');

-- Tenant B ----------------------------------------------------------------------
select tests.as_user('tenant_b', 'user_b1');
select is_empty(format('select 1 from threadguard.get_conversation(%L)', tests.id('thread_new')), 'B: cannot see A1''s new conversation');
select results_eq('select title from threadguard.conversations', $$values ('B1''s thread')$$, 'B: its own list is unchanged');
select * from finish();
rollback;
