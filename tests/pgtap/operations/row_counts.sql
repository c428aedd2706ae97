-- threadguard.row_counts: the restore proof. Only threadguard_admin runs it; it counts every
-- tenant's rows per table (and the rows nobody owns), needs a reason and is audited.
begin;
select plan(6);
select tests.seed_world();

select tests.as_user('tenant_a', 'user_a1');
select throws_ok($$select * from threadguard.row_counts('x')$$, '42501', null, 'app: cannot execute row_counts');
select tests.as_support();
select throws_ok($$select * from threadguard.row_counts('x')$$, '42501', null, 'support: cannot execute row_counts');

select tests.as_admin();
select throws_ok($$select * from threadguard.row_counts(' ')$$, '22004', null, 'admin: row_counts needs a reason');
select results_eq($$select table_name, tenant_id, row_count from threadguard.row_counts('restore drill')$$,
    format($$values ('public.checkpoint_blobs', %1$L::uuid, 4::bigint), ('public.checkpoint_blobs', %2$L::uuid, 2::bigint),
                    ('public.checkpoint_writes', %1$L::uuid, 4::bigint), ('public.checkpoint_writes', %2$L::uuid, 2::bigint),
                    ('public.checkpoints', null::uuid, 1::bigint), ('public.checkpoints', %1$L::uuid, 4::bigint),
                    ('public.checkpoints', %2$L::uuid, 2::bigint),
                    ('threadguard.conversations', %1$L::uuid, 2::bigint), ('threadguard.conversations', %2$L::uuid, 1::bigint)$$,
           tests.id('tenant_a'), tests.id('tenant_b')),
    'admin: every tenant''s rows per table, the unowned pre-adoption checkpoint as tenant null');
select tests.as_superuser();
select is((select count(*)::int from threadguard.audit_log where action = 'row_counts' and reason = 'restore drill'), 1,
    'the call is in the audit log');
select is((select detail ->> 'lines' from threadguard.audit_log where action = 'row_counts'), '9', 'with how many lines it returned');
select * from finish();
rollback;
