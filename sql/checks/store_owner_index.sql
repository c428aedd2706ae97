-- Rule: public.store has store_owner_idx, without which every get reads its whole namespace and
-- every search the whole store (the policies compare prefix collate "C" ranges).
select 'public.store_owner_idx' as object,
       'public.store lacks store_owner_idx, without which every get reads its whole namespace and every search the whole store' as problem,
       'create index store_owner_idx on public.store (prefix collate "C")' as fix, false as repairable
 where to_regclass('public.store') is not null and to_regclass('public.store_owner_idx') is null
