-- threadguard.context: the current tenant and user as a one-row view, what every
-- policy compares owner columns with, as one InitPlan per statement. Exactly the
-- expressions of current_tenant_id() and current_user_id() (proved to agree by
-- tests/pgtap/isolation/context.sql); a view because its stored tree is not parsed
-- again when the saver's statements are planned (bench/ATTEMPTS.md, steps 10-11).
-- A sealed database (threadguard seal) reads the verified token instead: threadguard.authenticated_identity().

create or replace view threadguard.context as
select
    nullif(cast(nullif(pg_catalog.current_setting('app.tenant_id', true), '') as pg_catalog.uuid),
           '00000000-0000-0000-0000-000000000000') as tenant_id,
    nullif(cast(nullif(pg_catalog.current_setting('app.user_id', true), '') as pg_catalog.uuid),
           '00000000-0000-0000-0000-000000000000') as user_id;
do $$
begin
    if pg_catalog.to_regclass('threadguard.token_settings') is not null then  -- 0021 applied
        if exists (select from threadguard.token_settings as s where s.sealed) then
            create or replace view threadguard.context as
            select i.tenant_id, i.user_id from threadguard.authenticated_identity() as i;
        end if;
    end if;
end
$$;
-- Invoker rights (nothing to read as the owner: it reads only settings); PostgreSQL 14 has no such option.
do $$
begin
    if pg_catalog.current_setting('server_version_num')::integer >= 150000 then
        alter view threadguard.context set (security_invoker = true);
    end if;
end
$$;

revoke all on table threadguard.context from public;
grant select on table threadguard.context to threadguard_app, threadguard_admin, threadguard_operator;
comment on view threadguard.context is
    'One row: the current transaction''s tenant_id and user_id, as threadguard.current_tenant_id() and current_user_id() return them (null when unset, empty or nil; 22P02 when not a uuid); in a sealed database, those of the verified token in app.token (threadguard.authenticated_identity()). What every policy compares owner columns with.';
comment on column threadguard.context.tenant_id is
    'threadguard.current_tenant_id(): app.tenant_id as a uuid, or null.';
comment on column threadguard.context.user_id is
    'threadguard.current_user_id(): app.user_id as a uuid, or null.';
