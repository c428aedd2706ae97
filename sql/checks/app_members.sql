-- Rule: no role that acts as the application (a member, directly or not, of threadguard_app)
-- escapes RLS or can create anything: a superuser or BYPASSRLS member reads every tenant, and
-- one that creates (a schema, an object in any schema, a temporary table) can plant code that
-- the DBA's commands or other tenants' queries behind a pooler would run.
with recursive members(oid) as (
    select m.member from pg_auth_members as m
     where m.roleid = to_regrole('threadguard_app')
       and (coalesce((to_jsonb(m) ->> 'inherit_option')::boolean, true) or coalesce((to_jsonb(m) ->> 'set_option')::boolean, true))
    union
    select m.member from pg_auth_members as m join members on m.roleid = members.oid
     where (coalesce((to_jsonb(m) ->> 'inherit_option')::boolean, true) or coalesce((to_jsonb(m) ->> 'set_option')::boolean, true))
)
select r.rolname::text as object, r.rolname || ', a member of threadguard_app, ' || v.problem as problem,
       'revoke it: the application''s role creates nothing' as fix, false as repairable
  from pg_roles as r join members on members.oid = r.oid,
       lateral (values
         (case when r.rolsuper then 'is a superuser: RLS does not bind it' end),
         (case when r.rolbypassrls then 'has BYPASSRLS: RLS does not bind it' end),
         (case when has_database_privilege(r.oid, current_database(), 'CREATE') then 'may create schemas in this database' end),
         (case when has_database_privilege(r.oid, current_database(), 'TEMP')
               then 'may create temporary tables, which shadow LangGraph''s tables for later clients of its server session' end),
         ((select 'may create objects in schema ' || string_agg(n.nspname::text, ', ' order by n.nspname)
             from pg_namespace as n where has_schema_privilege(r.oid, n.oid, 'CREATE'))),
         (case when r.oid = (select d.datdba from pg_database as d where d.datname = current_database()) then 'owns this database' end),
         (case when r.oid = (select n.nspowner from pg_namespace as n where n.nspname = 'public') then 'owns schema public' end),
         (case when exists (select from pg_namespace as n where n.nspname = r.rolname)
               then 'has a schema of its name, which "$user" puts first on its search path' end)
       ) as v(problem)
 where v.problem is not null
