-- Rule: the application's role has no TRUNCATE (it ignores RLS), REFERENCES or TRIGGER on a
-- protected table.
select t || ' ' || p as object, 'threadguard_app has ' || p || ' on ' || t as problem,
       'run `threadguard migrate`' as fix, true as repairable
  from unnest(array['threadguard.conversations', 'public.checkpoints', 'public.checkpoint_blobs',
                    'public.checkpoint_writes', 'public.store']) as t,
       unnest(array['TRUNCATE', 'REFERENCES', 'TRIGGER']) as p
 where to_regclass(t) is not null and to_regrole('threadguard_app') is not null
   and has_table_privilege('threadguard_app', t, p)
