-- threadguard.current_tenant_id: the tenant of the current transaction, from app.tenant_id.
-- Column defaults and API functions read it through this; policies read the same
-- expression through the threadguard.context view (sql/functions/context_view.sql).
-- Inlinable SQL, a handful of C calls: every policy and default pays for its nodes
-- at every execution (bench/ATTEMPTS.md, step 22).

create or replace function threadguard.current_tenant_id()
returns uuid
language sql
stable
parallel safe
as $$
    select nullif(cast(nullif(pg_catalog.current_setting('app.tenant_id', true), '') as pg_catalog.uuid),
                  '00000000-0000-0000-0000-000000000000')
$$;

revoke all on function threadguard.current_tenant_id() from public;
grant execute on function threadguard.current_tenant_id() to threadguard_app, threadguard_admin;
comment on function threadguard.current_tenant_id() is
    'The tenant of the current transaction (setting app.tenant_id) as a uuid; null when it is unset, empty or the nil uuid. A value that is not a uuid raises 22P02 (invalid_text_representation): nothing is read or written with it.';
