-- Support access: a support engineer reads one tenant's conversations only inside an
-- access it opened for that tenant with a reason and a duration; read-only; the access
-- ends by itself; opening it and every read are audited; an access opens reads only once the
-- transaction that opened it committed (its audit row then outlives any rollback).
begin;
select plan(18);
select tests.seed_world();

select tests.as_user('tenant_a', 'user_a1');
select throws_ok(format($$select threadguard.open_support_access(%L, 'x')$$, tests.id('tenant_a')), '42501', null,
    'app: cannot open a support access');
select tests.as_admin();
select throws_ok(format($$select * from threadguard.support_conversations(%L)$$, tests.id('tenant_a')), '42501', null,
    'admin: is not support (no execute)');

-- Support, before any access ---------------------------------------------------------------
select tests.as_support();
select throws_ok(format($$select * from threadguard.support_conversations(%L)$$, tests.id('tenant_a')), '42501', null,
    'support without an access: refused');
select throws_ok('select * from threadguard.conversations', '42501', null, 'support: no direct access to conversations');
select throws_ok('select * from public.checkpoints', '42501', null, 'support: no direct access to checkpoints');
select throws_ok(format($$select threadguard.open_support_access(%L, null)$$, tests.id('tenant_a')), '22004', null,
    'support: an access needs a reason');
select throws_ok(format($$select threadguard.open_support_access(%L, 'ticket', 600)$$, tests.id('tenant_a')), '22023', null,
    'support: at most 8 hours');

-- With an access to tenant A ----------------------------------------------------------------
select ok(threadguard.open_support_access(tests.id('tenant_a'), 'ticket #42', 30) > now(), 'support: opens 30 minutes on tenant A');
select throws_ok(format($$select * from threadguard.support_conversations(%L)$$, tests.id('tenant_a')), '42501',
    'threadguard: this support access was opened in the current transaction: commit it first',
    'support: the access opens nothing before the transaction that opened it commits');
-- This whole file is one transaction: stand for the commit by dating the access to a committed
-- transaction (FrozenTransactionId, which pg_xact_status reports committed).
select tests.as_superuser();
update threadguard.support_access set opened_in = '2'::xid8;
select tests.as_support();
select results_eq(format($$select thread_id from threadguard.support_conversations(%L) order by 1$$, tests.id('tenant_a')),
    format($$values (%L::uuid), (%L::uuid)$$, tests.id('thread_a1'), tests.id('thread_a2')), 'support: sees tenant A''s two conversations');
select results_eq(format($$select thread_id, checkpoint_id from threadguard.support_checkpoint(%L, %L)$$, tests.id('tenant_a'), tests.id('thread_a1')),
    format($$values (%L::uuid, 'seed-2'::text)$$, tests.id('thread_a1')), 'support: reads A1''s latest checkpoint');
select is_empty(format($$select * from threadguard.support_checkpoint(%L, %L)$$, tests.id('tenant_a'), tests.id('thread_b1')),
    'support: B''s thread through tenant A''s access gives no row');
select throws_ok(format($$select * from threadguard.support_conversations(%L)$$, tests.id('tenant_b')), '42501', null,
    'support: tenant B stays closed');
select throws_ok($$update threadguard.support_access set expires_at = now() + interval '1 day'$$, '42501', null,
    'support: cannot extend its access by hand');

-- After it expired --------------------------------------------------------------------------
select tests.as_superuser();
update threadguard.support_access set opened_at = now() - interval '2 hours', expires_at = now() - interval '1 second';
select tests.as_support();
select throws_ok(format($$select * from threadguard.support_conversations(%L)$$, tests.id('tenant_a')), '42501', null,
    'support: an expired access opens nothing');

-- The trail -------------------------------------------------------------------------------
select tests.as_admin();
select results_eq($$select action, reason, row_count from threadguard.audit_log order by id$$,
    $$values ('support_open', 'ticket #42', 0::bigint), ('support_read', 'ticket #42', 2::bigint),
             ('support_read', 'ticket #42', 1::bigint), ('support_read', 'ticket #42', 0::bigint)$$,
    'admin: the access and every read under it are audited, with the reason and the rows');
select results_eq($$select count(*)::int from threadguard.support_access where actor = session_user$$, 'values (1)',
    'admin: reviews the access');
select tests.as_superuser();
select is((select count(*)::int from public.checkpoints), 7, 'superuser: support changed nothing');
select * from finish();
rollback;
