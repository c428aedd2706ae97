-- Rule: nothing on LangGraph's tables runs code or grants access that neither LangGraph's
-- setup() nor threadguard made. A CHECK constraint, trigger, rule, default, index, policy,
-- column grant, extra column, child table (or a partition open to direct reads) or publication left by whoever owned the tables
-- runs (or reads) with the rights of every later writer, the administrator's included.
-- Migrate refuses to adopt the tables while this returns rows; verify reports them always.
-- Columns: object, problem, fix (the statement that removes it, run as the tables' owner), repairable.
-- Roles are named as written (threadguard_operator); the runner names the install's own.

with tables as (
    select c.oid, c.relname::text as name, c.oid::pg_catalog.regclass::text as qualified
      from pg_catalog.pg_class as c
     where c.relnamespace operator(pg_catalog.=) 'public'::pg_catalog.regnamespace
       and c.relname operator(pg_catalog.=) any (array['checkpoints', 'checkpoint_blobs', 'checkpoint_writes',
                                                       'checkpoint_migrations', 'store', 'store_migrations'])
),
-- Every column LangGraph 3.2 (checkpoint schema 9, store schema 3) creates, and threadguard's two stamps.
known_columns(name) as (
    values ('thread_id'), ('checkpoint_ns'), ('checkpoint_id'), ('parent_checkpoint_id'), ('type'), ('checkpoint'),
           ('metadata'), ('channel'), ('version'), ('blob'), ('task_id'), ('idx'), ('task_path'), ('v'), ('prefix'),
           ('key'), ('value'), ('created_at'), ('updated_at'), ('expires_at'), ('ttl_minutes'),
           ('threadguard_tenant_id'), ('threadguard_user_id')
),
-- The defaults they set, as pg_get_expr prints them.
known_defaults(name, expression) as (
    values ('checkpoint_ns', '''''::text'), ('metadata', '''{}''::jsonb'), ('task_path', '''''::text'),
           ('created_at', 'CURRENT_TIMESTAMP'), ('updated_at', 'CURRENT_TIMESTAMP'),
           ('threadguard_tenant_id', 'threadguard.current_tenant_id()'), ('threadguard_user_id', 'threadguard.current_user_id()')
),
-- Their indexes, by table and what follows USING in the index's definition.
known_indexes(name, definition) as (
    values ('checkpoints', 'btree (thread_id)'), ('checkpoint_blobs', 'btree (thread_id)'),
           ('checkpoint_writes', 'btree (thread_id)'), ('store', 'btree (prefix text_pattern_ops)'),
           ('store', 'btree (expires_at) WHERE (expires_at IS NOT NULL)'), ('store', 'btree (prefix COLLATE "C")')
)
select 'constraint ' || k.conname || ' on ' || t.qualified as object,
       'a ' || case k.contype when 'c' then 'CHECK' when 'f' then 'FOREIGN KEY' when 'u' then 'UNIQUE'
                              when 'x' then 'EXCLUDE' else 'constraint trigger' end
            || ' constraint LangGraph does not make: ' || pg_catalog.pg_get_constraintdef(k.oid) as problem,
       pg_catalog.format('alter table %s drop constraint %I', t.qualified, k.conname) as fix, false as repairable
  from tables as t join pg_catalog.pg_constraint as k on k.conrelid operator(pg_catalog.=) t.oid
 where k.contype operator(pg_catalog.<>) all (array['p', 'n']::"char"[])
   and not (k.contype operator(pg_catalog.=) 'f' and k.conname operator(pg_catalog.=) (t.name || '_thread_owner_fkey')
            and k.confrelid operator(pg_catalog.=) pg_catalog.to_regclass('threadguard.conversations'))
union all
select 'trigger ' || g.tgname || ' on ' || t.qualified,
       'a trigger LangGraph does not make, running ' || g.tgfoid::pg_catalog.regprocedure::text || ' for every writer',
       pg_catalog.format('drop trigger %I on %s', g.tgname, t.qualified), false
  from tables as t join pg_catalog.pg_trigger as g on g.tgrelid operator(pg_catalog.=) t.oid
 where not g.tgisinternal
   and not (g.tgname operator(pg_catalog.=) 'checkpoints_touch_conversation'
            and g.tgfoid operator(pg_catalog.=) pg_catalog.to_regprocedure('threadguard.touch_conversation()'))
union all
select 'rule ' || r.rulename || ' on ' || t.qualified, 'a rule rewrites statements on the table',
       pg_catalog.format('drop rule %I on %s', r.rulename, t.qualified), false
  from tables as t join pg_catalog.pg_rewrite as r on r.ev_class operator(pg_catalog.=) t.oid
union all
select 'column ' || t.qualified || '.' || a.attname, 'a column LangGraph does not make (its default or generation runs for every writer)',
       pg_catalog.format('alter table %s drop column %I  -- after saving what it holds', t.qualified, a.attname), false
  from tables as t join pg_catalog.pg_attribute as a on a.attrelid operator(pg_catalog.=) t.oid
 where a.attnum operator(pg_catalog.>) 0 and not a.attisdropped
   and a.attname::text operator(pg_catalog.<>) all (array(select k.name from known_columns as k))
union all
select 'default of ' || t.qualified || '.' || a.attname, 'a default LangGraph does not set: ' || pg_catalog.pg_get_expr(d.adbin, d.adrelid),
       pg_catalog.format('alter table %s alter column %I drop default', t.qualified, a.attname), false
  from tables as t join pg_catalog.pg_attrdef as d on d.adrelid operator(pg_catalog.=) t.oid
  join pg_catalog.pg_attribute as a on a.attrelid operator(pg_catalog.=) d.adrelid and a.attnum operator(pg_catalog.=) d.adnum
 where a.attname::text operator(pg_catalog.=) any (array(select k.name from known_columns as k))
   and (a.attname::text, pg_catalog.pg_get_expr(d.adbin, d.adrelid)) not in (select k.name, k.expression from known_defaults as k)
union all
select 'index ' || i.indexrelid::pg_catalog.regclass::text, 'an index LangGraph does not make (its expressions and operators run for every writer)',
       pg_catalog.format('drop index %s', i.indexrelid::pg_catalog.regclass::text), false
  from tables as t join pg_catalog.pg_index as i on i.indrelid operator(pg_catalog.=) t.oid
 where not i.indisprimary
   and (t.name, pg_catalog.substring(pg_catalog.pg_get_indexdef(i.indexrelid), ' USING (.*)$'))
       not in (select k.name, k.definition from known_indexes as k)
union all
select 'policy ' || p.polname || ' on ' || t.qualified, 'a policy threadguard did not create',
       pg_catalog.format('drop policy %I on %s', p.polname, t.qualified), false
  from tables as t join pg_catalog.pg_class as c on c.oid operator(pg_catalog.=) t.oid
  join pg_catalog.pg_policy as p on p.polrelid operator(pg_catalog.=) t.oid
 where c.relowner is distinct from (select n.nspowner from pg_catalog.pg_namespace as n
                                      where n.nspname operator(pg_catalog.=) 'threadguard')
union all
select 'grant on column ' || t.qualified || '.' || a.attname, 'column privileges of ' || x.grantee::pg_catalog.regrole::text
       || ', which survive revoking the table''s',
       pg_catalog.format('revoke all (%I) on %s from %s', a.attname, t.qualified, x.grantee::pg_catalog.regrole::text), false
  from tables as t join pg_catalog.pg_attribute as a on a.attrelid operator(pg_catalog.=) t.oid and a.attacl is not null,
       lateral pg_catalog.aclexplode(a.attacl) as x
 where x.grantee operator(pg_catalog.<>) 0
   and not (a.attname operator(pg_catalog.=) any (array['threadguard_tenant_id', 'threadguard_user_id']::name[])
            and x.grantee::pg_catalog.regrole::text operator(pg_catalog.=) 'threadguard_operator'
            and x.privilege_type operator(pg_catalog.=) 'UPDATE')  -- adoption's stamps (sql/policies)
union all
select 'child ' || h.inhrelid::pg_catalog.regclass::text || ' of ' || t.qualified, 'a table inheriting from or partitioning it has no policy of its own',
       pg_catalog.format('alter table %s no inherit %s', h.inhrelid::pg_catalog.regclass::text, t.qualified), false
  from tables as t join pg_catalog.pg_inherits as h on h.inhparent operator(pg_catalog.=) t.oid
  join pg_catalog.pg_class as k on k.oid operator(pg_catalog.=) h.inhrelid
 where not k.relispartition
union all
-- A hash partition (`threadguard partition`) is reached through its parent, whose grants and policies
-- apply: it must be the parent owner's, with RLS forced, no policy and no grant, so that a direct read
-- sees nothing.
select 'partition ' || k.oid::pg_catalog.regclass::text || ' of ' || t.qualified,
       'a partition that could be read directly: it must have RLS enabled and forced, no grant, no policy, and the parent''s owner',
       pg_catalog.format('alter table %1$s enable row level security; alter table %1$s force row level security; revoke all on %1$s from public',
                         k.oid::pg_catalog.regclass::text), false
  from tables as t join pg_catalog.pg_inherits as h on h.inhparent operator(pg_catalog.=) t.oid
  join pg_catalog.pg_class as k on k.oid operator(pg_catalog.=) h.inhrelid
  join pg_catalog.pg_class as parent on parent.oid operator(pg_catalog.=) t.oid
 where k.relispartition
   and (not k.relrowsecurity or not k.relforcerowsecurity or k.relowner operator(pg_catalog.<>) parent.relowner
        or exists (select from pg_catalog.aclexplode(k.relacl) as x where x.grantee operator(pg_catalog.<>) k.relowner)
        or exists (select from pg_catalog.pg_attribute as a where a.attrelid operator(pg_catalog.=) k.oid and a.attacl is not null)
        or exists (select from pg_catalog.pg_policy as pol where pol.polrelid operator(pg_catalog.=) k.oid))
union all
select 'publication ' || b.pubname || ' of ' || t.qualified, 'a publication ships every tenant''s rows of the table',
       pg_catalog.format('alter publication %I drop table %s', b.pubname, t.qualified), false
  from tables as t join pg_catalog.pg_publication_rel as pr on pr.prrelid operator(pg_catalog.=) t.oid
  join pg_catalog.pg_publication as b on b.oid operator(pg_catalog.=) pr.prpubid
order by 1
