-- Rule: every protected table exists, has row-level security enabled and forced, and is owned
-- by the owner role (an owner outside it, or RLS off, lets its rows out unfiltered).
with protected(name) as (
    values ('threadguard.conversations'), ('public.checkpoints'), ('public.checkpoint_blobs'),
           ('public.checkpoint_writes'), ('public.store')
)
select p.name as object, p.name || ' does not exist' as problem, 'run `threadguard migrate`' as fix, false as repairable
  from protected as p where to_regclass(p.name) is null
union all
select p.name, 'row-level security is disabled on ' || p.name, 'run `threadguard migrate`', true
  from protected as p join pg_class as c on c.oid = to_regclass(p.name) where not c.relrowsecurity
union all
select p.name, 'row-level security is not forced on ' || p.name, 'run `threadguard migrate`', true
  from protected as p join pg_class as c on c.oid = to_regclass(p.name) where not c.relforcerowsecurity
union all
select p.name, p.name || ' is owned by ' || pg_get_userbyid(c.relowner) || ', not threadguard_owner',
       'alter table ' || p.name || ' owner to threadguard_owner', false
  from protected as p join pg_class as c on c.oid = to_regclass(p.name)
 where pg_get_userbyid(c.relowner) <> 'threadguard_owner'
