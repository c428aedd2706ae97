-- Rule: none of threadguard's roles can log in, is a superuser or bypasses RLS, and the
-- operator role, whose policies reach every tenant, has no member at all (it is reached only
-- through its audited functions).
select r.rolname::text as object, 'role ' || r.rolname || ' is superuser or has BYPASSRLS: RLS does not bind it' as problem,
       'alter role ' || r.rolname || ' nosuperuser nobypassrls' as fix, false as repairable
  from pg_roles as r
 where r.rolname in ('threadguard_owner', 'threadguard_app', 'threadguard_admin', 'threadguard_operator', 'threadguard_support')
   and (r.rolsuper or r.rolbypassrls)
union all
select r.rolname::text, 'role ' || r.rolname || ' can log in', 'alter role ' || r.rolname || ' nologin', false
  from pg_roles as r
 where r.rolname in ('threadguard_owner', 'threadguard_app', 'threadguard_admin', 'threadguard_operator', 'threadguard_support')
   and r.rolcanlogin
union all
select m.member::regrole::text, m.member::regrole::text || ' is a member of threadguard_operator, whose policies reach every tenant',
       'revoke threadguard_operator from ' || m.member::regrole::text, false
  from pg_auth_members as m
 where m.roleid = to_regrole('threadguard_operator')
   -- PostgreSQL 16+ records its creator's ADMIN-only membership, which lends nothing.
   and (coalesce((to_jsonb(m) ->> 'inherit_option')::boolean, true) or coalesce((to_jsonb(m) ->> 'set_option')::boolean, true))
