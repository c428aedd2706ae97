-- Isolation of public.store (LangGraph's Store: long-term memories), persona by persona:
-- each sees and changes only the items in its own namespaces and its tenant's shared
-- ones; a write anywhere else is refused before any conflict, so a key another user
-- holds is never read, overwritten, deleted, blocked or revealed.
begin;
select plan(66);
select tests.seed_store();

-- No context at all (never set) -------------------------------------------
select tests.as_unset();
select is_empty('select * from public.store', 'unset: sees no item');
select throws_ok(tests.store_put_sql(tests.ns('tenant_a', 'user_a1'), 'new'), '42501', null, 'unset: cannot insert');
select throws_ok(tests.store_insert_sql(tests.ns('tenant_a', 'user_a1'), 'new'), '42501', null, 'unset: cannot insert with a plain INSERT');
select throws_ok(tests.store_put_sql(tests.ns('tenant_a', 'user_a1')), '42501', null, 'unset: an upsert on A1''s key raises');
select is_empty($$update public.store set value = '{}' returning 1$$, 'unset: updates nothing');
select is_empty('delete from public.store returning 1', 'unset: deletes nothing');
select is_empty('delete from public.store where expires_at is not null and expires_at < now() returning 1',
    'unset: LangGraph''s own TTL sweep (no identity) deletes nothing');

-- Empty context ------------------------------------------------------------
select tests.as_empty();
select is_empty('select * from public.store', 'empty: sees no item');
select throws_ok(tests.store_put_sql(tests.ns('tenant_a', 'user_a1'), 'new'), '42501', null, 'empty: cannot insert');
select throws_ok(tests.store_put_sql(tests.ns('tenant_a', 'shared', 'kb'), 'new'), '42501', null, 'empty: cannot insert into a shared namespace');
select is_empty('delete from public.store returning 1', 'empty: deletes nothing');

-- Malformed context --------------------------------------------------------
select tests.as_malformed();
select throws_ok('select * from public.store', '22P02', null, 'malformed: reading raises (no row is returned)');
select throws_ok(tests.store_put_sql(tests.ns('tenant_a', 'user_a1'), 'new'), '22P02', null, 'malformed: cannot insert');
select throws_ok('delete from public.store returning 1', '22P02', null, 'malformed: a delete raises, deleting nothing');

-- Tenant A, user 1 -----------------------------------------------------------
select tests.as_user('tenant_a', 'user_a1');
select results_eq('select prefix, key from public.store order by prefix, key',
    format('values (%L, %L), (%L, %L), (%L, %L)', tests.ns('tenant_a', 'user_a1'), 'expired', tests.ns('tenant_a', 'user_a1'), 'k',
           tests.ns('tenant_a', 'shared', 'kb'), 'k'),
    'A1: sees exactly its own items and tenant A''s shared one');
select is_empty(format($$select 1 from public.store where prefix = %L or prefix like %L$$, tests.ns('tenant_a', 'user_a2'), tests.t('tenant_b') || '%'),
    'A1: a search naming A2''s or tenant B''s namespaces finds nothing');
select lives_ok(tests.store_put_sql(tests.ns('tenant_a', 'user_a1'), 'new'), 'A1: inserts into its own namespace');
select lives_ok(tests.store_put_sql(tests.ns('tenant_a', 'user_a1', 'memories.deeper'), 'new'), 'A1: inserts into a namespace nested in its own');
select lives_ok(tests.store_put_sql(tests.ns('tenant_a', 'user_a1')), 'A1: upserts its own key');
select is((select value->>'v' from public.store where prefix = tests.ns('tenant_a', 'user_a1') and key = 'k'), 'new', 'A1: its upsert changed its own item');
select lives_ok(tests.store_put_sql(tests.ns('tenant_a', 'shared', 'kb'), 'from-a1'), 'A1: inserts into tenant A''s shared namespace');
select throws_ok(tests.store_put_sql(tests.ns('tenant_a', 'user_a2')), '42501',
    'new row violates row-level security policy for table "store"', 'A1: an upsert on the key A2 holds is refused...');
select throws_ok(tests.store_put_sql(tests.ns('tenant_a', 'user_a2'), 'absent'), '42501',
    'new row violates row-level security policy for table "store"', '...with the same error as on a key nobody holds: nothing revealed');
select throws_ok(tests.store_put_sql(tests.ns('tenant_b', 'user_b1')), '42501', null, 'A1: an upsert on B1''s key is refused');
select throws_ok(tests.store_insert_sql(tests.ns('tenant_a', 'user_a2'), 'absent'), '42501', null,
    'A1: a plain INSERT (no ON CONFLICT) into A2''s namespace is refused');
select throws_ok(tests.store_insert_sql(tests.ns('tenant_b', 'shared', 'kb'), 'absent'), '42501', null,
    'A1: a plain INSERT into tenant B''s shared namespace is refused');
select lives_ok(tests.store_insert_sql(tests.ns('tenant_a', 'user_a1'), 'plain'), 'A1: a plain INSERT into its own namespace works');
select throws_ok(tests.store_put_sql(tests.ns('tenant_b', 'shared', 'kb')), '42501', null, 'A1: cannot write tenant B''s shared namespace');
select throws_ok(tests.store_put_sql('memories'), '42501', null, 'A1: cannot write a namespace outside the convention (the key from before adoption)');
select throws_ok(tests.store_put_sql(tests.t('tenant_a') || '.' || tests.t('user_a1')), '42501', null, 'A1: cannot write (tenant, user) with no label');
select throws_ok(tests.store_put_sql(tests.t('tenant_a') || '.' || tests.t('user_a1') || '-x.memories'), '42501', null,
    'A1: cannot write a namespace that merely starts with its user id');
select throws_ok(tests.store_put_sql(upper(tests.ns('tenant_a', 'user_a1'))), '42501', null, 'A1: cannot write its namespace spelled in upper case');
select is_empty(format($$update public.store set value = '{}' where prefix = %L returning 1$$, tests.ns('tenant_a', 'user_a2')), 'A1: updates none of A2''s items');
select throws_ok(format($$update public.store set prefix = %L where prefix = %L and key = 'new'$$, tests.ns('tenant_a', 'user_a2'), tests.ns('tenant_a', 'user_a1')),
    '42501', null, 'A1: cannot move its item into A2''s namespace');
select is_empty(format($$delete from public.store where prefix = %L returning 1$$, tests.ns('tenant_b', 'user_b1')), 'A1: deletes none of B1''s items');
select is_empty($$delete from public.store where prefix = 'memories' returning 1$$, 'A1: deletes nothing from before adoption');
select results_eq('delete from public.store where expires_at is not null and expires_at < now() returning prefix, key',
    format('values (%L, %L)', tests.ns('tenant_a', 'user_a1'), 'expired'), 'A1: LangGraph''s own TTL sweep deletes only A1''s expired item');
select throws_ok('truncate public.store', '42501', null, 'A1: cannot TRUNCATE (it ignores RLS)');
select throws_ok('alter table public.store disable row level security', '42501', null, 'A1: cannot turn RLS off');
-- Unfiltered statements (no WHERE, no RETURNING) meet only their own command's policy, not the SELECT one.
select lives_ok('update public.store set ttl_minutes = 7', 'A1: an unfiltered UPDATE runs...');
select results_eq($$select count(*) filter (where ttl_minutes = 7 and prefix not like '$$ || tests.t('tenant_a') || $$.$$ || tests.t('user_a1') || $$.%'
                                                                and prefix not like '$$ || tests.t('tenant_a') || $$.shared.%') from tests.store_as_superuser()$$,
    'values (0::bigint)', '...and changed only A1''s items and tenant A''s shared ones');

-- Tenant A, user 2 (same tenant) ----------------------------------------------
select tests.as_user('tenant_a', 'user_a2');
select results_eq($$select prefix, key, value->>'who' from public.store order by prefix, key$$,
    format('values (%L, %L, %L), (%L, %L, %L), (%L, %L, %L)', tests.ns('tenant_a', 'user_a2'), 'k', 'a2',
           tests.ns('tenant_a', 'shared', 'kb'), 'from-a1', null, tests.ns('tenant_a', 'shared', 'kb'), 'k', 'tenant a'),
    'A2: sees its own item, untouched by A1, and the shared items (A1''s shared write included), not A1''s');
select is_empty(format($$select 1 from public.store where prefix like %L$$, tests.ns('tenant_a', 'user_a1') || '%'), 'A2: none of A1''s items, nested ones included');
select lives_ok(tests.store_put_sql(tests.ns('tenant_a', 'user_a2'), 'k', '{"who": "a2 again"}'), 'A2: upserts the key A1 also uses, in its own namespace');
select results_eq($$delete from public.store where prefix = $$ || quote_literal(tests.ns('tenant_a', 'shared', 'kb')) || $$ and key = 'from-a1' returning key$$,
    $$values ('from-a1')$$, 'A2: deletes a shared item of its tenant');

-- Tenant B, user 1 -------------------------------------------------------------
select tests.as_user('tenant_b', 'user_b1');
select results_eq('select prefix, key from public.store order by prefix, key',
    format('values (%L, %L), (%L, %L), (%L, %L)', tests.ns('tenant_b', 'user_b1'), 'expired', tests.ns('tenant_b', 'user_b1'), 'k',
           tests.ns('tenant_b', 'shared', 'kb'), 'k'),
    'B1: sees exactly its own items and tenant B''s shared one');
select is_empty(format($$select 1 from public.store where prefix like %L$$, tests.t('tenant_a') || '%'), 'B1: nothing of tenant A, shared or not');
select throws_ok(tests.store_put_sql(tests.ns('tenant_a', 'shared', 'kb')), '42501', null, 'B1: cannot write tenant A''s shared namespace');
select throws_ok(tests.store_put_sql(tests.ns('tenant_a', 'user_b1')), '42501', null, 'B1: cannot write its user id under tenant A');
select is_empty($$update public.store set value = '{}' where prefix like '%shared%' and prefix not like '$$ || tests.t('tenant_b') || $$%' returning 1$$,
    'B1: updates no other tenant''s shared items');

-- Other roles ------------------------------------------------------------------
select tests.as_admin();
select throws_ok('select * from public.store', '42501', null, 'admin: no direct access to the store');
select tests.as_support();
select throws_ok('select * from public.store', '42501', null, 'support: no direct access to the store');
select tests.as_empty();
select tests.as_owner();
select is_empty('select * from public.store', 'owner without a context: RLS is forced on the owner too');

-- What is really in the table --------------------------------------------------
select tests.as_superuser();
select results_eq($$select prefix, key, value->>'who', value->>'v' from public.store where prefix not like '%shared%' and key = 'k'
      and (prefix = 'memories' or prefix like 'aaaaaaaa-%' or prefix like 'bbbbbbbb-%') order by prefix$$,
    format($$values (%L, 'k', null, 'new'), (%L, 'k', 'a2 again', null), (%L, 'k', 'b1', null), ('memories', 'k', 'before adoption', null)$$,
           tests.ns('tenant_a', 'user_a1'), tests.ns('tenant_a', 'user_a2'), tests.ns('tenant_b', 'user_b1')),
    'superuser: A1, A2 and B1 each hold key k in their memories, each as only its owner last wrote it; the item from before adoption is intact');
select is((select count(*) from public.store where key = 'expired' and prefix like 'bbbbbbbb-%'), 1::bigint, 'superuser: B1''s expired item is still there (only A1''s own sweep ran)');
select policies_are('public', 'store', array['store_owner_select', 'store_owner_insert', 'store_owner_update', 'store_owner_delete',
    'store_operator_select', 'store_operator_update', 'store_operator_delete'], 'public.store has exactly threadguard''s policies');
select table_privs_are('public', 'store', 'threadguard_app', array['SELECT', 'INSERT', 'UPDATE', 'DELETE'],
    'threadguard_app: select, insert, update, delete on the store, no TRUNCATE, REFERENCES or TRIGGER');
select table_privs_are('public', 'store_migrations', 'threadguard_app', array['SELECT'], 'threadguard_app: reads store_migrations only');
select is((select relforcerowsecurity and relrowsecurity from pg_class where oid = 'public.store'::regclass), true, 'RLS is enabled and forced on public.store');
select is((select pg_get_userbyid(relowner) from pg_class where oid = 'public.store'::regclass), 'threadguard_owner', 'threadguard_owner owns public.store');
select is((select max(v) from public.store_migrations), 3, 'store schema version 3, as PostgresStore.setup() leaves it');
select has_index('public', 'store', 'store_prefix_idx', 'the prefix index PostgresStore.setup() creates');
select has_index('public', 'store', 'idx_store_expires_at', 'the TTL index PostgresStore.setup() creates');
select hasnt_table('public', 'store_vectors', 'no store_vectors: vector search is not part of the protected store');

-- An unfiltered DELETE (no WHERE, no RETURNING) meets only the DELETE policy -------------
select tests.as_user('tenant_b', 'user_b1');
select lives_ok('delete from public.store', 'B1: an unfiltered DELETE runs...');
select results_eq($$select count(*) filter (where prefix like '$$ || tests.t('tenant_b') || $$.%'),
                         count(*) filter (where prefix like '$$ || tests.t('tenant_a') || $$.%'),
                         count(*) filter (where prefix = 'memories') from tests.store_as_superuser()$$,
    'values (0::bigint, 6::bigint, 1::bigint)', '...and deleted tenant B''s items only: tenant A''s and the one from before adoption stay');

select * from finish();
rollback;
