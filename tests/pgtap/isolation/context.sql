-- The tenant context: what threadguard.current_tenant_id()/current_user_id() and
-- thread_uuid() make of each possible setting. Anything but a real uuid is null.
begin;
select plan(13);

select tests.as_unset();
select is(threadguard.current_tenant_id(), null, 'unset: no tenant');
select is(threadguard.current_user_id(), null, 'unset: no user');

select tests.as_empty();
select is(threadguard.current_tenant_id(), null, 'empty: no tenant (and no error, unlike ''''::uuid)');

select tests.as_malformed();
select is(threadguard.current_tenant_id(), null, 'malformed tenant: null, not an error');
select is(threadguard.current_user_id(), null, 'truncated user uuid: null');

select tests._become('00000000-0000-0000-0000-000000000000', '');
select is(threadguard.current_tenant_id(), null, 'the nil uuid is not a tenant');
select tests._become(' aaaaaaaa-0000-4000-8000-000000000000', '');
select is(threadguard.current_tenant_id(), null, 'surrounding spaces are malformed');
select tests._become('{aaaaaaaa-0000-4000-8000-000000000000}', '');
select is(threadguard.current_tenant_id(), null, 'braces are malformed');

select tests.as_user('tenant_a', 'user_a1');
select is(threadguard.current_tenant_id(), tests.id('tenant_a'), 'valid: the tenant');
select is(threadguard.current_user_id(), tests.id('user_a1'), 'valid: the user');

select is(threadguard.thread_uuid(tests.t('thread_a1')), tests.id('thread_a1'), 'a canonical thread_id names its conversation');
select is(threadguard.thread_uuid(upper(tests.t('thread_a1'))), null, 'an upper-case spelling names nothing');
select is(threadguard.thread_uuid('thread-1'), null, 'a thread_id that is not a uuid names nothing, without raising');
select * from finish();
rollback;
