-- Export for operators: a tenant's (or one user's) conversations and each one's root
-- checkpoints as LangGraph reads them; only admins, every call audited.
begin;
select plan(7);
select tests.seed_world();

select tests.as_user('tenant_a', 'user_a1');
select throws_ok(format($$select * from threadguard.export_conversations(%L, null, 'x')$$, tests.id('tenant_a')), '42501', null,
    'app: cannot export');
select tests.as_admin();
select throws_ok(format($$select * from threadguard.export_conversations(%L, null, null)$$, tests.id('tenant_a')), '22004', null,
    'admin: an export needs a reason');
select results_eq(format($$select thread_id from threadguard.export_conversations(%L, null, 'dsar') order by 1$$, tests.id('tenant_a')),
    format($$values (%L::uuid), (%L::uuid)$$, tests.id('thread_a1'), tests.id('thread_a2')), 'admin: tenant A''s conversations');
select results_eq(format($$select thread_id from threadguard.export_conversations(%L, %L, 'dsar')$$, tests.id('tenant_a'), tests.id('user_a2')),
    format($$values (%L::uuid)$$, tests.id('thread_a2')), 'admin: one user''s');
select results_eq(format($$select checkpoint_id from threadguard.export_checkpoints(%L, %L, 'dsar')$$, tests.id('tenant_a'), tests.id('thread_a1')),
    $$values ('seed-2'::text), ('seed-1'), ('pre-adoption')$$, 'admin: a conversation''s root checkpoints, newest first');
select is_empty(format($$select * from threadguard.export_checkpoints(%L, %L, 'dsar')$$, tests.id('tenant_b'), tests.id('thread_a1')),
    'admin: a thread asked for under another tenant gives nothing');
select results_eq($$select action, row_count from threadguard.audit_log order by id$$,
    $$values ('export', 2::bigint), ('export', 1::bigint), ('export_checkpoints', 3::bigint), ('export_checkpoints', 0::bigint)$$,
    'admin: every call is audited with its rows');
select * from finish();
rollback;
