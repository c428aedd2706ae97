-- Rule: no subscription writes into a table under row-level security. Its apply worker writes
-- as the subscription's owner, past the policies that stamp and check each row's owner (a
-- superuser or BYPASSRLS owner), or, without BYPASSRLS, has its rows refused or invisible.
-- Columns: object, problem, fix, repairable.
select 'subscription ' || s.subname || ' into ' || r.srrelid::pg_catalog.regclass::text as object,
       pg_catalog.format('subscription %I writes into %s (row-level security) as %s, bypassing or fighting its policies',
                         s.subname, r.srrelid::pg_catalog.regclass, s.subowner::pg_catalog.regrole) as problem,
       pg_catalog.format('alter subscription %I disable; drop subscription %I (move a threadguard database as a whole, '
                         'dumped by a role with BYPASSRLS, never table by table)', s.subname, s.subname) as fix,
       false as repairable
  from pg_catalog.pg_subscription_rel as r
  join pg_catalog.pg_subscription as s on s.oid operator(pg_catalog.=) r.srsubid
  join pg_catalog.pg_class as c on c.oid operator(pg_catalog.=) r.srrelid
 where c.relrowsecurity
   and s.subdbid operator(pg_catalog.=) (select d.oid from pg_catalog.pg_database as d
                                          where d.datname operator(pg_catalog.=) pg_catalog.current_database())
 order by 1
