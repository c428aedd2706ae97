-- Rule: the catalog still holds exactly what `threadguard migrate` applied from sql/ (its
-- record in threadguard.definitions_applied against threadguard.catalog_fingerprint()): no
-- policy, trigger, rule, grant, default, function or view changed, gone, or added since.
with recorded as (
    select coalesce((select d.catalog from threadguard.definitions_applied as d), '{}'::jsonb) as catalog
), live as (
    select threadguard.catalog_fingerprint() as catalog
)
select k as object,
       case when k like 'policy %' then k || ' is missing' else k || ' is gone since threadguard migrate applied it' end as problem,
       'run `threadguard migrate`' as fix, true as repairable
  from recorded, live, jsonb_object_keys(recorded.catalog) as k
 where not live.catalog ? k
union all
select k, k || ' was changed since threadguard migrate applied it', 'run `threadguard migrate`', true
  from recorded, live, jsonb_object_keys(recorded.catalog) as k
 where live.catalog ? k and live.catalog -> k <> recorded.catalog -> k
union all
select k, k || ' is not threadguard''s: it runs with, or opens, the rows of every tenant',
       'drop it (`threadguard migrate` then finds everything as it applied it)', false
  from recorded, live, jsonb_object_keys(live.catalog) as k
 where not recorded.catalog ? k and recorded.catalog <> '{}'::jsonb
union all
select 'threadguard.definitions_applied', 'the sql/ definitions were never recorded as applied', 'run `threadguard migrate`', true
  from recorded where recorded.catalog = '{}'::jsonb
