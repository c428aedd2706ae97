-- Rule: no table that looks like one of LangGraph's (checkpoint*, store*) sits outside
-- threadguard's protection: whoever may read it sees every tenant's rows.
select c.oid::regclass::text as object,
       c.oid::regclass::text || ' looks like a LangGraph table but threadguard does not protect it: any role that can read it sees every tenant''s rows' as problem,
       'drop it, or move its rows into public''s tables and adopt them' as fix, false as repairable
  from pg_class as c
 where c.relkind in ('r', 'p', 'v', 'm')
   and (c.relname like 'checkpoint%' or c.relname in ('store', 'store_migrations', 'store_vectors', 'vector_migrations'))
   and c.relnamespace <> 'pg_catalog'::regnamespace
   and c.oid <> all (array(select to_regclass(t) from unnest(array['public.checkpoints', 'public.checkpoint_blobs',
                          'public.checkpoint_writes', 'public.store', 'public.checkpoint_migrations', 'public.store_migrations']) as t
                     where to_regclass(t) is not null))
   -- partitions of the protected tables (`threadguard partition`): foreign_objects_on_langgraph_tables checks them
   and not exists (select from pg_inherits as h
                    where h.inhrelid = c.oid and c.relispartition
                      and h.inhparent = any (array(select to_regclass(t) from unnest(array['public.checkpoints',
                                             'public.checkpoint_blobs', 'public.checkpoint_writes']) as t
                                             where to_regclass(t) is not null)))
