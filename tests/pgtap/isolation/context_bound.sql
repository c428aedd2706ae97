-- The context as threadguard's binding sets it: threadguard.bound_* equal to
-- app.* lets current_tenant_id()/current_user_id() and the threadguard.context
-- view (what the policies read) skip the character checks. Both must give
-- exactly what the full check gives, for every kind of setting, and a forged
-- marker must end in an error, never in rows.
begin;
select plan(28);
select tests.seed_world();

create function pg_temp.agrees(p_label text) returns setof text language sql as $$
    select is((select tenant_id from threadguard.context), threadguard.current_tenant_id(),
              p_label || ': the context view and current_tenant_id() agree')
    union all
    select is((select user_id from threadguard.context), threadguard.current_user_id(),
              p_label || ': the context view and current_user_id() agree')
$$;
create function pg_temp.mark(p_tenant text, p_user text) returns void language sql as $$
    select null::void from (select pg_catalog.set_config('threadguard.bound_tenant_id', p_tenant, true),
                                   pg_catalog.set_config('threadguard.bound_user_id', p_user, true)) as s
$$;
grant execute on function pg_temp.agrees(text), pg_temp.mark(text, text) to threadguard_app;

select tests.as_unset();
select pg_temp.agrees('unset');
select is((select tenant_id from threadguard.context), null, 'unset: no tenant');

select tests.as_empty();
select pg_temp.agrees('empty');
select tests.as_malformed();
select pg_temp.agrees('malformed');
select is((select user_id from threadguard.context), null, 'malformed: no user');

select tests.as_user('tenant_a', 'user_a1');
select pg_temp.agrees('valid, set by hand');

select tests.as_bound_user('tenant_a', 'user_a1');
select pg_temp.agrees('valid, bound');
select is((select tenant_id from threadguard.context), tests.id('tenant_a'), 'bound: the tenant');
select is((select user_id from threadguard.context), tests.id('user_a1'), 'bound: the user');
select results_eq('select * from tests.row_counts(''checkpoints'')',
    format('values (%L, 2::bigint)', tests.t('thread_a1')), 'bound A1: sees exactly its own checkpoints');

-- What the binding sends to clear a connection: '' for both settings.
select tests._become('', '');
select pg_temp.mark('', '');
select pg_temp.agrees('cleared by the binding');
select is((select tenant_id from threadguard.context), null, 'cleared by the binding: no tenant');
select is_empty('select * from public.checkpoints', 'cleared by the binding: sees nothing');

-- The nil uuid is nobody, however it was set.
select tests._become('00000000-0000-0000-0000-000000000000', '00000000-0000-0000-0000-000000000000');
select pg_temp.mark('00000000-0000-0000-0000-000000000000', '00000000-0000-0000-0000-000000000000');
select pg_temp.agrees('nil, bound');
select is((select tenant_id from threadguard.context), null, 'nil, bound: no tenant');

-- A stale marker (the binding set it for another value) is ignored.
select tests.as_user('tenant_b', 'user_b1');
select pg_temp.mark(tests.t('tenant_a'), tests.t('user_b1'));
select pg_temp.agrees('stale marker');
select is((select tenant_id from threadguard.context), tests.id('tenant_b'), 'stale marker: the setting wins');

-- A forged marker over a malformed value: an error, never rows.
select tests._become('not-a-uuid', 'not-a-uuid');
select pg_temp.mark('not-a-uuid', 'not-a-uuid');
select throws_ok('select threadguard.current_tenant_id()', '22P02', null, 'forged marker: current_tenant_id() raises');
select throws_ok('select * from public.checkpoints', '22P02', null, 'forged marker: reading raises instead of returning rows');
select throws_ok(tests.insert_sql('checkpoints', tests.t('thread_a1'), 'forged'), '22P02', null, 'forged marker: writing raises');

select * from finish();
rollback;
