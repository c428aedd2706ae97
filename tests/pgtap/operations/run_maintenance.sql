-- threadguard.run_maintenance: the scheduled operations. Only threadguard_admin may call it
-- (it is an invoker procedure: its rights are its caller's), and it commits batch by batch, so
-- it runs only as a statement of its own (pg_cron's way), never inside a transaction.
begin;
select plan(5);
select tests.seed_world();

select tests.as_user('tenant_a', 'user_a1');
select throws_ok('call threadguard.run_maintenance()', '42501', null, 'app: cannot call run_maintenance');
select tests.as_support();
select throws_ok('call threadguard.run_maintenance()', '42501', null, 'support: cannot call run_maintenance');
select tests.as_admin();
select throws_ok('call threadguard.run_maintenance(0)', '22023', null, 'admin: a batch of 0 is refused');
select throws_ok('call threadguard.run_maintenance()', '2D000', null,
    'admin: may call it, and it refuses to run inside a transaction (it commits as it goes)');
select tests.as_superuser();
select is((select p.prosecdef or p.proconfig is not null from pg_proc p where p.oid = 'threadguard.run_maintenance(integer, integer)'::regprocedure),
    false, 'an invoker procedure with no settings of its own (a definer could not commit)');
select * from finish();
rollback;
