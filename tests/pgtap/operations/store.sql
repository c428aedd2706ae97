-- Store operations, persona by persona: the TTL sweep, export, erasure and assignment of
-- items from before adoption are threadguard_admin's, reach every tenant, and are audited;
-- the application can execute none of them.
begin;
select plan(18);
select tests.seed_store();

-- The application --------------------------------------------------------------------
select tests.as_user('tenant_a', 'user_a1');
select throws_ok('select * from threadguard.sweep_store()', '42501', null, 'app: cannot execute sweep_store');
select throws_ok(format($$select * from threadguard.export_store_items(%L, null, 'x')$$, tests.id('tenant_b')), '42501', null,
    'app: cannot execute export_store_items');
select throws_ok(format($$select threadguard.assign_store_items('memories', %L, %L, 'x')$$, tests.id('tenant_a'), tests.id('user_a1')), '42501', null,
    'app: cannot execute assign_store_items');

-- An admin ---------------------------------------------------------------------------
select tests.as_admin();
select throws_ok('select * from threadguard.sweep_store(0)', '22023', null, 'admin: a sweep batch of 0 is refused');
select results_eq('select * from threadguard.sweep_store(1)', 'values (1::bigint, 1::bigint)', 'admin: a sweep of 1 deletes one expired item, one is left');
select results_eq('select * from threadguard.sweep_store()', 'values (1::bigint, 0::bigint)', 'admin: the next deletes the other tenant''s');
select results_eq('select * from threadguard.sweep_store()', 'values (0::bigint, 0::bigint)', 'admin: nothing left to sweep');
select results_eq(format($$select namespace, key, value->>'who' from threadguard.export_store_items(%L, %L, 'access request')$$, tests.id('tenant_a'), tests.id('user_a1')),
    format($$values (array[%L, %L, 'memories'], 'k', 'a1')$$, tests.t('tenant_a'), tests.t('user_a1')),
    'admin: exports A1''s item, namespace as LangGraph''s tuple');
select results_eq(format($$select value->>'who' from threadguard.export_store_items(%L, null, 'tenant export')$$, tests.id('tenant_a')),
    $$values ('a1'), ('a2'), ('tenant a')$$, 'admin: a tenant''s export has every user''s items and the shared ones');
select throws_ok(format($$select threadguard.assign_store_items(%L, %L, %L, 'move')$$, tests.ns('tenant_b', 'user_b1'), tests.id('tenant_a'), tests.id('user_a1')),
    '22023', null, 'admin: cannot assign a namespace that already has an owner');
select tests.as_superuser();
update public.store set key = 'k-own' where prefix = tests.ns('tenant_a', 'user_a1') and key = 'k';
select tests.as_admin();
select throws_ok(format($$select threadguard.assign_store_items('memories', %L, %L, 'adoption')$$, tests.id('tenant_a'), tests.id('user_a2')),
    '23505', null, 'admin: refuses to give an item to a user who holds its key in that namespace already (A2), moving nothing');
select is(threadguard.assign_store_items('memories', tests.id('tenant_a'), tests.id('user_a1'), 'adoption'), 1::bigint,
    'admin: gives the item from before adoption to A1 (after A1''s own item moved aside)');
select results_eq(format($$select * from threadguard.erasure_left(%L, %L, 'check')$$, tests.id('tenant_a'), tests.id('user_a1')),
    $$values (0::bigint, 0::bigint, 0::bigint, 0::bigint, 2::bigint)$$, 'admin: erasure_left counts A1''s two store items');
select results_eq(format($$select * from threadguard.erase(%L, %L, 'gdpr')$$, tests.id('tenant_a'), tests.id('user_a1')),
    $$values (2::bigint, 0::bigint)$$, 'admin: erase deletes A1''s store items');
select results_eq(format($$select * from threadguard.erasure_left(%L, null, 'check')$$, tests.id('tenant_a')),
    $$values (0::bigint, 0::bigint, 0::bigint, 0::bigint, 2::bigint)$$, 'admin: A2''s item and the shared one are left in tenant A');
select results_eq($$select action, row_count from threadguard.audit_log where action in ('sweep_store', 'export_store', 'assign_store_items', 'erase') order by id$$,
    $$values ('sweep_store', 1::bigint), ('sweep_store', 1::bigint), ('export_store', 1::bigint), ('export_store', 3::bigint),
             ('assign_store_items', 1::bigint), ('erase', 2::bigint)$$,
    'admin: every sweep that deleted something, every export, assignment and erasure is audited');

-- The application sees the result --------------------------------------------------------
select tests.as_user('tenant_a', 'user_a1');
select is_empty('select * from public.store where prefix not like ''%shared%''', 'A1: nothing of its own is left');
select tests.as_user('tenant_b', 'user_b1');
select results_eq('select key from public.store order by prefix, key', $$values ('k'), ('k')$$, 'B1: its item and its tenant''s shared one are intact');

select * from finish();
rollback;
