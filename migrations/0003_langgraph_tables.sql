-- 0003 langgraph tables: LangGraph's four checkpoint tables in schema public,
-- created exactly as langgraph-checkpoint-postgres 3.2 creates them (schema
-- version 9), or adopted without touching a row when its setup() already ran.
-- Either way threadguard_owner takes ownership, so that the application role,
-- which may have created them, can no longer bypass or disable RLS.
-- depends: 0002_schema

create table threadguard.langgraph_tables (
    table_name text primary key,
    previous_owner name,
    created_by_threadguard boolean not null
);
alter table threadguard.langgraph_tables owner to threadguard_owner;
comment on table threadguard.langgraph_tables is
    'Which LangGraph tables migration 0003 created or adopted, and who owned them before, so that its rollback can give them back without losing a row.';
comment on column threadguard.langgraph_tables.table_name is 'Table in schema public.';
comment on column threadguard.langgraph_tables.previous_owner is 'Owner before adoption; null when threadguard created the table.';
comment on column threadguard.langgraph_tables.created_by_threadguard is 'True when migration 0003 created the table on an empty database.';

do $$
declare
    v_version integer;
    v_table text;
    v_missing text[];
    v_grantee text;
begin
    if to_regclass('public.checkpoint_migrations') is null then
        if to_regclass('public.checkpoints') is not null
           or to_regclass('public.checkpoint_blobs') is not null
           or to_regclass('public.checkpoint_writes') is not null then
            raise exception 'threadguard 0003_langgraph_tables: public has LangGraph checkpoint tables but no public.checkpoint_migrations'
                using errcode = 'object_not_in_prerequisite_state',
                      hint = 'Run PostgresSaver.setup() from langgraph-checkpoint-postgres 3.2 against this database, then run threadguard migrate again.';
        end if;

        -- LangGraph's MIGRATIONS 0-9, folded into their final shape.
        create table public.checkpoint_migrations (
            v integer primary key
        );
        create table public.checkpoints (
            thread_id text not null,
            checkpoint_ns text not null default '',
            checkpoint_id text not null,
            parent_checkpoint_id text,
            type text,
            checkpoint jsonb not null,
            metadata jsonb not null default '{}',
            primary key (thread_id, checkpoint_ns, checkpoint_id)
        );
        create table public.checkpoint_blobs (
            thread_id text not null,
            checkpoint_ns text not null default '',
            channel text not null,
            version text not null,
            type text not null,
            blob bytea,
            primary key (thread_id, checkpoint_ns, channel, version)
        );
        create table public.checkpoint_writes (
            thread_id text not null,
            checkpoint_ns text not null default '',
            checkpoint_id text not null,
            task_id text not null,
            idx integer not null,
            channel text not null,
            type text,
            blob bytea not null,
            task_path text not null default '',
            primary key (thread_id, checkpoint_ns, checkpoint_id, task_id, idx)
        );
        create index checkpoints_thread_id_idx on public.checkpoints (thread_id);
        create index checkpoint_blobs_thread_id_idx on public.checkpoint_blobs (thread_id);
        create index checkpoint_writes_thread_id_idx on public.checkpoint_writes (thread_id);
        insert into public.checkpoint_migrations (v) select pg_catalog.generate_series(0, 9);

        insert into threadguard.langgraph_tables (table_name, previous_owner, created_by_threadguard)
        values ('checkpoint_migrations', null, true), ('checkpoints', null, true),
               ('checkpoint_blobs', null, true), ('checkpoint_writes', null, true);
    else
        select max(v) into v_version from public.checkpoint_migrations;
        if v_version is distinct from 9 then
            raise exception 'threadguard 0003_langgraph_tables: LangGraph checkpoint schema version % is not one threadguard knows (it knows 9: langgraph-checkpoint-postgres 3.1 and 3.2)',
                    coalesce(v_version::text, 'none (empty checkpoint_migrations)')
                using errcode = 'object_not_in_prerequisite_state',
                      hint = 'Upgrade the database with PostgresSaver.setup() from langgraph-checkpoint-postgres 3.2, or use a threadguard release that supports this version.';
        end if;
        select array_agg(t) into v_missing
        from unnest(array['checkpoints', 'checkpoint_blobs', 'checkpoint_writes']) as t
        where to_regclass('public.' || t) is null;
        if v_missing is not null then
            raise exception 'threadguard 0003_langgraph_tables: checkpoint schema version 9 is recorded but public.% is missing', v_missing[1]
                using errcode = 'object_not_in_prerequisite_state',
                      hint = 'Restore the missing table, or run PostgresSaver.setup() again, then run threadguard migrate again.';
        end if;

        insert into threadguard.langgraph_tables (table_name, previous_owner, created_by_threadguard)
        select t, pg_catalog.pg_get_userbyid(c.relowner), false
        from unnest(array['checkpoint_migrations', 'checkpoints', 'checkpoint_blobs', 'checkpoint_writes']) as t
        join pg_catalog.pg_class c on c.oid = ('public.' || t)::regclass;
    end if;

    foreach v_table in array array['checkpoint_migrations', 'checkpoints', 'checkpoint_blobs', 'checkpoint_writes'] loop
        execute format('alter table public.%I owner to threadguard_owner', v_table);
        -- Whoever had rights before (the app's login role, say) keeps none:
        -- sql/policies grants exactly what LangGraph's saver needs.
        execute format('revoke all on table public.%I from public', v_table);
        for v_grantee in
            select distinct a.grantee::regrole::text
            from pg_catalog.pg_class c, pg_catalog.aclexplode(c.relacl) a
            where c.oid = ('public.' || v_table)::regclass
              and a.grantee <> 0 and a.grantee <> c.relowner
        loop
            execute format('revoke all on table public.%I from %s', v_table, v_grantee);
        end loop;
    end loop;
end
$$;

-- PostgresSaver.setup() starts with CREATE TABLE IF NOT EXISTS checkpoint_migrations,
-- which PostgreSQL checks against CREATE on the schema before it sees the table
-- exists. With this grant an application's setup() call is a harmless no-op.
grant usage, create on schema public to threadguard_app;
