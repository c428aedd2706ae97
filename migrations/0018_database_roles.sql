-- 0018 database roles: threadguard's five roles belong to this database alone. They are
-- marked as this database's (a comment every database of the cluster reads), CONNECT on the
-- database is taken from PUBLIC and given to them (and, by name, to the logins that could connect
-- until now), and an install made with the roles the
-- whole cluster once shared (threadguard_owner, ...) moves to this database's own: ownership,
-- grants and the memberships of the logins granted them are carried over; the shared roles
-- keep nothing here; PUBLIC may no longer create in schema public (PostgreSQL 14 let it).
-- The runner applies this file with the install's names (docs/roles.md).
-- depends: 0017_store

do $$
declare
    v_kind text;
    v_new text;
    v_old text;
    v_db text := pg_catalog.current_database();
    v_converting boolean;
    v_grant record;
    -- The names this install gets (the runner writes them here) and the shared ones of old.
    v_kinds text[] := array['owner', 'app', 'admin', 'operator', 'support'];
    v_names text[] := array['threadguard_owner', 'threadguard_app', 'threadguard_admin', 'threadguard_operator', 'threadguard_support'];
    v_olds text[] := array(select 'threadguard' || '_' || k from pg_catalog.unnest(v_kinds) as k);
begin
    select n.new_name operator(pg_catalog.<>) n.old_name
           and pg_catalog.pg_get_userbyid(s.nspowner) operator(pg_catalog.=) n.old_name
      into v_converting
      from rows from (pg_catalog.unnest(v_kinds), pg_catalog.unnest(v_names), pg_catalog.unnest(v_olds)) as n(kind, new_name, old_name), pg_catalog.pg_namespace as s
     where n.kind operator(pg_catalog.=) 'owner' and s.nspname operator(pg_catalog.=) 'threadguard';

    for v_kind, v_new, v_old in select n.kind, n.new_name, n.old_name from rows from (pg_catalog.unnest(v_kinds), pg_catalog.unnest(v_names), pg_catalog.unnest(v_olds)) as n(kind, new_name, old_name) loop
        if not exists (select from pg_catalog.pg_roles as r where r.rolname operator(pg_catalog.=) v_new) then
            execute pg_catalog.format('create role %I nologin nosuperuser nocreatedb nocreaterole noreplication nobypassrls', v_new);
        end if;
        execute pg_catalog.format('comment on role %I is %L', v_new, pg_catalog.format(
            'threadguard: the %s role of database %s, and of no other database (see docs/roles.md)', v_kind, v_db));
    end loop;

    if v_converting then
        -- Ownership first (the owner's tables and functions, the operator's functions), then
        -- every privilege the shared roles hold on this database's objects, then who is a member.
        for v_kind, v_new, v_old in select n.kind, n.new_name, n.old_name from rows from (pg_catalog.unnest(v_kinds), pg_catalog.unnest(v_names), pg_catalog.unnest(v_olds)) as n(kind, new_name, old_name) loop
            if exists (select from pg_catalog.pg_roles as r where r.rolname operator(pg_catalog.=) v_old) then
                execute pg_catalog.format('reassign owned by %I to %I', v_old, v_new);
            end if;
        end loop;
        for v_grant in
            select n.new_name, a.privilege_type, o.kind, o.name
              from rows from (pg_catalog.unnest(v_kinds), pg_catalog.unnest(v_names), pg_catalog.unnest(v_olds)) as n(kind, new_name, old_name)
              join pg_catalog.pg_roles as r on r.rolname operator(pg_catalog.=) n.old_name,
              lateral (
                  select 'table' as kind, c.oid::pg_catalog.regclass::text as name, c.relacl as acl
                    from pg_catalog.pg_class as c where c.relkind in ('r', 'p', 'v', 'm', 'f')
                  union all
                  select 'sequence', c.oid::pg_catalog.regclass::text, c.relacl from pg_catalog.pg_class as c where c.relkind operator(pg_catalog.=) 'S'
                  union all
                  select 'schema', pg_catalog.quote_ident(s.nspname), s.nspacl from pg_catalog.pg_namespace as s
                  union all
                  select 'function', p.oid::pg_catalog.regprocedure::text, p.proacl from pg_catalog.pg_proc as p
                   where p.prokind operator(pg_catalog.=) 'f'
              ) as o,
              lateral pg_catalog.aclexplode(o.acl) as a
             where a.grantee operator(pg_catalog.=) r.oid
        loop
            execute pg_catalog.format('grant %s on %s %s to %I', v_grant.privilege_type, v_grant.kind, v_grant.name, v_grant.new_name);
        end loop;
        for v_grant in
            select n.new_name, pg_catalog.quote_ident(a.attname) as column_name, c.oid::pg_catalog.regclass::text as name, x.privilege_type
              from rows from (pg_catalog.unnest(v_kinds), pg_catalog.unnest(v_names), pg_catalog.unnest(v_olds)) as n(kind, new_name, old_name)
              join pg_catalog.pg_roles as r on r.rolname operator(pg_catalog.=) n.old_name
              join pg_catalog.pg_attribute as a on a.attacl is not null
              join pg_catalog.pg_class as c on c.oid operator(pg_catalog.=) a.attrelid,
              lateral pg_catalog.aclexplode(a.attacl) as x
             where x.grantee operator(pg_catalog.=) r.oid
        loop
            execute pg_catalog.format('grant %s (%s) on table %s to %I', v_grant.privilege_type, v_grant.column_name, v_grant.name, v_grant.new_name);
        end loop;
        for v_grant in
            select n.new_name, m.member::pg_catalog.regrole::text as member
              from rows from (pg_catalog.unnest(v_kinds), pg_catalog.unnest(v_names), pg_catalog.unnest(v_olds)) as n(kind, new_name, old_name)
              join pg_catalog.pg_roles as r on r.rolname operator(pg_catalog.=) n.old_name
              join pg_catalog.pg_auth_members as m on m.roleid operator(pg_catalog.=) r.oid
             where m.member::pg_catalog.regrole::text operator(pg_catalog.<>) all (v_names)
               and m.member operator(pg_catalog.<>) (select u.oid from pg_catalog.pg_roles as u where u.rolname operator(pg_catalog.=) current_user)
        loop
            execute pg_catalog.format('grant %I to %s', v_grant.new_name, v_grant.member);
        end loop;
        -- The shared roles keep nothing in this database (their rights in others are untouched).
        for v_kind, v_new, v_old in select n.kind, n.new_name, n.old_name from rows from (pg_catalog.unnest(v_kinds), pg_catalog.unnest(v_names), pg_catalog.unnest(v_olds)) as n(kind, new_name, old_name) loop
            if exists (select from pg_catalog.pg_roles as r where r.rolname operator(pg_catalog.=) v_old) then
                execute pg_catalog.format('drop owned by %I', v_old);
            end if;
        end loop;
        execute 'alter default privileges for role threadguard_owner revoke execute on functions from public';
    end if;

    -- PostgreSQL 14 lets PUBLIC create in schema public (15 stopped): an application login could
    -- plant functions there that LangGraph's and the DBA's statements resolve. Revoked where the
    -- migrating role may (the schema's owner or a superuser); verify names it otherwise.
    revoke create on schema public from public;

    -- Only this database's roles (and its owner, and superusers) may connect to it, and the logins
    -- that could connect before: nothing that works now (a hosted service's own roles, say) breaks;
    -- a login created from now on connects only through a role of this database or a grant by name.
    if pg_catalog.has_database_privilege('public', v_db, 'CONNECT') then
        for v_new in
            select r.rolname::text from pg_catalog.pg_roles as r
             where r.rolcanlogin and not r.rolsuper
               and r.rolname::text operator(pg_catalog.<>) all (v_names)
               and pg_catalog.has_database_privilege(r.oid, v_db, 'CONNECT')
        loop
            execute pg_catalog.format('grant connect on database %I to %I', v_db, v_new);
        end loop;
    end if;
    execute pg_catalog.format('revoke connect on database %I from public', v_db);
    for v_new in select n.new_name from rows from (pg_catalog.unnest(v_kinds), pg_catalog.unnest(v_names), pg_catalog.unnest(v_olds)) as n(kind, new_name, old_name) where n.kind operator(pg_catalog.<>) 'owner' loop
        execute pg_catalog.format('grant connect on database %I to %I', v_db, v_new);
    end loop;
    execute pg_catalog.format('grant connect on database %I to %I', v_db, current_user);
end
$$;
