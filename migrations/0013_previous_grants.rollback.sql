-- Rollback of 0013 previous grants: gives back every grant the adopted tables had
-- before adoption (to roles that still exist, other than their previous owner, who
-- gets the tables back with 0003's rollback), then forgets them.

do $$
declare
    v_grant record;
begin
    for v_grant in
        select l.table_name, a.privilege_type, a.grantee, a.is_grantable
        from threadguard.langgraph_tables as l,
             lateral pg_catalog.aclexplode(l.previous_acl) as a
        where l.previous_acl is not null
          and (a.grantee operator(pg_catalog.=) 0
               or exists (select from pg_catalog.pg_roles as r where r.oid operator(pg_catalog.=) a.grantee))
          and a.grantee operator(pg_catalog.<>) coalesce(
                (select r.oid from pg_catalog.pg_roles as r where r.rolname operator(pg_catalog.=) l.previous_owner), 0)
    loop
        execute pg_catalog.format('grant %s on table public.%I to %s%s', v_grant.privilege_type, v_grant.table_name,
            case when v_grant.grantee operator(pg_catalog.=) 0 then 'public'
                 else pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(v_grant.grantee)) end,
            case when v_grant.is_grantable then ' with grant option' else '' end);
    end loop;
end
$$;
alter table threadguard.langgraph_tables drop column previous_acl;
