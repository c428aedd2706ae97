-- 0001 roles: the three NOLOGIN roles threadguard is built around.
-- Roles are cluster-wide and several databases may share them, so they are
-- created only when missing, and their attributes are forced to least privilege.

do $$
declare
    v_role text;
begin
    foreach v_role in array array['threadguard_owner', 'threadguard_app', 'threadguard_admin'] loop
        if not exists (select 1 from pg_catalog.pg_roles where rolname = v_role) then
            execute format(
                'create role %I nologin nosuperuser nocreatedb nocreaterole noreplication nobypassrls',
                v_role);
        elsif exists (
            select 1 from pg_catalog.pg_roles
            where rolname = v_role
              and (rolsuper or rolbypassrls or rolcanlogin or rolcreaterole or rolcreatedb or rolreplication)
        ) then
            -- A pre-existing role with more power than threadguard assumes would
            -- silently defeat row-level security: take the extra power away.
            execute format(
                'alter role %I nologin nosuperuser nocreatedb nocreaterole noreplication nobypassrls',
                v_role);
        end if;
    end loop;
end
$$;

comment on role threadguard_owner is
    'threadguard: owns every threadguard object and the LangGraph checkpoint tables. NOLOGIN; subject to RLS (tables are FORCEd).';
comment on role threadguard_app is
    'threadguard: runtime group role. Grant it to the application''s login role; it sees only the rows of the tenant and user in app.tenant_id / app.user_id.';
comment on role threadguard_admin is
    'threadguard: maintenance across tenants through dedicated functions. NOLOGIN; no direct table access.';
