-- Rule: no publication ships a table under row-level security unknown to the DBA. A
-- subscriber's initial copy reads the table as the role it connects with: without BYPASSRLS
-- (or superuser) it copies no row of a FORCE RLS table, is marked ready and streams later
-- changes, so the copy is silently incomplete; with it, every tenant's rows leave the database.
-- Columns: object, problem, fix, repairable. Every publication kind counts (FOR ALL TABLES,
-- FOR TABLES IN SCHEMA, explicit lists): pg_publication_tables resolves them.
select 'publication ' || p.pubname || ' of ' || p.schemaname || '.' || p.tablename as object,
       pg_catalog.format('publication %I ships every tenant''s rows of %I.%I (row-level security); a subscriber connecting '
                         'as a role without BYPASSRLS copies none of them and reports success%s',
                         p.pubname, p.schemaname, p.tablename,
                         coalesce('; replication logins here without BYPASSRLS: ' || (
                             select pg_catalog.string_agg(r.rolname, ', ' order by r.rolname)
                               from pg_catalog.pg_roles as r
                              where r.rolreplication and r.rolcanlogin and not r.rolbypassrls and not r.rolsuper), '')) as problem,
       pg_catalog.format('subscribe only as a role with BYPASSRLS and compare row counts per table after the copy, '
                         'or stop shipping it: alter publication %I drop table %I.%I',
                         p.pubname, p.schemaname, p.tablename) as fix,
       false as repairable
  from pg_catalog.pg_publication_tables as p
  join pg_catalog.pg_class as c
    on c.oid operator(pg_catalog.=) pg_catalog.format('%I.%I', p.schemaname, p.tablename)::pg_catalog.regclass
 where c.relrowsecurity
 order by 1
