-- Erasure and its audit trail, persona by persona: only threadguard_admin erases, in
-- bounded batches, one user or a whole tenant, with a proof that nothing is left; every
-- call is audited; the audit log is append-only through threadguard's roles.
begin;
select plan(22);
select tests.seed_world();

-- The application --------------------------------------------------------------------
select tests.as_user('tenant_a', 'user_a1');
select throws_ok(format($$select * from threadguard.erase(%L, null, 'x')$$, tests.id('tenant_b')), '42501', null,
    'app: cannot execute erase');
select throws_ok(format($$select * from threadguard.erasure_left(%L, null, 'x')$$, tests.id('tenant_b')), '42501', null,
    'app: cannot execute erasure_left');
select throws_ok('select * from threadguard.audit_log', '42501', null, 'app: cannot read the audit log');
select throws_ok($$insert into threadguard.audit_log (action) values ('forged')$$, '42501', null, 'app: cannot write the audit log');

-- An admin ---------------------------------------------------------------------------
select tests.as_admin();
select throws_ok('select * from public.checkpoints', '42501', null, 'admin: no direct access to checkpoints');
select throws_ok(format($$select * from threadguard.erase(%L, %L, null)$$, tests.id('tenant_a'), tests.id('user_a1')), '22004', null,
    'admin: an erasure needs a reason');
select throws_ok(format($$select * from threadguard.erase(%L, %L, 'gdpr', 0)$$, tests.id('tenant_a'), tests.id('user_a1')), '22023', null,
    'admin: a batch of 0 is refused');
select results_eq(format($$select * from threadguard.erase(%L, %L, 'GDPR request #1', 1)$$, tests.id('tenant_a'), tests.id('user_a1')),
    $$values (1::bigint, 0::bigint)$$, 'admin: erases A1''s one conversation in a batch of 1, none left');
select results_eq(format($$select * from threadguard.erasure_left(%L, %L, 'GDPR request #1')$$, tests.id('tenant_a'), tests.id('user_a1')),
    $$values (0::bigint, 0::bigint, 0::bigint, 0::bigint, 0::bigint)$$, 'admin: the proof: nothing of A1 is left in any table');
select results_eq(format($$select * from threadguard.erase(%L, %L, 'GDPR request #1')$$, tests.id('tenant_a'), tests.id('user_a1')),
    $$values (0::bigint, 0::bigint)$$, 'admin: a second run finds nothing');
select results_eq(format($$select * from threadguard.erasure_left(%L, null, 'tenant check')$$, tests.id('tenant_a')),
    $$values (1::bigint, 2::bigint, 2::bigint, 2::bigint, 0::bigint)$$, 'admin: A2''s conversation and rows are still there');
select results_eq(format($$select * from threadguard.erase(%L, null, 'tenant closed', 500)$$, tests.id('tenant_a')),
    $$values (1::bigint, 0::bigint)$$, 'admin: erases the rest of tenant A');
select results_eq(format($$select * from threadguard.erasure_left(%L, null, 'tenant closed')$$, tests.id('tenant_a')),
    $$values (0::bigint, 0::bigint, 0::bigint, 0::bigint, 0::bigint)$$, 'admin: nothing of tenant A is left');
select results_eq($$select action, reason, row_count, actor = session_user from threadguard.audit_log order by id$$,
    $$values ('erase', 'GDPR request #1', 1::bigint, true), ('erasure_left', 'GDPR request #1', 0::bigint, true),
             ('erase', 'GDPR request #1', 0::bigint, true), ('erasure_left', 'tenant check', 7::bigint, true),
             ('erase', 'tenant closed', 1::bigint, true), ('erasure_left', 'tenant closed', 0::bigint, true)$$,
    'admin: every call is in the audit log, with the session user, the reason and the rows');
select throws_ok($$update threadguard.audit_log set reason = 'nothing happened'$$, '42501', null, 'admin: cannot change an audit row');
select throws_ok('delete from threadguard.audit_log', '42501', null, 'admin: cannot delete an audit row');
select throws_ok($$insert into threadguard.audit_log (action) values ('forged')$$, '42501', null, 'admin: cannot write the audit log directly');

-- The owner and what is left -----------------------------------------------------------
select tests.as_owner();
select is_empty('delete from threadguard.audit_log returning id', 'owner: cannot delete audit rows younger than 90 days');
select tests.as_superuser();
select throws_ok($$select threadguard.prune_audit_log(interval '1 day')$$, '22023', null, 'prune_audit_log keeps at least 90 days');
update threadguard.audit_log set at = now() - interval '100 days' where id = (select min(id) from threadguard.audit_log);
select is(threadguard.prune_audit_log(interval '90 days'), 1::bigint, 'prune_audit_log deletes exactly the rows past the age');
select results_eq($$select thread_id, count(*) from public.checkpoints group by 1 order by 1$$,
    format('values (%L, 1::bigint), (%L, 2::bigint)', tests.t('thread_a1'), tests.t('thread_b1')),
    'superuser: B''s rows are intact; of tenant A only the unowned pre-adoption row is left');
select is((select count(*)::int from threadguard.conversations), 1, 'superuser: only B''s conversation is left');
select * from finish();
rollback;
