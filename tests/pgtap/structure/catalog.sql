-- Structure: the catalog facts isolation rests on. Roles that cannot bypass RLS,
-- RLS enabled and forced on every protected table, exactly the policies and
-- privileges threadguard defines, and definer functions that pin search_path.
begin;
select plan(60);

-- Roles ----------------------------------------------------------------------
select isnt_superuser('threadguard_owner', 'threadguard_owner is not a superuser');
select isnt_superuser('threadguard_app', 'threadguard_app is not a superuser');
select isnt_superuser('threadguard_admin', 'threadguard_admin is not a superuser');
select is_empty($$select rolname from pg_roles where rolname like 'threadguard\_%' and rolname in ('threadguard_owner', 'threadguard_app', 'threadguard_admin') and (rolbypassrls or rolcanlogin)$$,
    'no threadguard role has BYPASSRLS or LOGIN');
select is((select count(*)::int from pg_roles where rolname in ('threadguard_owner', 'threadguard_app', 'threadguard_admin', 'threadguard_operator', 'threadguard_support')), 5, 'the five roles of this database exist');

-- Row-level security: enabled and forced everywhere ----------------------------------
select is_empty($$
    select c.oid::regclass::text from pg_class c
    where c.relkind in ('r', 'p')
      and (c.relnamespace = 'threadguard'::regnamespace
           or c.oid in ('public.checkpoints'::regclass, 'public.checkpoint_blobs'::regclass, 'public.checkpoint_writes'::regclass))
      and not (c.relrowsecurity and c.relforcerowsecurity)$$,
    'every table in schema threadguard and every LangGraph data table has RLS enabled and forced');
select is((select count(*)::int from pg_class where relrowsecurity and relforcerowsecurity
           and oid in ('threadguard.conversations'::regclass, 'public.checkpoints'::regclass, 'public.checkpoint_blobs'::regclass, 'public.checkpoint_writes'::regclass)),
    4, 'the four protected tables have RLS enabled and forced');
select is_empty($$select c.oid::regclass::text from pg_class c where c.relkind = 'v' and c.relnamespace = 'threadguard'::regnamespace
                  and not coalesce(c.reloptions @> array['security_invoker=true'], false)
                  and pg_catalog.current_setting('server_version_num')::integer >= 150000$$,
    'every view in schema threadguard is security_invoker (from PostgreSQL 15, which has the option)');

-- Exactly the policies threadguard defines ---------------------------------------------
select policies_are('threadguard', 'conversations',
    array['conversations_owner_select', 'conversations_owner_insert', 'conversations_owner_update', 'conversations_owner_delete',
          'conversations_operator_select', 'conversations_operator_insert', 'conversations_operator_delete'],
    'conversations has exactly its four owner policies and three operator policies');
select policies_are('public', 'checkpoints',
    array['checkpoints_owner_select', 'checkpoints_owner_insert', 'checkpoints_owner_update', 'checkpoints_owner_delete', 'checkpoints_operator_select', 'checkpoints_operator_update', 'checkpoints_operator_delete'],
    'checkpoints has exactly its four owner policies and three operator policies');
select policies_are('public', 'checkpoint_blobs',
    array['checkpoint_blobs_owner_select', 'checkpoint_blobs_owner_insert', 'checkpoint_blobs_owner_update', 'checkpoint_blobs_owner_delete', 'checkpoint_blobs_operator_select', 'checkpoint_blobs_operator_update', 'checkpoint_blobs_operator_delete'],
    'checkpoint_blobs has exactly its four owner policies and three operator policies');
select policies_are('public', 'checkpoint_writes',
    array['checkpoint_writes_owner_select', 'checkpoint_writes_owner_insert', 'checkpoint_writes_owner_update', 'checkpoint_writes_owner_delete', 'checkpoint_writes_operator_select', 'checkpoint_writes_operator_update', 'checkpoint_writes_operator_delete'],
    'checkpoint_writes has exactly its four owner policies and three operator policies');
select is_empty($$select schemaname || '.' || tablename || ' ' || policyname from pg_policies
                  where schemaname in ('public', 'threadguard') and permissive <> 'PERMISSIVE'$$,
    'no restrictive policy hides a rule elsewhere');
select is_empty($$select policyname from pg_policies p where schemaname in ('public', 'threadguard')
                  and not exists (select 1 from pg_description d join pg_policy pp on d.objoid = pp.oid
                                  where pp.polname = p.policyname and d.classoid = 'pg_policy'::regclass)$$,
    'every policy has a COMMENT');

-- Table privileges: the runtime role gets what the saver needs and nothing more ------------
select table_privs_are('public', 'checkpoints', 'threadguard_app', array['SELECT', 'INSERT', 'UPDATE', 'DELETE'], 'app: checkpoints SELECT/INSERT/UPDATE/DELETE only (no TRUNCATE, REFERENCES, TRIGGER)');
select table_privs_are('public', 'checkpoint_blobs', 'threadguard_app', array['SELECT', 'INSERT', 'UPDATE', 'DELETE'], 'app: checkpoint_blobs SELECT/INSERT/UPDATE/DELETE only');
select table_privs_are('public', 'checkpoint_writes', 'threadguard_app', array['SELECT', 'INSERT', 'UPDATE', 'DELETE'], 'app: checkpoint_writes SELECT/INSERT/UPDATE/DELETE only');
select table_privs_are('public', 'checkpoint_migrations', 'threadguard_app', array['SELECT'], 'app: checkpoint_migrations SELECT only (setup() reads it)');
select table_privs_are('threadguard', 'conversations', 'threadguard_app', array['SELECT', 'DELETE'], 'app: conversations SELECT/DELETE at table level');
select ok(has_column_privilege('threadguard_app', 'threadguard.conversations', 'title', 'UPDATE')
          and not has_column_privilege('threadguard_app', 'threadguard.conversations', 'tenant_id', 'UPDATE')
          and not has_column_privilege('threadguard_app', 'threadguard.conversations', 'user_id', 'UPDATE')
          and not has_column_privilege('threadguard_app', 'threadguard.conversations', 'updated_at', 'UPDATE'),
    'app: may update a conversation''s title, never its owner or updated_at');
select ok(not has_column_privilege('threadguard_app', 'threadguard.conversations', 'updated_at', 'INSERT')
          and not has_column_privilege('threadguard_app', 'threadguard.conversations', 'created_at', 'INSERT'),
    'app: cannot backdate created_at or updated_at on insert');
select table_privs_are('threadguard', 'langgraph_tables', 'threadguard_app', '{}'::text[], 'app: nothing on threadguard.langgraph_tables');
select table_privs_are('threadguard_migrations', '_yoyo_migration', 'threadguard_app', '{}'::text[], 'app: nothing on yoyo''s _yoyo_migration');
select table_privs_are('threadguard_migrations', '_yoyo_log', 'threadguard_app', '{}'::text[], 'app: nothing on yoyo''s _yoyo_log');
select table_privs_are('threadguard_migrations', '_yoyo_version', 'threadguard_app', '{}'::text[], 'app: nothing on yoyo''s _yoyo_version');
select table_privs_are('threadguard_migrations', 'yoyo_lock', 'threadguard_app', '{}'::text[], 'app: nothing on yoyo''s yoyo_lock');

select table_privs_are('public', 'checkpoints', 'threadguard_admin', '{}'::text[], 'admin: no direct access to checkpoints');
select table_privs_are('public', 'checkpoint_blobs', 'threadguard_admin', '{}'::text[], 'admin: no direct access to checkpoint_blobs');
select table_privs_are('public', 'checkpoint_writes', 'threadguard_admin', '{}'::text[], 'admin: no direct access to checkpoint_writes');
select table_privs_are('threadguard', 'conversations', 'threadguard_admin', '{}'::text[], 'admin: no direct access to conversations');
select table_privs_are('public', 'store', 'threadguard_admin', '{}'::text[], 'admin: no direct access to the store');

select table_privs_are('public', 'checkpoints', 'public', '{}'::text[], 'PUBLIC: nothing on checkpoints');
select table_privs_are('public', 'checkpoint_blobs', 'public', '{}'::text[], 'PUBLIC: nothing on checkpoint_blobs');
select table_privs_are('public', 'checkpoint_writes', 'public', '{}'::text[], 'PUBLIC: nothing on checkpoint_writes');
select table_privs_are('public', 'checkpoint_migrations', 'public', '{}'::text[], 'PUBLIC: nothing on checkpoint_migrations');
select table_privs_are('public', 'store', 'public', '{}'::text[], 'PUBLIC: nothing on the store');
select table_privs_are('public', 'store_migrations', 'public', '{}'::text[], 'PUBLIC: nothing on store_migrations');
select table_privs_are('threadguard', 'conversations', 'public', '{}'::text[], 'PUBLIC: nothing on conversations');

-- Ownership: threadguard_owner owns every protected object -----------------------------------
select table_owner_is('threadguard', 'conversations', 'threadguard_owner', 'conversations is owned by threadguard_owner');
select table_owner_is('public', 'checkpoints', 'threadguard_owner', 'checkpoints is owned by threadguard_owner');
select table_owner_is('public', 'checkpoint_blobs', 'threadguard_owner', 'checkpoint_blobs is owned by threadguard_owner');
select table_owner_is('public', 'checkpoint_writes', 'threadguard_owner', 'checkpoint_writes is owned by threadguard_owner');
select table_owner_is('public', 'checkpoint_migrations', 'threadguard_owner', 'checkpoint_migrations is owned by threadguard_owner');
select table_owner_is('public', 'store_migrations', 'threadguard_owner', 'store_migrations is owned by threadguard_owner');
select schema_owner_is('threadguard', 'threadguard_owner', 'schema threadguard is owned by threadguard_owner');
select is_empty($$select p.oid::regprocedure::text from pg_proc p where p.pronamespace = 'threadguard'::regnamespace
                  and p.proowner <> 'threadguard_owner'::regrole
                  and not (p.proowner = 'threadguard_operator'::regrole
                           and p.proname in ('erase', 'erasure_left', 'open_support_access', 'support_conversations', 'support_checkpoint', 'support_access_id',
                                          'set_retention', 'apply_retention', 'export_conversations', 'export_checkpoints',
                                          'sweep_store', 'export_store_items', 'assign_store_items', 'assign_thread', 'unowned_threads', 'thread_awaits_adoption', 'row_counts',
                                          'add_token_keys', 'remove_token_key', 'configure_tokens'))$$,
    'every threadguard function is owned by threadguard_owner, but the operator functions by threadguard_operator');

-- Functions: no PUBLIC execute, definers pin search_path, everything documented ----------------------
select is_empty($$select p.oid::regprocedure::text from pg_proc p where p.pronamespace = 'threadguard'::regnamespace
                  and has_function_privilege('public', p.oid, 'execute')$$, 'PUBLIC may execute no threadguard function');
select is_empty($$select p.oid::regprocedure::text from pg_proc p where p.pronamespace = 'threadguard'::regnamespace and p.prosecdef
                  and not coalesce(p.proconfig @> array['search_path=pg_catalog, pg_temp'], false)$$,
    'every SECURITY DEFINER function pins search_path = pg_catalog, pg_temp');
select is_empty($$select p.oid::regprocedure::text from pg_proc p where p.pronamespace = 'threadguard'::regnamespace
                  and obj_description(p.oid, 'pg_proc') is null$$, 'every threadguard function has a COMMENT');
select is_empty($$select c.oid::regclass::text || '.' || a.attname from pg_class c join pg_attribute a on a.attrelid = c.oid
                  where c.relnamespace = 'threadguard'::regnamespace and c.relkind = 'r' and a.attnum > 0 and not a.attisdropped
                  and col_description(c.oid, a.attnum) is null$$, 'every column in schema threadguard has a COMMENT');
select is_empty($$select c.oid::regclass::text from pg_class c where c.relnamespace = 'threadguard'::regnamespace and c.relkind = 'r'
                  and obj_description(c.oid, 'pg_class') is null$$, 'every table in schema threadguard has a COMMENT');

-- LangGraph schema and owner columns ------------------------------------------------------------
select is((select max(v) from public.checkpoint_migrations), 9, 'LangGraph checkpoint schema version is 9 (langgraph-checkpoint-postgres 3.2)');
select is((select count(*)::int from pg_attribute where attname in ('threadguard_tenant_id', 'threadguard_user_id') and not attisdropped
           and attrelid in ('public.checkpoints'::regclass, 'public.checkpoint_blobs'::regclass, 'public.checkpoint_writes'::regclass)),
    6, 'each LangGraph data table carries the two owner columns');

-- The audit log accepts only inserts, and only from the operator functions' role ---------------
select table_privs_are('threadguard', 'audit_log', 'threadguard_operator', array['INSERT'], 'audit_log: the operator role may only insert');
select table_privs_are('threadguard', 'audit_log', 'threadguard_admin', array['SELECT'], 'audit_log: admins may only read');
select table_privs_are('threadguard', 'audit_log', 'threadguard_app', '{}'::text[], 'audit_log: nothing for the application');
select table_privs_are('threadguard', 'audit_log', 'threadguard_support', '{}'::text[], 'audit_log: nothing for support');
select table_privs_are('threadguard', 'audit_log', 'public', '{}'::text[], 'audit_log: nothing for PUBLIC');

-- Ownership is a constraint ------------------------------------------------------------------------
select results_eq($$select conrelid::regclass::text, pg_get_constraintdef(oid), convalidated from pg_constraint
                    where contype = 'f' and confrelid = 'threadguard.conversations'::regclass order by 1$$,
    $$values ('checkpoint_blobs', 'FOREIGN KEY (thread_id, threadguard_tenant_id, threadguard_user_id) REFERENCES threadguard.conversations(thread_id, tenant_id, user_id) ON DELETE CASCADE', true),
             ('checkpoint_writes', 'FOREIGN KEY (thread_id, threadguard_tenant_id, threadguard_user_id) REFERENCES threadguard.conversations(thread_id, tenant_id, user_id) ON DELETE CASCADE', true),
             ('checkpoints', 'FOREIGN KEY (thread_id, threadguard_tenant_id, threadguard_user_id) REFERENCES threadguard.conversations(thread_id, tenant_id, user_id) ON DELETE CASCADE', true)$$,
    'each LangGraph data table has a validated ownership key to conversations (thread, tenant, user), ON DELETE CASCADE');
select is_empty($$select name from pg_settings where name like 'threadguard.%'
                  union all select p.oid::regprocedure::text from pg_proc p where p.pronamespace = 'threadguard'::regnamespace
                  and p.prosrc ~ 'threadguard\.(bound|write_claims)'$$,
    'no threadguard function reads a threadguard.* session setting');
select * from finish();
rollback;
