-- Rule: no login is a member of threadguard_owner, which owns the protected tables and may turn
-- their row-level security off. (The administrator is one only inside migrate's and verify's
-- own transactions: memberships this transaction granted are not findings.)
with recursive members(oid) as (
    select m.member from pg_auth_members as m
     where m.roleid = to_regrole('threadguard_owner')
       and m.xmin is distinct from pg_current_xact_id_if_assigned()::xid
       and (coalesce((to_jsonb(m) ->> 'inherit_option')::boolean, true) or coalesce((to_jsonb(m) ->> 'set_option')::boolean, true))
    union
    select m.member from pg_auth_members as m join members on m.roleid = members.oid
     where (coalesce((to_jsonb(m) ->> 'inherit_option')::boolean, true) or coalesce((to_jsonb(m) ->> 'set_option')::boolean, true))
)
select r.rolname::text as object,
       r.rolname || ' can log in and is a member of threadguard_owner, which owns the protected tables and may turn their row-level security off' as problem,
       'revoke threadguard_owner from ' || quote_ident(r.rolname) as fix, false as repairable
  from pg_roles as r join members on members.oid = r.oid
 where r.rolcanlogin
