-- Rule: nothing in the schemas LangGraph's and the application's unqualified names resolve in
-- (public, and any schema named after a role) was made by a role that is not trusted there: a
-- function, aggregate, operator, type or cast planted in public by an application login (through
-- an old grant or a migration window) runs inside every tenant's queries and the DBA's. Trusted:
-- superusers, the database's owner, threadguard's owner role, and extensions' own objects.
with trusted(oid) as (
    select r.oid from pg_roles as r where r.rolsuper
    union select d.datdba from pg_database as d where d.datname = current_database()
    union select to_regrole('threadguard_owner') where to_regrole('threadguard_owner') is not null
), searched(oid) as (
    select n.oid from pg_namespace as n
     where n.nspname = 'public' or exists (select from pg_roles as r where r.rolname = n.nspname and not r.rolsuper)
), planted(kind, name, owner, fix, oid, classid) as (
    select case p.prokind when 'a' then 'aggregate' when 'p' then 'procedure' else 'function' end,
           p.oid::regprocedure::text, p.proowner,
           'drop ' || case p.prokind when 'a' then 'aggregate' when 'p' then 'procedure' else 'function' end
               || ' ' || p.oid::regprocedure::text,
           p.oid, 'pg_proc'::regclass
      from pg_proc as p where p.pronamespace in (select oid from searched)
    union all
    select 'operator', o.oid::regoperator::text, o.oprowner, 'drop operator ' || o.oid::regoperator::text, o.oid, 'pg_operator'::regclass
      from pg_operator as o where o.oprnamespace in (select oid from searched)
    union all
    select 'type', t.oid::regtype::text, t.typowner, 'drop type ' || t.oid::regtype::text, t.oid, 'pg_type'::regclass
      from pg_type as t
     where t.typnamespace in (select oid from searched) and t.typrelid = 0 and t.typelem = 0
    union all
    select 'cast', format('(%s as %s)', c.castsource::regtype, c.casttarget::regtype),
           coalesce((select p.proowner from pg_proc as p where p.oid = c.castfunc), 0),
           format('drop cast (%s as %s)', c.castsource::regtype, c.casttarget::regtype), c.oid, 'pg_cast'::regclass
      from pg_cast as c where c.oid >= 16384
)
select p.kind || ' ' || p.name as object,
       p.kind || ' ' || p.name || ' is owned by ' || coalesce(pg_get_userbyid(p.owner), '?')
       || ', which is not trusted to put code where LangGraph''s and threadguard''s unqualified names resolve' as problem,
       p.fix || ' (or, if it is yours, alter its owner to the database''s owner)' as fix, false as repairable
  from planted as p
 where p.owner not in (select oid from trusted)
   and not exists (select from pg_depend as d where d.classid = p.classid and d.objid = p.oid and d.deptype = 'e')
