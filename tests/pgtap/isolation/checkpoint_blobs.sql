-- Isolation of public.checkpoint_blobs (the channel values, i.e. the messages), persona by
-- persona: each sees and changes only its own thread's rows; foreign writes are refused.
-- 42501 by the policies (stamps that are not the context), 23503 by the
-- ownership foreign key (a thread that is not a conversation of the stamps).
begin;
select plan(50);
select tests.seed_world();

-- No context at all (never set) -------------------------------------------
select tests.as_unset();
select is(current_setting('app.tenant_id', true), null, 'unset: app.tenant_id was never set in this session');
select is_empty('select * from public.checkpoint_blobs', 'unset: sees no blob');
select throws_ok(tests.insert_sql('checkpoint_blobs', tests.t('thread_a1'), 'n1'), '42501', null, 'unset: cannot insert into a thread');
select is_empty($$update public.checkpoint_blobs set type = 'changed' returning 1$$, 'unset: updates nothing');
select is_empty('delete from public.checkpoint_blobs returning 1', 'unset: deletes nothing');
select throws_ok(tests.upsert_sql('checkpoint_blobs', tests.t('thread_a1'), 'seed-1'), '42501', null, 'unset: ON CONFLICT DO UPDATE against A1''s key raises');

-- Empty context (after RESET / a transaction-local set that ended) ---------
select tests.as_empty();
select is_empty('select * from public.checkpoint_blobs', 'empty: sees no blob');
select throws_ok(tests.insert_sql('checkpoint_blobs', tests.t('thread_a1'), 'n1'), '42501', null, 'empty: cannot insert into a thread');
select is_empty($$update public.checkpoint_blobs set type = 'changed' returning 1$$, 'empty: updates nothing');
select is_empty('delete from public.checkpoint_blobs returning 1', 'empty: deletes nothing');
select throws_ok(tests.upsert_sql('checkpoint_blobs', tests.t('thread_a1'), 'seed-1'), '42501', null, 'empty: ON CONFLICT DO UPDATE against A1''s key raises');

-- Malformed context --------------------------------------------------------
select tests.as_malformed();
select throws_ok('select * from public.checkpoint_blobs', '22P02', null, 'malformed: reading raises (no row is returned)');
select throws_ok(tests.insert_sql('checkpoint_blobs', tests.t('thread_a1'), 'n1'), '22P02', null, 'malformed: cannot insert into a thread');
select throws_ok($$update public.checkpoint_blobs set type = 'changed' returning 1$$, '22P02', null, 'malformed: an update raises, changing nothing');
select throws_ok('delete from public.checkpoint_blobs returning 1', '22P02', null, 'malformed: a delete raises, deleting nothing');
select throws_ok(tests.upsert_sql('checkpoint_blobs', tests.t('thread_a1'), 'seed-1'), '22P02', null, 'malformed: ON CONFLICT DO UPDATE against A1''s key raises');

-- Tenant A, user 1 (owns thread_a1) ----------------------------------------
select tests.as_user('tenant_a', 'user_a1');
select results_eq('select * from tests.row_counts(''checkpoint_blobs'')',
    format('values (%L, 2::bigint)', tests.t('thread_a1')),
    'A1: sees exactly its two rows ');
select lives_ok(tests.insert_sql('checkpoint_blobs', tests.t('thread_a1'), 'a1-new'), 'A1: inserts into its own thread');
select results_eq($$select threadguard_tenant_id, threadguard_user_id from public.checkpoint_blobs where version = 'a1-new'$$,
    $$select tests.id('tenant_a'), tests.id('user_a1')$$, 'A1: a new row is stamped with the writer''s tenant and user');
select lives_ok(tests.upsert_sql('checkpoint_blobs', tests.t('thread_a1'), 'a1-new'), 'A1: upserts (ON CONFLICT DO UPDATE) its own row');
select throws_ok(tests.insert_sql('checkpoint_blobs', tests.t('thread_a2'), 'n1'), '23503', null, 'A1: cannot insert into A2''s thread (same tenant, other user)');
select throws_ok(tests.insert_sql('checkpoint_blobs', tests.t('thread_b1'), 'n1'), '23503', null, 'A1: cannot insert into B''s thread');
select throws_ok(tests.insert_sql('checkpoint_blobs', tests.t('thread_new'), 'n1'), '23503', null, 'A1: cannot insert into a thread with no conversation');
select throws_ok(tests.insert_sql('checkpoint_blobs', 'not-a-uuid', 'n1'), '23503', null, 'A1: cannot insert under a thread_id that is not a uuid');
select throws_ok(tests.insert_sql('checkpoint_blobs', upper(tests.t('thread_a1')), 'n1'), '23503', null, 'A1: cannot insert under a non-canonical spelling of its own thread_id');
select throws_ok(
    format($$insert into public.checkpoint_blobs (thread_id, channel, version, type, blob, threadguard_tenant_id, threadguard_user_id) values (%L, 'messages', 'n2', 'msgpack', '\x00', %L, %L)$$,
           tests.t('thread_a1'), tests.id('tenant_b'), tests.id('user_b1')),
    '42501', null, 'A1: cannot stamp a row with another tenant');
select throws_ok(
    format($$insert into public.checkpoint_blobs (thread_id, channel, version, type, blob, threadguard_tenant_id, threadguard_user_id) values (%L, 'messages', 'n2', 'msgpack', '\x00', %L, %L)$$,
           tests.t('thread_a1'), tests.id('tenant_a'), tests.id('user_a2')),
    '42501', null, 'A1: cannot stamp a row with another user of its tenant');
select throws_ok(tests.upsert_sql('checkpoint_blobs', tests.t('thread_b1'), 'seed-1'), '42501', null, 'A1: ON CONFLICT DO UPDATE against B''s key raises');
select is_empty(format($$update public.checkpoint_blobs set type = 'changed' where thread_id = %L returning 1$$, tests.t('thread_b1')), 'A1: updates none of B''s rows');
select is_empty(format($$update public.checkpoint_blobs set type = 'changed' where thread_id = %L returning 1$$, tests.t('thread_a2')), 'A1: updates none of A2''s rows');
select is_empty(format('delete from public.checkpoint_blobs where thread_id = %L returning 1', tests.t('thread_b1')), 'A1: deletes none of B''s rows');
-- Unfiltered updates (no WHERE, no RETURNING) meet only the UPDATE policy, not the SELECT one.
select throws_ok(format($$update public.checkpoint_blobs set thread_id = %L where version = 'a1-new'$$, tests.t('thread_b1')),
    '23503', null, 'A1: cannot move its rows into B''s thread (the ownership key)');
select throws_ok(format('update public.checkpoint_blobs set threadguard_user_id = %L', tests.id('user_a2')),
    '42501', null, 'A1: cannot hand its rows to another user');
select results_eq(format($$delete from public.checkpoint_blobs where thread_id = %L and version = 'a1-new' returning version$$, tests.t('thread_a1')),
    $$values ('a1-new')$$, 'A1: deletes its own row');
select lives_ok($$update public.checkpoint_blobs set type = 'changed'$$, 'A1: an unfiltered update runs');

-- Tenant A, user 2 (owns thread_a2) ----------------------------------------
select tests.as_user('tenant_a', 'user_a2');
select results_eq('select * from tests.row_counts(''checkpoint_blobs'')',
    format('values (%L, 2::bigint)', tests.t('thread_a2')), 'A2: sees only its own thread, not A1''s');
select throws_ok(tests.insert_sql('checkpoint_blobs', tests.t('thread_a1'), 'n1'), '23503', null, 'A2: cannot insert into A1''s thread (same tenant)');
select is_empty(format($$update public.checkpoint_blobs set type = 'changed' where thread_id = %L returning 1$$, tests.t('thread_a1')), 'A2: updates none of A1''s rows');
select is_empty(format('delete from public.checkpoint_blobs where thread_id = %L returning 1', tests.t('thread_a1')), 'A2: deletes none of A1''s rows');
select throws_ok(tests.upsert_sql('checkpoint_blobs', tests.t('thread_a1'), 'seed-1'), '42501', null, 'A2: ON CONFLICT DO UPDATE against A1''s key raises');
select lives_ok('delete from public.checkpoint_blobs', 'A2: an unfiltered delete (meeting only the DELETE policy) runs');

-- Tenant B, user 1 (owns thread_b1) ----------------------------------------
select tests.as_user('tenant_b', 'user_b1');
select results_eq('select * from tests.row_counts(''checkpoint_blobs'')',
    format('values (%L, 2::bigint)', tests.t('thread_b1')), 'B: sees only its own thread');
select is_empty(format($$select 1 from public.checkpoint_blobs where thread_id = %L$$, tests.t('thread_a1')), 'B: reading A1''s thread by id gives nothing');
select throws_ok(tests.insert_sql('checkpoint_blobs', tests.t('thread_a1'), 'n1'), '23503', null, 'B: cannot insert into A1''s thread');
select throws_ok(tests.upsert_sql('checkpoint_blobs', tests.t('thread_a1'), 'seed-1'), '42501', null, 'B: ON CONFLICT DO UPDATE against A1''s key raises');
select is_empty($$update public.checkpoint_blobs set type = 'changed' where thread_id <> '' and threadguard_tenant_id <> threadguard.current_tenant_id() returning 1$$,
    'B: updates no foreign row');
select is_empty(format('delete from public.checkpoint_blobs where thread_id = %L returning 1', tests.t('thread_a1')), 'B: deletes none of A1''s rows');

-- What really is in the table afterwards (superuser) ------------------------
select tests.as_superuser();
select results_eq($$select thread_id, count(*) from public.checkpoint_blobs where type = 'changed' group by 1$$,
    format('values (%L, 2::bigint)', tests.t('thread_a1')), 'superuser: the unfiltered update changed A1''s two rows and nothing else');
select results_eq($$select count(*) from public.checkpoint_blobs where type = 'msgpack'$$, 'values (2::bigint)',
    'superuser: B''s two rows are intact and unmodified');
select results_eq('select * from tests.row_counts(''checkpoint_blobs'')',
    format('values (%L, 2::bigint), (%L, 2::bigint)', tests.t('thread_a1'), tests.t('thread_b1')),
    'superuser: A2''s unfiltered delete removed its own rows and nobody else''s');
select * from finish();
rollback;
