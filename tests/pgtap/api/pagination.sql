-- Keyset pagination of list_conversations: walking every page returns every own
-- conversation exactly once, in order, even when many share an updated_at.
begin;
select plan(4);
select tests.seed_world();

select tests.as_user('tenant_a', 'user_a1');
-- 40 conversations created in one transaction share updated_at = now().
insert into threadguard.conversations (title) select 'same instant ' || g from generate_series(1, 40) g;
select tests.as_superuser();
update threadguard.conversations set updated_at = now() - (random() * interval '10 days')
where title like 'same instant %' and right(title, 1) in ('1', '3', '5');
select tests.as_user('tenant_a', 'user_a1');

select results_eq('select * from tests.walk_pages(7)',
    'select id from threadguard.conversations order by updated_at desc, id desc',
    'A1: pages of 7 return all 41 conversations once each, newest activity first');
select results_eq('select * from tests.walk_pages(1)',
    'select id from threadguard.conversations order by updated_at desc, id desc',
    'A1: pages of 1 give the same walk');
select is((select count(distinct x)::int from tests.walk_pages(41) x), 41, 'A1: a page exactly the size of the set ends the walk');

select tests.as_user('tenant_b', 'user_b1');
select results_eq('select * from tests.walk_pages(3)', 'select tests.id(''thread_b1'')', 'B: walks only its own conversation');
select * from finish();
rollback;
