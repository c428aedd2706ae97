-- threadguard.context: the current tenant and user as a one-row view, for the
-- policies. It holds exactly the expressions of current_tenant_id() and
-- current_user_id() (tests/pgtap/isolation/context_bound.sql proves they agree for
-- every kind of setting). Why not call those functions from the policies:
--   * a SQL function is inlined by parsing its body again at every planning, and
--     LangGraph's DELETEs are planned again at every call (custom plans);
--   * a PL/pgSQL call costs ~30 µs per statement (bench/ATTEMPTS.md).
-- A view is expanded from its stored tree, and its columns are plain C calls in
-- the common case, so a policy's (select ... from threadguard.context) is one
-- cheap InitPlan per statement.
-- It lives with the functions because it is one, in relational form, and must
-- be created after context_uuid and before the policies (files apply in order).

create or replace view threadguard.context
    with (security_invoker = true)  -- nothing to read as the owner: it reads only settings
as
select
    case
        when pg_catalog.current_setting('app.tenant_id', true)
             operator(pg_catalog.=) pg_catalog.current_setting('threadguard.bound_tenant_id', true)
            then cast(nullif(nullif(pg_catalog.current_setting('app.tenant_id', true), ''),  -- NULLIF is syntax
                             '00000000-0000-0000-0000-000000000000') as pg_catalog.uuid)
        when pg_catalog.current_setting('app.tenant_id', true) is null  -- never set
            then null
        else threadguard.context_uuid('app.tenant_id')
    end as tenant_id,
    case
        when pg_catalog.current_setting('app.user_id', true)
             operator(pg_catalog.=) pg_catalog.current_setting('threadguard.bound_user_id', true)
            then cast(nullif(nullif(pg_catalog.current_setting('app.user_id', true), ''),
                             '00000000-0000-0000-0000-000000000000') as pg_catalog.uuid)
        when pg_catalog.current_setting('app.user_id', true) is null  -- never set
            then null
        else threadguard.context_uuid('app.user_id')
    end as user_id;

revoke all on table threadguard.context from public;
grant select on table threadguard.context to threadguard_app, threadguard_admin;
comment on view threadguard.context is
    'One row: the current tenant_id and user_id, as threadguard.current_tenant_id() and current_user_id() return them (null when unset, empty, malformed or nil). What every policy compares owner columns with.';
comment on column threadguard.context.tenant_id is
    'threadguard.current_tenant_id(): app.tenant_id as a uuid, or null.';
comment on column threadguard.context.user_id is
    'threadguard.current_user_id(): app.user_id as a uuid, or null.';
