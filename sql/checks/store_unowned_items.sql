-- scans: data
-- Rule: every store item is in a namespace someone owns (tenant_id.user_id.* or tenant_id.shared.*);
-- others are invisible to every identity until given an owner. The pattern is tested once per
-- distinct owner part (74 characters), not once per row.
with o as materialized (
    select left(s.prefix, 74) as owner, count(*) as n from public.store as s group by 1
), nobodys as (
    select coalesce(sum(o.n), 0) as n from o
     where not o.owner ~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}[.]([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|shared)[.]'
)
select 'public.store' as object,
       nobodys.n || ' item(s) of public.store are outside the namespace convention (tenant_id, user_id or ''shared'', ...): no identity can read them' as problem,
       'give them an owner with threadguard.assign_store_items' as fix, false as repairable
  from nobodys where nobodys.n > 0
