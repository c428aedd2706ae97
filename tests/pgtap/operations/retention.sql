-- Retention policies and their application, persona by persona: only admins set and
-- apply them (audited); idle conversations go whole; others keep their latest root
-- checkpoints with what those reference; a dry run changes nothing.
begin;
select plan(11);
select tests.seed_world();

select tests.as_user('tenant_a', 'user_a1');
select throws_ok($$select threadguard.set_retention(null, 1, 1, 'x')$$, '42501', null, 'app: cannot set a retention policy');
select throws_ok($$select * from threadguard.apply_retention()$$, '42501', null, 'app: cannot apply retention');
select tests.as_support();
select throws_ok($$select * from threadguard.apply_retention()$$, '42501', null, 'support: cannot apply retention');

select tests.as_superuser();
update threadguard.conversations set updated_at = now() - interval '10 days' where id = tests.id('thread_b1');

select tests.as_admin();
select throws_ok($$select threadguard.set_retention(null, 1, 1, null)$$, '22004', null, 'admin: a policy needs a reason');
select lives_ok($$select threadguard.set_retention(null, null, 1, 'default: keep the latest checkpoint')$$, 'admin: sets the default');
select lives_ok(format($$select threadguard.set_retention(%L, 5, null, 'tenant B: 5 idle days')$$, tests.id('tenant_b')), 'admin: sets tenant B''s own');
select results_eq($$select scanned, conversations, checkpoints from threadguard.apply_retention(500, null, true)$$,
    $$values (3::bigint, 1::bigint, 5::bigint)$$, 'admin: a dry run counts B''s idle conversation (2 checkpoints) and A1''s and A2''s older ones (2 and 1)');
select results_eq($$select next_after is not null, conversations, checkpoints from threadguard.apply_retention(500, null, false)$$,
    $$values (true, 1::bigint, 5::bigint)$$, 'admin: applies the same');
select results_eq($$select scanned, conversations, checkpoints from threadguard.apply_retention(500, null, false)$$,
    $$values (2::bigint, 0::bigint, 0::bigint)$$, 'admin: a second run finds nothing more');
select results_eq($$select action, row_count from threadguard.audit_log order by id$$,
    $$values ('set_retention', 1::bigint), ('set_retention', 1::bigint), ('retention', 15::bigint)$$,
    'admin: setting policies and applying them are audited; dry runs and empty runs are not');

select tests.as_superuser();
select results_eq($$select thread_id, checkpoint_id from public.checkpoints where threadguard_tenant_id is not null order by 1, 2$$,
    format($$values (%L, 'seed-2'), (%L, 'seed-2')$$, tests.t('thread_a1'), tests.t('thread_a2')),
    'superuser: A1 and A2 keep their latest root checkpoint; B''s idle conversation is gone');
select * from finish();
rollback;
