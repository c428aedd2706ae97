-- threadguard.catalog_fingerprint: what threadguard's definitions leave in the catalog, object
-- by object (name -> md5 of its definition): every policy, trigger, rule, grant and default on
-- the protected tables, every function and view in schema threadguard. migrate records it in
-- threadguard.definitions_applied; sql/checks/definitions_changed.sql compares the live one.

create or replace function threadguard.catalog_fingerprint()
returns jsonb
language sql
stable
-- Invoker: it reads only the catalog, as whoever asks (migrate and verify, as the owner role).
set search_path = pg_catalog, pg_temp
as $$
with protected(oid) as (
    select pg_catalog.to_regclass(t)
      from pg_catalog.unnest(array['threadguard.conversations', 'public.checkpoints', 'public.checkpoint_blobs',
                                   'public.checkpoint_writes', 'public.store', 'public.checkpoint_migrations',
                                   'public.store_migrations']) as t
     where pg_catalog.to_regclass(t) is not null
), objects(name, digest) as (
    select 'policy ' || p.polname || ' on ' || p.polrelid::pg_catalog.regclass::text,
           pg_catalog.md5(pg_catalog.concat_ws('|', p.polcmd, p.polpermissive, p.polroles::text,
                          pg_catalog.pg_get_expr(p.polqual, p.polrelid), pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid)))
      from pg_catalog.pg_policy as p join protected on protected.oid operator(pg_catalog.=) p.polrelid
    union all
    select 'trigger ' || t.tgname || ' on ' || t.tgrelid::pg_catalog.regclass::text, pg_catalog.md5(pg_catalog.pg_get_triggerdef(t.oid))
      from pg_catalog.pg_trigger as t join protected on protected.oid operator(pg_catalog.=) t.tgrelid where not t.tgisinternal
    union all
    select 'rule ' || r.rulename || ' on ' || r.ev_class::pg_catalog.regclass::text, pg_catalog.md5(pg_catalog.pg_get_ruledef(r.oid))
      from pg_catalog.pg_rewrite as r join protected on protected.oid operator(pg_catalog.=) r.ev_class
    union all
    select 'table ' || c.oid::pg_catalog.regclass::text,
           pg_catalog.md5(pg_catalog.concat_ws('|', c.relacl::text, c.relrowsecurity, c.relforcerowsecurity, c.relowner))
      from pg_catalog.pg_class as c join protected on protected.oid operator(pg_catalog.=) c.oid
    union all
    select 'column ' || a.attrelid::pg_catalog.regclass::text || '.' || a.attname,
           pg_catalog.md5(pg_catalog.concat_ws('|', a.attacl::text, pg_catalog.pg_get_expr(d.adbin, d.adrelid)))
      from pg_catalog.pg_attribute as a join protected on protected.oid operator(pg_catalog.=) a.attrelid
      left join pg_catalog.pg_attrdef as d on d.adrelid operator(pg_catalog.=) a.attrelid and d.adnum operator(pg_catalog.=) a.attnum
     where a.attnum operator(pg_catalog.>) 0 and not a.attisdropped and (a.attacl is not null or d.oid is not null)
    union all
    select 'function ' || p.oid::pg_catalog.regprocedure::text,
           pg_catalog.md5(pg_catalog.concat_ws('|', p.prosrc, p.prosecdef, p.provolatile, p.proconfig::text, p.proacl::text, p.proowner))
      from pg_catalog.pg_proc as p where p.pronamespace operator(pg_catalog.=) 'threadguard'::pg_catalog.regnamespace
    union all
    select 'view ' || c.oid::pg_catalog.regclass::text,
           pg_catalog.md5(pg_catalog.concat_ws('|', pg_catalog.pg_get_viewdef(c.oid), c.relacl::text, c.reloptions::text))
      from pg_catalog.pg_class as c
     where c.relnamespace operator(pg_catalog.=) 'threadguard'::pg_catalog.regnamespace and c.relkind operator(pg_catalog.=) 'v'
)
select coalesce(pg_catalog.jsonb_object_agg(o.name, o.digest), '{}') from objects as o
$$;

revoke all on function threadguard.catalog_fingerprint() from public;
comment on function threadguard.catalog_fingerprint() is
    'What threadguard''s definitions leave in the catalog, as {object: md5 of its definition}: policies, triggers, rules, grants and defaults of the protected tables, functions and views of schema threadguard. Recorded by migrate, compared by verify.';
