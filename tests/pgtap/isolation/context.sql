-- The tenant context: what threadguard.current_tenant_id()/current_user_id() and the
-- threadguard.context view (what the policies read) make of each possible setting.
-- Unset, empty and the nil uuid are null (no row matches); a value that is not a uuid
-- raises 22P02, so nothing is read or written with it; the functions and the view agree.
begin;
select plan(26);

create function pg_temp.agrees(p_label text) returns setof text language sql as $$
    select is((select tenant_id from threadguard.context), threadguard.current_tenant_id(),
              p_label || ': the context view and current_tenant_id() agree')
    union all
    select is((select user_id from threadguard.context), threadguard.current_user_id(),
              p_label || ': the context view and current_user_id() agree')
$$;
grant execute on function pg_temp.agrees(text) to threadguard_app;

select tests.as_unset();
select is(threadguard.current_tenant_id(), null, 'unset: no tenant');
select is(threadguard.current_user_id(), null, 'unset: no user');
select pg_temp.agrees('unset');

select tests.as_empty();
select is(threadguard.current_tenant_id(), null, 'empty: no tenant (and no error, unlike ''''::uuid)');
select pg_temp.agrees('empty');

select tests._become('00000000-0000-0000-0000-000000000000', '00000000000000000000000000000000');
select is(threadguard.current_tenant_id(), null, 'the nil uuid is not a tenant');
select is(threadguard.current_user_id(), null, 'the nil uuid without hyphens is not a user either');
select pg_temp.agrees('nil');

select tests.as_malformed();
select throws_ok('select threadguard.current_tenant_id()', '22P02', null, 'malformed tenant: raises, never a tenant');
select throws_ok('select tenant_id from threadguard.context', '22P02', null, 'malformed tenant: the view raises too');
select tests._become('aaaaaaaa-0000-4000-8000-000000000000', 'a1a1a1a1');
select throws_ok('select threadguard.current_user_id()', '22P02', null, 'truncated user uuid: raises');
select throws_ok('select user_id from threadguard.context', '22P02', null, 'truncated user uuid: the view raises too');
select tests._become('{aaaaaaaa-0000-4000-8000-000000000000}', 'A1A1A1A1-0000-4000-8000-000000000000');
select is(threadguard.current_tenant_id(), tests.id('tenant_a'), 'a spelling uuid_in takes (braces) is the same tenant');
select is(threadguard.current_user_id(), tests.id('user_a1'), 'upper case is the same user');
select pg_temp.agrees('other spellings');

select tests.as_user('tenant_a', 'user_a1');
select is(threadguard.current_tenant_id(), tests.id('tenant_a'), 'valid: the tenant');
select is(threadguard.current_user_id(), tests.id('user_a1'), 'valid: the user');
select pg_temp.agrees('valid');

select is(threadguard.thread_uuid(tests.t('thread_a1')), tests.id('thread_a1'), 'a canonical thread_id names its conversation');
select is(threadguard.thread_uuid(upper(tests.t('thread_a1'))), null, 'an upper-case spelling names nothing');
select is(threadguard.thread_uuid('thread-1'), null, 'a thread_id that is not a uuid names nothing, without raising');
select * from finish();
rollback;
