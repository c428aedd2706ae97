-- Rule: every role that reads every tenant's rows is one the DBA knows of. A role with
-- BYPASSRLS ignores every policy; listed here are those that can reach this database (CONNECT
-- here, or a member that has it can SET ROLE to them), other than the database's owner (the
-- administrator) and superusers. threadguard's own roles are role_attributes' business.
-- Columns: object, problem, fix, repairable.
with db as (
    select d.datdba from pg_catalog.pg_database as d where d.datname operator(pg_catalog.=) pg_catalog.current_database()
)
select r.rolname::text as object,
       pg_catalog.format('role %I has BYPASSRLS: it reads and writes every tenant''s rows, policies ignored%s', r.rolname,
                         case when r.rolcanlogin then '' else ' (and so does every member that sets it)' end) as problem,
       pg_catalog.format('alter role %I nobypassrls, or keep it knowingly (it is who can dump every tenant''s rows)', r.rolname) as fix,
       false as repairable
  from pg_catalog.pg_roles as r, db
 where r.rolbypassrls and not r.rolsuper
   and r.oid operator(pg_catalog.<>) db.datdba
   and r.rolname not in ('threadguard_owner', 'threadguard_app', 'threadguard_admin', 'threadguard_operator', 'threadguard_support')
   and (pg_catalog.has_database_privilege(r.oid, pg_catalog.current_database(), 'CONNECT')
        or exists (select from pg_catalog.pg_auth_members as m
                    where m.roleid operator(pg_catalog.=) r.oid
                      and pg_catalog.has_database_privilege(m.member, pg_catalog.current_database(), 'CONNECT')))
 order by 1
