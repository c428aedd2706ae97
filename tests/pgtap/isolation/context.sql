-- The tenant context: what threadguard.current_tenant_id()/current_user_id() and the
-- threadguard.context view (what the policies read) make of each possible setting.
-- Anything but a canonical uuid is null, never an error; the functions and the view agree.
begin;
select plan(37);

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

select tests.as_malformed();
select is(threadguard.current_tenant_id(), null, 'malformed tenant: null, not an error');
select is(threadguard.current_user_id(), null, 'truncated user uuid: null');
select pg_temp.agrees('malformed');

select tests._become('00000000-0000-0000-0000-000000000000', '00000000-0000-0000-0000-000000000000');
select is(threadguard.current_tenant_id(), null, 'the nil uuid is not a tenant');
select pg_temp.agrees('nil');
select tests._become(' aaaaaaaa-0000-4000-8000-000000000000', 'aaaaaaaa-0000-4000-8000-00000000000 ');
select is(threadguard.current_tenant_id(), null, 'surrounding spaces are malformed');
select pg_temp.agrees('spaces');
select tests._become('{aaaaaaaa-0000-4000-8000-000000000000}', 'aaaaaaaa00004000800000000000000000000');
select is(threadguard.current_tenant_id(), null, 'braces are malformed');
select pg_temp.agrees('braces, no hyphens');
-- uuid_in accepts a hyphen after any group of four digits: the check takes only 8-4-4-4-12.
select tests._become('aaaaaaaa-0000-4000-80000000-00000000', 'aaaaaaaa-0000-4000-8-00000000000-0000');
select is(threadguard.current_tenant_id(), null, 'a hyphen out of place is malformed (uuid_in would take it)');
select is(threadguard.current_user_id(), null, 'a hyphen out of place is malformed (uuid_in would refuse it: no error either)');
select pg_temp.agrees('misplaced hyphens');
select tests._become('AAAAAAAA-0000-4000-8000-00000000000G', 'aaaaaaaa-0000-4000-8000-00000000000g');
select is(threadguard.current_tenant_id(), null, 'a non-hex character is malformed');
select pg_temp.agrees('non-hex');

select tests._become('AAAAAAAA-0000-4000-8000-000000000000', 'A1A1A1A1-0000-4000-8000-000000000000');
select is(threadguard.current_tenant_id(), tests.id('tenant_a'), 'upper case: the same tenant');
select pg_temp.agrees('upper case');

select tests.as_user('tenant_a', 'user_a1');
select is(threadguard.current_tenant_id(), tests.id('tenant_a'), 'valid: the tenant');
select is(threadguard.current_user_id(), tests.id('user_a1'), 'valid: the user');
select pg_temp.agrees('valid');

select is(threadguard.thread_uuid(tests.t('thread_a1')), tests.id('thread_a1'), 'a canonical thread_id names its conversation');
select is(threadguard.thread_uuid(upper(tests.t('thread_a1'))), null, 'an upper-case spelling names nothing');
select is(threadguard.thread_uuid('thread-1'), null, 'a thread_id that is not a uuid names nothing, without raising');
select * from finish();
rollback;
