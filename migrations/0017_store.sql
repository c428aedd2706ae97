-- 0017 store: LangGraph's Store (long-term memory, langgraph.store.postgres) in schema
-- public, created exactly as PostgresStore.setup() creates it (store schema version 3,
-- with its TTL columns), or adopted with every row when its setup() already ran.
-- threadguard_owner takes ownership, as for the checkpoint tables; sql/policies/store.sql
-- gives each item to the namespace it is in. Vector search (store_vectors) is refused.
-- depends: 0016_retention_policies

do $$
declare
    v_version integer;
    v_table text;
    v_grantee text;
begin
    if pg_catalog.to_regclass('public.store_vectors') is not null
       or pg_catalog.to_regclass('public.vector_migrations') is not null then
        raise exception 'threadguard 0017_store: public.store_vectors or public.vector_migrations exists: the store was set up with an index config (vector search), which threadguard does not protect'
            using errcode = 'feature_not_supported',
                  hint = 'Embeddings are computed from the items and can be computed again: drop public.store_vectors and public.vector_migrations, use PostgresStore without index=..., then run threadguard migrate again.';
    end if;

    if pg_catalog.to_regclass('public.store_migrations') is null then
        if pg_catalog.to_regclass('public.store') is not null then
            raise exception 'threadguard 0017_store: public.store exists but public.store_migrations does not: not a store threadguard knows'
                using errcode = 'object_not_in_prerequisite_state',
                      hint = 'If it is LangGraph''s store, run PostgresStore.setup() from langgraph-checkpoint-postgres 3.2 against this database, then run threadguard migrate again; otherwise rename the table.';
        end if;

        -- LangGraph's store MIGRATIONS 0-3, folded into their final shape.
        create table public.store_migrations (
            v integer primary key
        );
        create table public.store (
            prefix text not null,
            key text not null,
            value jsonb not null,
            created_at timestamp with time zone default current_timestamp,
            updated_at timestamp with time zone default current_timestamp,
            expires_at timestamp with time zone,
            ttl_minutes integer,
            primary key (prefix, key)
        );
        create index store_prefix_idx on public.store using btree (prefix text_pattern_ops);
        create index idx_store_expires_at on public.store (expires_at) where expires_at is not null;
        insert into public.store_migrations (v) select pg_catalog.generate_series(0, 3);

        insert into threadguard.langgraph_tables (table_name, previous_owner, created_by_threadguard)
        values ('store_migrations', null, true), ('store', null, true);
    else
        select pg_catalog.max(m.v) into v_version from public.store_migrations as m;
        if v_version is distinct from 3 then
            raise exception 'threadguard 0017_store: LangGraph store schema version % is not one threadguard knows (it knows 3: langgraph-checkpoint-postgres 3.1 and 3.2)',
                    coalesce(v_version::text, 'none (empty store_migrations)')
                using errcode = 'object_not_in_prerequisite_state',
                      hint = 'Upgrade the store with PostgresStore.setup() from langgraph-checkpoint-postgres 3.2, or use a threadguard release that supports this version.';
        end if;
        if pg_catalog.to_regclass('public.store') is null then
            raise exception 'threadguard 0017_store: store schema version 3 is recorded but public.store is missing'
                using errcode = 'object_not_in_prerequisite_state',
                      hint = 'Restore the table, or run PostgresStore.setup() again, then run threadguard migrate again.';
        end if;

        insert into threadguard.langgraph_tables (table_name, previous_owner, created_by_threadguard)
        select t, pg_catalog.pg_get_userbyid(c.relowner), false
        from pg_catalog.unnest(array['store_migrations', 'store']) as t
        join pg_catalog.pg_class as c on c.oid = pg_catalog.to_regclass('public.' operator(pg_catalog.||) t);
    end if;

    foreach v_table in array array['store_migrations', 'store'] loop
        execute pg_catalog.format('alter table public.%I owner to threadguard_owner', v_table);
        -- Whoever had rights before keeps none: sql/policies grants what PostgresStore needs.
        execute pg_catalog.format('revoke all on table public.%I from public', v_table);
        for v_grantee in
            select distinct a.grantee::pg_catalog.regrole::text
            from pg_catalog.pg_class as c, pg_catalog.aclexplode(c.relacl) as a
            where c.oid = pg_catalog.to_regclass('public.' operator(pg_catalog.||) v_table)
              and a.grantee operator(pg_catalog.<>) 0 and a.grantee operator(pg_catalog.<>) c.relowner
        loop
            execute pg_catalog.format('revoke all on table public.%I from %s', v_table, v_grantee);
        end loop;
    end loop;
end
$$;

-- The policies compare prefixes in byte order with each caller's ranges: this index serves
-- them (search, list_namespaces), apart from LangGraph's own indexes, which its get and put
-- keep using (a range on store_prefix_idx would make every get read its whole namespace).
-- On an adopted store the build holds a SHARE lock: writes wait (about 1.5 s per million items).
create index if not exists store_owner_idx on public.store (prefix collate "C");
comment on index public.store_owner_idx is
    'threadguard: the store policies'' byte-order ranges of prefixes (the caller''s own and its tenant''s shared namespaces).';

-- erasure_left gains a column for the store's items: a return type cannot be replaced.
drop function if exists threadguard.erasure_left(uuid, uuid, text);
