-- Activity: the conversation row is touched only by the first checkpoint of each ~27 s
-- of a thread (its uuid6 leaves the parent's time_high), yet list_conversations,
-- search_conversations and get_conversation give exact activity, in exact order, page
-- after page.
begin;
select plan(20);
select tests.seed_world();

-- The clock in the ids ------------------------------------------------------------
select is(threadguard.checkpoint_time(tests.uuid6('2026-12-08 10:00:00.123456+00')), '2026-12-08 10:00:00.123456+00'::timestamptz,
    'checkpoint_time reads a uuid6 to the microsecond');
select is(threadguard.checkpoint_time('1F1F2A4E-0785-6CE6-8003-61F04FE5F98D'), null, 'checkpoint_time: another spelling is no uuid6 (null)');
select is(threadguard.checkpoint_time(gen_random_uuid()::text), null, 'checkpoint_time: a uuid4 is no uuid6 (null)');
select is(array(select threadguard.checkpoint_time(t) from unnest(array['--------------6---xxxxxxxxxxxxxxxxxx',
            left(tests.uuid6(now()), 20), tests.uuid6(now()) || ' ', 'é' || right(tests.uuid6(now()), 35), '']) as t),
    array[null, null, null, null, null]::timestamptz[],
    'checkpoint_time never raises: dashes or non-hex where the time is, short, long, multibyte, empty (null)');

-- Tenant A, user 1 ---------------------------------------------------------------
-- Times an hour ahead (now() is the stored activity of every seeded conversation), 1 s
-- into a bucket: +5 s and +20 s stay in it, +30 s is the next one.
-- (The fixture tables are the superuser's: the application role creates nothing.)
create temp table t0 as select tests.bucket_start(now() + interval '1 hour') + interval '1 second' as at;
create temp table c as select (select at from t0) + s.d as at, tests.uuid6((select at from t0) + s.d, s.n) as id, s.n
    from (values (interval '0 s', 1), (interval '5 s', 2), (interval '20 s', 3), (interval '30 s', 4), (interval '10 s', 5)) as s(d, n);
select tests.as_user('tenant_a', 'user_a1');
select threadguard.create_conversation('P', tests.id('thread_new'));
select threadguard.create_conversation('Q', 'c0000000-0000-4000-8000-000000000000');

insert into public.checkpoints (thread_id, checkpoint_ns, checkpoint_id, checkpoint)
select tests.t('thread_new'), '', id, '{}' from c where n = 1;
select is((select updated_at from threadguard.conversations where id = tests.id('thread_new')), (select at from c where n = 1),
    'A1: a first checkpoint moves updated_at to the time in its id');
insert into public.checkpoints (thread_id, checkpoint_ns, checkpoint_id, parent_checkpoint_id, checkpoint)
select tests.t('thread_new'), '', (select id from c where n = 2), (select id from c where n = 1), '{}';
select is((select updated_at from threadguard.conversations where id = tests.id('thread_new')), (select at from c where n = 1),
    'A1: a child within its parent''s ~27 s leaves the conversation row alone (no update)');
select is((select updated_at from threadguard.get_conversation(tests.id('thread_new'))), (select at from c where n = 2),
    'A1: get_conversation gives the exact activity (the child''s time)');

-- Q: one checkpoint at +10 s. Stored, Q (+10 s) is ahead of P (+0 s); exactly, P (+20 s) is.
insert into public.checkpoints (thread_id, checkpoint_ns, checkpoint_id, checkpoint)
select 'c0000000-0000-4000-8000-000000000000', '', id, '{}' from c where n = 5;
insert into public.checkpoints (thread_id, checkpoint_ns, checkpoint_id, parent_checkpoint_id, checkpoint)
select tests.t('thread_new'), '', (select id from c where n = 3), (select id from c where n = 2), '{}';
select results_eq('select thread_id, updated_at from threadguard.list_conversations(2)',
    $$values (tests.id('thread_new'), (select at from c where n = 3)), ('c0000000-0000-4000-8000-000000000000'::uuid, (select at from c where n = 5))$$,
    'A1: list_conversations orders by exact activity (P at +20 s before Q at +10 s, though Q''s stored activity is later)');
select results_eq('select * from tests.walk_pages(1)',
    $$values (tests.id('thread_new')), ('c0000000-0000-4000-8000-000000000000'::uuid), (tests.id('thread_a1'))$$,
    'A1: pages of one walk the same exact order, each conversation once');
select results_eq($$select thread_id, updated_at from threadguard.search_conversations(null, null, 1)$$,
    $$values (tests.id('thread_new'), (select at from c where n = 3))$$,
    'A1: search_conversations agrees (first page of one)');
select results_eq($$select thread_id from threadguard.search_conversations(null, null, 1, (select at from c where n = 3), tests.id('thread_new'))$$,
    $$values ('c0000000-0000-4000-8000-000000000000'::uuid)$$,
    'A1: search_conversations'' next page continues the exact order');

insert into public.checkpoints (thread_id, checkpoint_ns, checkpoint_id, parent_checkpoint_id, checkpoint)
select tests.t('thread_new'), '', (select id from c where n = 4), (select id from c where n = 3), '{}';
select is((select updated_at from threadguard.conversations where id = tests.id('thread_new')), (select at from c where n = 4),
    'A1: a child in the next ~27 s moves updated_at again');

-- An id that is no uuid6 carries no time: it always marks activity, at now().
select tests.as_superuser();
update threadguard.conversations set updated_at = now() - interval '1 hour' where id = tests.id('thread_a1');
select tests.as_user('tenant_a', 'user_a1');
insert into public.checkpoints (thread_id, checkpoint_ns, checkpoint_id, parent_checkpoint_id, checkpoint)
values (tests.t('thread_a1'), '', 'seed-3', 'seed-2', '{}');
select is((select updated_at from threadguard.conversations where id = tests.id('thread_a1')), now(),
    'A1: a checkpoint id that is no uuid6 (sharing its parent''s first 8 characters) marks activity at now()');
select throws_ok($$update threadguard.conversations set updated_at = updated_at + interval '1 day' where id = tests.id('thread_new')$$,
    '42501', null, 'A1: cannot set updated_at itself');

-- Tenant A, user 2 / tenant B ----------------------------------------------------------
select tests.as_user('tenant_a', 'user_a2');
select results_eq('select thread_id from threadguard.list_conversations()', 'select tests.id(''thread_a2'')',
    'A2: lists only its own conversation, however recent A1''s are');
select is((select updated_at from threadguard.get_conversation(tests.id('thread_new'))), null, 'A2: gets no activity of A1''s');
select tests.as_user('tenant_b', 'user_b1');
select results_eq('select thread_id from threadguard.list_conversations()', 'select tests.id(''thread_b1'')', 'B: lists only its own');
insert into public.checkpoints (thread_id, checkpoint_ns, checkpoint_id, checkpoint)
select tests.t('thread_b1'), '', tests.uuid6(now() + interval '2 hours'), '{}';
select is((select count(*)::int from threadguard.list_conversations() where updated_at > now() + interval '90 minutes'), 1,
    'B: its own checkpoint moves its own activity');
select tests.as_user('tenant_a', 'user_a1');
select is((select thread_id from threadguard.list_conversations(1)), tests.id('thread_new'), 'A1: B''s activity changes nothing of A1''s order');

-- Empty context -------------------------------------------------------------------
select tests.as_empty();
select throws_ok('select * from threadguard.get_conversation(''0ee00000-0000-4000-8000-000000000000'')', '42501', null,
    'empty: get_conversation raises 42501');
select * from finish();
rollback;
