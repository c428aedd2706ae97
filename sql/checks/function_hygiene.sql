-- Rule: PUBLIC executes no threadguard function, and every SECURITY DEFINER one pins
-- search_path = pg_catalog, pg_temp (else a caller's schema decides what it runs).
select p.oid::regprocedure::text as object, 'PUBLIC may execute ' || p.oid::regprocedure::text as problem,
       'run `threadguard migrate`' as fix, true as repairable
  from pg_proc as p
 where p.pronamespace = 'threadguard'::regnamespace and has_function_privilege('public', p.oid, 'execute')
union all
select p.oid::regprocedure::text, 'security definer function ' || p.oid::regprocedure::text || ' does not pin search_path',
       'run `threadguard migrate`', true
  from pg_proc as p
 where p.pronamespace = 'threadguard'::regnamespace and p.prosecdef
   and not coalesce(p.proconfig @> array['search_path=pg_catalog, pg_temp'], false)
