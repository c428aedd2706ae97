-- Isolation of threadguard.conversations, persona by persona: a conversation is
-- seen, created, changed and deleted only by its own tenant and user, and never
-- changes owner. Deleting one takes its checkpoints along; a checkpoint moves updated_at.
begin;
select plan(40);
select tests.seed_world();

-- No context at all (never set) -------------------------------------------
select tests.as_unset();
select is_empty('select * from threadguard.conversations', 'unset: sees no conversation');
select throws_ok($$insert into threadguard.conversations (title) values ('x')$$, '42501', null,
    'unset: cannot create a conversation (the owner defaults to null, which no policy admits)');
select throws_ok(format($$insert into threadguard.conversations (tenant_id, user_id, title) values (%L, %L, 'x')$$, tests.id('tenant_a'), tests.id('user_a1')),
    '42501', null, 'unset: cannot create a conversation for a named owner');
select is_empty($$update threadguard.conversations set title = 'x' returning 1$$, 'unset: updates nothing');
select is_empty('delete from threadguard.conversations returning 1', 'unset: deletes nothing');

-- Empty context -------------------------------------------------------------
select tests.as_empty();
select is_empty('select * from threadguard.conversations', 'empty: sees no conversation');
select throws_ok(format($$insert into threadguard.conversations (tenant_id, user_id, title) values (%L, %L, 'x')$$, tests.id('tenant_a'), tests.id('user_a1')),
    '42501', null, 'empty: cannot create a conversation');
select is_empty($$update threadguard.conversations set title = 'x' returning 1$$, 'empty: updates nothing');
select is_empty('delete from threadguard.conversations returning 1', 'empty: deletes nothing');

-- Malformed context -----------------------------------------------------------
select tests.as_malformed();
select throws_ok('select * from threadguard.conversations', '22P02', null, 'malformed: reading raises (no row is returned)');
select throws_ok(format($$insert into threadguard.conversations (tenant_id, user_id, title) values (%L, %L, 'x')$$, tests.id('tenant_a'), tests.id('user_a1')),
    '22P02', null, 'malformed: cannot create a conversation');
select throws_ok($$update threadguard.conversations set title = 'x' returning 1$$, '22P02', null, 'malformed: an update raises, changing nothing');
select throws_ok('delete from threadguard.conversations returning 1', '22P02', null, 'malformed: a delete raises, deleting nothing');

-- Tenant A, user 1 ---------------------------------------------------------------
select tests.as_user('tenant_a', 'user_a1');
select results_eq('select id from threadguard.conversations', 'select tests.id(''thread_a1'')', 'A1: sees only its own conversation');
select lives_ok(format($$insert into threadguard.conversations (id, title) values (%L, 'new')$$, tests.id('thread_new')),
    'A1: creates a conversation, owner taken from the context');
select results_eq(format('select tenant_id, user_id from threadguard.conversations where id = %L', tests.id('thread_new')),
    $$select tests.id('tenant_a'), tests.id('user_a1')$$, 'A1: the new conversation belongs to A1');
select throws_ok(format($$insert into threadguard.conversations (tenant_id, user_id, title) values (%L, %L, 'x')$$, tests.id('tenant_b'), tests.id('user_b1')),
    '42501', null, 'A1: cannot create a conversation for tenant B');
select throws_ok(format($$insert into threadguard.conversations (tenant_id, user_id, title) values (%L, %L, 'x')$$, tests.id('tenant_a'), tests.id('user_a2')),
    '42501', null, 'A1: cannot create a conversation for another user of its tenant');
select lives_ok($$update threadguard.conversations set title = 'renamed'$$, 'A1: renames with an unfiltered update');
select results_eq($$select id from threadguard.conversations where title = 'renamed' order by id$$,
    $$values (tests.id('thread_a1')), (tests.id('thread_new'))$$, 'A1: the unfiltered update renamed exactly its own two conversations');
select is_empty(format($$delete from threadguard.conversations where id = %L returning 1$$, tests.id('thread_b1')), 'A1: deletes none of B''s conversations');
select throws_ok(format($$update threadguard.conversations set tenant_id = %L$$, tests.id('tenant_b')), '42501', null,
    'A1: has no right to change a conversation''s tenant');
select throws_ok($$update threadguard.conversations set updated_at = now() - interval '1 day'$$, '42501', null,
    'A1: has no right to set updated_at (the database maintains it)');

-- WITH CHECK alone, past the column privileges: as threadguard_owner, still A1's context
select tests.as_owner();
-- (no WHERE, no RETURNING: only the UPDATE policy applies, not the SELECT one)
select throws_ok(format($$update threadguard.conversations set tenant_id = %L$$, tests.id('tenant_b')),
    '42501', null, 'owner role in A1''s context: cannot move a conversation to tenant B');
select throws_ok(format($$update threadguard.conversations set user_id = %L$$, tests.id('user_a2')),
    '42501', null, 'owner role in A1''s context: cannot move a conversation to another user');

-- A new checkpoint is activity: it moves updated_at (as superuser, age the row first)
select tests.as_superuser();
update threadguard.conversations set updated_at = now() - interval '1 hour' where id = tests.id('thread_a1');
select tests.as_user('tenant_a', 'user_a1');
select lives_ok(tests.insert_sql('checkpoints', tests.t('thread_a1'), 'activity'), 'A1: writes a checkpoint');
select results_eq(format('select updated_at = now() from threadguard.conversations where id = %L', tests.id('thread_a1')),
    'values (true)', 'A1: writing a checkpoint moved the conversation''s updated_at to now');

-- Deleting a conversation deletes its whole thread
select results_eq(format('delete from threadguard.conversations where id = %L returning id', tests.id('thread_a1')),
    format('values (%L::uuid)', tests.id('thread_a1')), 'A1: deletes its own conversation');
select is_empty(format($$select 1 from public.checkpoints where thread_id = %L
                         union all select 1 from public.checkpoint_blobs where thread_id = %L
                         union all select 1 from public.checkpoint_writes where thread_id = %L$$,
                       tests.t('thread_a1'), tests.t('thread_a1'), tests.t('thread_a1')),
    'A1: no checkpoint, blob or write of the deleted thread is left');
select throws_ok(tests.insert_sql('checkpoints', tests.t('thread_a1'), 'late'), '23503', null,
    'A1: a late write to the deleted thread is refused (no resurrected thread)');

-- Tenant A, user 2 ---------------------------------------------------------------
select tests.as_user('tenant_a', 'user_a2');
select results_eq('select id from threadguard.conversations', 'select tests.id(''thread_a2'')', 'A2: sees only its own conversation');
select is_empty($$update threadguard.conversations set title = 'x' where id <> tests.id('thread_a2') returning 1$$, 'A2: renames no one else''s conversation');
select throws_ok(format($$insert into threadguard.conversations (tenant_id, user_id, title) values (%L, %L, 'x')$$, tests.id('tenant_a'), tests.id('user_a1')),
    '42501', null, 'A2: cannot create a conversation for A1');
select lives_ok('delete from threadguard.conversations', 'A2: an unfiltered delete (meeting only the DELETE policy) runs');

-- Tenant B -------------------------------------------------------------------------
select tests.as_user('tenant_b', 'user_b1');
select results_eq('select id from threadguard.conversations', 'select tests.id(''thread_b1'')', 'B: sees only its own conversation');
select is_empty(format($$delete from threadguard.conversations where id = %L returning 1$$, tests.id('thread_a2')), 'B: deletes none of A''s conversations');
select is_empty(format($$update threadguard.conversations set title = 'x' where id = %L returning 1$$, tests.id('thread_a2')), 'B: renames none of A''s conversations');
select throws_ok(format($$insert into threadguard.conversations (tenant_id, user_id, title) values (%L, %L, 'x')$$, tests.id('tenant_a'), tests.id('user_a2')),
    '42501', null, 'B: cannot create a conversation for tenant A');

-- What really is in the table afterwards (superuser) --------------------------------
select tests.as_superuser();
select results_eq('select title from threadguard.conversations order by id',
    $$values ('B1''s thread'), ('renamed')$$,
    'superuser: B''s conversation is untouched; A1 and A2 renamed and deleted only their own');
select results_eq(format('select count(*) from public.checkpoints where thread_id = %L', tests.t('thread_a1')), 'values (1::bigint)',
    'superuser: only the unowned pre-adoption row of the deleted thread remains (RLS hides it from A1 too)');
select * from finish();
rollback;
