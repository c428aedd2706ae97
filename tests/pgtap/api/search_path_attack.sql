-- A caller who shadows our tables and functions with temporary or public objects
-- and puts them first in search_path changes nothing our definer functions do.
begin;
select plan(6);
select tests.seed_world();

-- threadguard_app may create nothing (tests/python/test_migrations.py): the shadows are
-- planted as a superuser would have let them be, by a DBA who granted CREATE by hand.
create temporary table conversations (id uuid, tenant_id uuid, user_id uuid, title text, created_at timestamptz, updated_at timestamptz);
insert into pg_temp.conversations values (tests.id('thread_b1'), tests.id('tenant_a'), tests.id('user_a1'), 'forged', now(), now() + interval '1 year');
create temporary table checkpoints (thread_id text, checkpoint_ns text, checkpoint_id text, checkpoint jsonb, metadata jsonb);
insert into pg_temp.checkpoints values (tests.t('thread_a1'), '', 'zzz-forged', '{}', '{"forged": true}');
create function public.char_length(text) returns integer language sql as 'select 1';
create function public.now() returns timestamptz language sql as $$select '2000-01-01'::timestamptz$$;
select tests.as_user('tenant_a', 'user_a1');
set local search_path = pg_temp, public;

select results_eq('select thread_id, title, checkpoint_id from threadguard.list_conversations()',
    $$select tests.id('thread_a1'), 'A1''s thread'::text, 'seed-2'::text$$,
    'list_conversations reads the real tables, not pg_temp.conversations or pg_temp.checkpoints');
select is_empty(format('select * from threadguard.get_conversation(%L)', tests.id('thread_b1')),
    'get_conversation does not find the forged row claiming B''s thread');
select throws_ok(format('select threadguard.create_conversation(%L)', repeat('x', 300)), '22023', null,
    'create_conversation''s title check ignores a public.char_length shadow');
select is((select created_at from threadguard.create_conversation('real time')), pg_catalog.now(),
    'create_conversation uses pg_catalog.now(), not public.now()');
select is(threadguard.delete_conversation(tests.id('thread_b1')), false,
    'delete_conversation cannot be pointed at B''s thread through the forged row');
select tests.as_superuser();
select is((select count(*)::int from threadguard.conversations where id = tests.id('thread_b1')), 1, 'B''s conversation is still there');
select * from finish();
rollback;
