-- threadguard.set_conversation_metadata and threadguard.search_conversations: labels
-- are set on own conversations only, and a search finds only the caller's own
-- conversations, by title text and metadata containment, newest activity first.
begin;
select plan(20);
select tests.seed_world();
select tests.as_superuser();
insert into threadguard.conversations (id, tenant_id, user_id, title, metadata, updated_at)
values ('0a300000-0000-4000-8000-000000000000', tests.id('tenant_a'), tests.id('user_a1'), 'Alpha launch', '{"project": "x", "n": 1}', now() - interval '1 hour'),
       ('0a400000-0000-4000-8000-000000000000', tests.id('tenant_a'), tests.id('user_a1'), 'beta notes', '{"project": "x"}', now() - interval '2 hours'),
       ('0a500000-0000-4000-8000-000000000000', tests.id('tenant_a'), tests.id('user_a1'), 'more ALPHA', '{"project": "y"}', now() - interval '3 hours'),
       ('0b200000-0000-4000-8000-000000000000', tests.id('tenant_b'), tests.id('user_b1'), 'alpha of B', '{"project": "x"}', now());

select function_privs_are('threadguard', 'search_conversations', array['text', 'jsonb', 'integer', 'timestamp with time zone', 'uuid'],
    'public', '{}'::text[], 'PUBLIC cannot execute search_conversations');
select function_privs_are('threadguard', 'set_conversation_metadata', array['uuid', 'jsonb'], 'public', '{}'::text[],
    'PUBLIC cannot execute set_conversation_metadata');

select tests.as_empty();
select throws_ok($$select * from threadguard.search_conversations('alpha')$$, '42501', null, 'no identity: search raises 42501');
select throws_ok(format($$select threadguard.set_conversation_metadata(%L, '{}')$$, tests.id('thread_a1')), '42501', null,
    'no identity: set_conversation_metadata raises 42501');

select tests.as_user('tenant_a', 'user_a1');
select results_eq($$select title from threadguard.search_conversations('alpha')$$,
    $$values ('Alpha launch'), ('more ALPHA')$$, 'A1: a title search is case-insensitive, newest first, own rows only');
select results_eq($$select title from threadguard.search_conversations(p_metadata => '{"project": "x"}')$$,
    $$values ('Alpha launch'), ('beta notes')$$, 'A1: metadata containment');
select results_eq($$select title from threadguard.search_conversations('alpha', '{"project": "x"}')$$,
    $$values ('Alpha launch')$$, 'A1: both filters at once');
select results_eq($$select count(*)::int from threadguard.search_conversations('%') union all
                    select count(*)::int from threadguard.search_conversations('_') union all
                    select count(*)::int from threadguard.search_conversations('\')$$,
    $$values (0), (0), (0)$$, 'A1: % _ and \ are characters, not a pattern');
select results_eq($$select count(*)::int from threadguard.search_conversations()$$, $$values (4)$$,
    'A1: no filter lists every own conversation');
select results_eq(
    $$select s.title from threadguard.search_conversations(p_metadata => '{"project": "x"}', p_limit => 1) as f,
             lateral threadguard.search_conversations(p_metadata => '{"project": "x"}', p_limit => 5,
                                                      p_before_updated_at => f.updated_at, p_before_id => f.thread_id) as s$$,
    $$values ('beta notes')$$, 'A1: the next page starts after the last row of the previous one');
select throws_ok($$select * from threadguard.search_conversations(p_metadata => '[1]')$$, '22023', null, 'A1: metadata that is not an object is refused');
select throws_ok($$select * from threadguard.search_conversations('')$$, '22023', null, 'A1: an empty title text is refused');
select results_eq($$select title from threadguard.search_conversations('ha l')$$, $$values ('Alpha launch')$$,
    'A1: the text may sit anywhere in the title, spaces included');

select is(threadguard.set_conversation_metadata(tests.id('thread_a1'), '{"project": "x", "pinned": true}'), true, 'A1: labels its own conversation');
select results_eq($$select title from threadguard.search_conversations(p_metadata => '{"pinned": true}')$$,
    $$values ('A1''s thread')$$, 'A1: finds it by the new label');
select throws_ok(format($$select threadguard.set_conversation_metadata(%L, '"x"')$$, tests.id('thread_a1')), '22023', null,
    'A1: metadata that is not an object is refused');
select throws_ok(format($$select threadguard.set_conversation_metadata(%L, jsonb_build_object('k', repeat('x', 9000)))$$, tests.id('thread_a1')),
    '22023', null, 'A1: metadata over 8 kB is refused');
select throws_ok(format($$update threadguard.conversations set metadata = '{}' where id = %L$$, tests.id('thread_a1')), '42501', null,
    'A1: the application cannot update the column directly');

select tests.as_user('tenant_b', 'user_b1');
select is(threadguard.set_conversation_metadata(tests.id('thread_a1'), '{"project": "b"}'), false, 'B: labelling A1''s conversation gives false');
select results_eq($$select title from threadguard.search_conversations(p_metadata => '{"project": "x"}')$$,
    $$values ('alpha of B')$$, 'B: the same search finds only B''s own');
select * from finish();
rollback;
