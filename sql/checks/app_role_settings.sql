-- Rule: no role that acts as the application carries settings of its own (ALTER ROLE ... SET):
-- an application login can persist one for every future session (a search_path that reaches a
-- schema of its own, say), which no transaction of the binding resets.
with recursive members(oid) as (
    select m.member from pg_auth_members as m where m.roleid = to_regrole('threadguard_app')
    union
    select m.member from pg_auth_members as m join members on m.roleid = members.oid
)
select r.rolname::text as object,
       r.rolname || ', a member of threadguard_app, has settings of its own: ' || array_to_string(s.setconfig, ', ') as problem,
       'alter role ' || quote_ident(r.rolname)
           || case when s.setdatabase = 0 then '' else ' in database ' || quote_ident(current_database()) end || ' reset all' as fix,
       false as repairable
  from pg_roles as r join members on members.oid = r.oid
  join pg_db_role_setting as s on s.setrole = r.oid
 where s.setdatabase in (0, (select d.oid from pg_database as d where d.datname = current_database()))
