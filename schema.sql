CREATE SCHEMA threadguard;

ALTER SCHEMA threadguard OWNER TO threadguard_owner;

COMMENT ON SCHEMA threadguard IS 'threadguard: conversation ownership, the tenant context functions and the SQL API. See README.md.';

CREATE FUNCTION threadguard.apply_retention(p_batch integer DEFAULT 500, p_after uuid DEFAULT NULL::uuid, p_dry_run boolean DEFAULT false) RETURNS TABLE(next_after uuid, scanned bigint, conversations bigint, checkpoints bigint, checkpoint_blobs bigint, checkpoint_writes bigint)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
#variable_conflict use_variable
declare
    v_nil constant uuid := '00000000-0000-0000-0000-000000000000'::pg_catalog.uuid;
    v_ids uuid[];
    v_idle uuid[];
    v_idle_threads text[];
    v_thread text;
    v_keep integer;
    v_doomed text[];
    v_blobs tid[];
    v_writes tid[];
begin
    if p_batch is null or p_batch not between 1 and 10000 then
        raise exception 'threadguard: p_batch must be between 1 and 10000 (got %)', coalesce(p_batch::text, 'null')
            using errcode = 'invalid_parameter_value';
    end if;
    conversations := 0::bigint; checkpoints := 0::bigint; checkpoint_blobs := 0::bigint; checkpoint_writes := 0::bigint;
    select pg_catalog.array_agg(b.id order by b.id), pg_catalog.max(b.id::text)::pg_catalog.uuid into v_ids, next_after
      from (select c.id from threadguard.conversations as c
             where c.id operator(pg_catalog.>) coalesce(p_after, v_nil) order by c.id limit p_batch) as b;
    scanned := pg_catalog.cardinality(coalesce(v_ids, array[]::uuid[]))::bigint;
    if scanned operator(pg_catalog.=) 0 then
        return next;
        return;
    end if;

    -- Idle conversations: the tenant's own policy when it has one, else the default.
    select pg_catalog.array_agg(c.id), pg_catalog.array_agg(c.thread_id) into v_idle, v_idle_threads
      from threadguard.conversations as c
      left join threadguard.retention_policies as t on t.tenant_id operator(pg_catalog.=) c.tenant_id
      left join threadguard.retention_policies as d on d.tenant_id operator(pg_catalog.=) v_nil
     where c.id operator(pg_catalog.=) any (v_ids)
       and (case when t.tenant_id is not null then t.idle_days else d.idle_days end) is not null
       and c.updated_at operator(pg_catalog.<) (pg_catalog.now() operator(pg_catalog.-)
           pg_catalog.make_interval(days => case when t.tenant_id is not null then t.idle_days else d.idle_days end));
    if v_idle is not null then
        conversations := pg_catalog.cardinality(v_idle)::bigint;
        select pg_catalog.count(*) into checkpoints from public.checkpoints as r where r.thread_id operator(pg_catalog.=) any (v_idle_threads);
        select pg_catalog.count(*) into checkpoint_blobs from public.checkpoint_blobs as r where r.thread_id operator(pg_catalog.=) any (v_idle_threads);
        select pg_catalog.count(*) into checkpoint_writes from public.checkpoint_writes as r where r.thread_id operator(pg_catalog.=) any (v_idle_threads);
        if not p_dry_run then
            delete from threadguard.conversations as c where c.id operator(pg_catalog.=) any (v_idle);
        end if;
    end if;

    -- The others: keep the latest N root checkpoints, their writes and the blobs they reference.
    for v_thread, v_keep in
        select c.thread_id, case when t.tenant_id is not null then t.keep_checkpoints else d.keep_checkpoints end
          from threadguard.conversations as c
          left join threadguard.retention_policies as t on t.tenant_id operator(pg_catalog.=) c.tenant_id
          left join threadguard.retention_policies as d on d.tenant_id operator(pg_catalog.=) v_nil
         where c.id operator(pg_catalog.=) any (v_ids)
           and c.id operator(pg_catalog.<>) all (coalesce(v_idle, '{}'))
           and (case when t.tenant_id is not null then t.keep_checkpoints else d.keep_checkpoints end) is not null
    loop
        select pg_catalog.array_agg(k.checkpoint_id) into v_doomed
          from (select cp.checkpoint_id from public.checkpoints as cp
                 where cp.thread_id operator(pg_catalog.=) v_thread and cp.checkpoint_ns operator(pg_catalog.=) ''
                 order by cp.checkpoint_id desc offset v_keep) as k;
        continue when v_doomed is null;
        -- What goes: the doomed checkpoints, their writes, and every blob no kept checkpoint references.
        select pg_catalog.array_agg(bl.ctid) into v_blobs from public.checkpoint_blobs as bl
         where bl.thread_id operator(pg_catalog.=) v_thread and bl.checkpoint_ns operator(pg_catalog.=) ''
           and not exists (select from public.checkpoints as cp
                            where cp.thread_id operator(pg_catalog.=) v_thread and cp.checkpoint_ns operator(pg_catalog.=) ''
                              and cp.checkpoint_id operator(pg_catalog.<>) all (v_doomed)
                              and (cp.checkpoint operator(pg_catalog.->) 'channel_versions' operator(pg_catalog.->>) bl.channel)
                                  operator(pg_catalog.=) bl.version);
        select pg_catalog.array_agg(w.ctid) into v_writes from public.checkpoint_writes as w
         where w.thread_id operator(pg_catalog.=) v_thread and w.checkpoint_ns operator(pg_catalog.=) ''
           and w.checkpoint_id operator(pg_catalog.=) any (v_doomed);
        checkpoint_blobs := checkpoint_blobs operator(pg_catalog.+) coalesce(pg_catalog.cardinality(v_blobs), 0);
        checkpoint_writes := checkpoint_writes operator(pg_catalog.+) coalesce(pg_catalog.cardinality(v_writes), 0);
        if not p_dry_run then
            -- ctid is unique within one table only: the thread's rows (all in one partition, when the
            -- tables are partitioned by thread_id) are named by thread first.
            delete from public.checkpoint_blobs as bl
             where bl.thread_id operator(pg_catalog.=) v_thread and bl.ctid operator(pg_catalog.=) any (v_blobs);
            delete from public.checkpoint_writes as w
             where w.thread_id operator(pg_catalog.=) v_thread and w.ctid operator(pg_catalog.=) any (v_writes);
            delete from public.checkpoints as cp
             where cp.thread_id operator(pg_catalog.=) v_thread and cp.checkpoint_ns operator(pg_catalog.=) ''
               and cp.checkpoint_id operator(pg_catalog.=) any (v_doomed);
        end if;
        checkpoints := checkpoints operator(pg_catalog.+) pg_catalog.cardinality(v_doomed);
    end loop;

    if not p_dry_run and (conversations operator(pg_catalog.+) checkpoints operator(pg_catalog.+) checkpoint_blobs
                          operator(pg_catalog.+) checkpoint_writes) operator(pg_catalog.>) 0 then
        insert into threadguard.audit_log (action, reason, row_count, detail)
        values ('retention', 'retention policies',
                checkpoints operator(pg_catalog.+) checkpoint_blobs operator(pg_catalog.+) checkpoint_writes,
                pg_catalog.jsonb_build_object('conversations', conversations, 'checkpoints', checkpoints,
                    'checkpoint_blobs', checkpoint_blobs, 'checkpoint_writes', checkpoint_writes, 'after', p_after, 'batch', p_batch));
    end if;
    return next;
end
$$;

ALTER FUNCTION threadguard.apply_retention(p_batch integer, p_after uuid, p_dry_run boolean) OWNER TO threadguard_operator;

COMMENT ON FUNCTION threadguard.apply_retention(p_batch integer, p_after uuid, p_dry_run boolean) IS 'Retention (operators): applies the policies to up to p_batch conversations after p_after (id order): deletes idle ones, prunes the others'' root namespace to their latest checkpoints with the writes and blobs those need. Returns next_after (null: done) and what it removed (p_dry_run: would remove). Safe to run repeatedly and concurrently; audited.';

CREATE FUNCTION threadguard.assign_store_items(p_prefix text, p_tenant_id uuid, p_user_id uuid, p_reason text) RETURNS bigint
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $_$
declare
    v_n bigint;
begin
    if p_prefix is null or p_prefix operator(pg_catalog.=) '' or p_tenant_id is null or p_user_id is null
       or p_reason is null or pg_catalog.btrim(p_reason) operator(pg_catalog.=) '' then
        raise exception 'threadguard: assign_store_items needs a namespace, a tenant, a user and a reason'
            using errcode = 'null_value_not_allowed';
    end if;
    if p_prefix operator(pg_catalog.~) '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}([.]|$)' then
        raise exception 'threadguard: namespace % already starts with a tenant id: it is someone''s', p_prefix
            using errcode = 'invalid_parameter_value';
    end if;
    begin
    update public.store as s
       set prefix = p_tenant_id::text operator(pg_catalog.||) '.' operator(pg_catalog.||) p_user_id::text
                    operator(pg_catalog.||) '.' operator(pg_catalog.||) s.prefix
     where s.prefix operator(pg_catalog.=) p_prefix
        or (s.prefix operator(pg_catalog.~>=~) (p_prefix operator(pg_catalog.||) '.')
            and s.prefix operator(pg_catalog.~<~) (p_prefix operator(pg_catalog.||) '/'));
    exception when unique_violation then
        raise exception 'threadguard: that user already has an item with the same namespace and key as one of namespace %; nothing was moved', p_prefix
            using errcode = 'unique_violation',
                  hint = 'Move or delete one of the two (as the DBA), then assign again.';
    end;
    get diagnostics v_n = row_count;
    insert into threadguard.audit_log (action, tenant_id, user_id, reason, row_count, detail)
    values ('assign_store_items', p_tenant_id, p_user_id, p_reason, v_n, pg_catalog.jsonb_build_object('namespace', p_prefix));
    return v_n;
end
$_$;

ALTER FUNCTION threadguard.assign_store_items(p_prefix text, p_tenant_id uuid, p_user_id uuid, p_reason text) OWNER TO threadguard_operator;

COMMENT ON FUNCTION threadguard.assign_store_items(p_prefix text, p_tenant_id uuid, p_user_id uuid, p_reason text) IS 'Adoption (operators): moves the store items of namespace p_prefix (dot-joined, as LangGraph stores it) and the namespaces under it into (p_tenant_id, p_user_id, ...), where that user sees them; returns how many. Refuses a namespace that already starts with a tenant id, and moves nothing when the user already holds one of the keys (23505). Audited with p_reason.';

CREATE FUNCTION threadguard.assign_thread(p_thread_id text, p_tenant_id uuid, p_user_id uuid, p_title text DEFAULT NULL::text) RETURNS bigint
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $_$
declare
    v_id uuid := threadguard.thread_uuid(p_thread_id);
    v_stamped bigint := 0;
    v_n bigint;
    v_table text;
begin
    if p_thread_id is null or p_tenant_id is null or p_user_id is null then
        raise exception 'threadguard: p_thread_id, p_tenant_id and p_user_id must not be null'
            using errcode = 'null_value_not_allowed';
    end if;
    if v_id is null then
        raise exception 'threadguard: thread_id % is not a canonical lower-case uuid, so it cannot become a conversation', p_thread_id
            using errcode = 'invalid_parameter_value',
                  hint = 'Such a thread can only be copied to a new thread whose id is a conversation id.';
    end if;
    if p_tenant_id operator(pg_catalog.=) '00000000-0000-0000-0000-000000000000'::pg_catalog.uuid
       or p_user_id operator(pg_catalog.=) '00000000-0000-0000-0000-000000000000'::pg_catalog.uuid then
        raise exception 'threadguard: the nil uuid is not a tenant or user' using errcode = 'invalid_parameter_value';
    end if;
    if exists (select from threadguard.conversations as c where c.id operator(pg_catalog.=) v_id) then
        raise exception 'threadguard: thread % already has a conversation', p_thread_id
            using errcode = 'unique_violation';
    end if;

    insert into threadguard.conversations (id, tenant_id, user_id, title)
    values (v_id, p_tenant_id, p_user_id, p_title);
    foreach v_table in array array['checkpoints', 'checkpoint_blobs', 'checkpoint_writes'] loop
        execute pg_catalog.format(
            'update public.%I set threadguard_tenant_id = $1, threadguard_user_id = $2'
            ' where thread_id operator(pg_catalog.=) $3 and threadguard_tenant_id is null', v_table)
            using p_tenant_id, p_user_id, p_thread_id;
        get diagnostics v_n = row_count;
        v_stamped := v_stamped operator(pg_catalog.+) v_n;
    end loop;
    if pg_catalog.to_regclass('threadguard.audit_log') is not null then  -- from migration 0014 on
        insert into threadguard.audit_log (action, tenant_id, user_id, reason, row_count, detail)
        values ('assign_thread', p_tenant_id, p_user_id, 'adoption', v_stamped, pg_catalog.jsonb_build_object('thread_id', p_thread_id));
    end if;
    return v_stamped;
end
$_$;

ALTER FUNCTION threadguard.assign_thread(p_thread_id text, p_tenant_id uuid, p_user_id uuid, p_title text) OWNER TO threadguard_operator;

COMMENT ON FUNCTION threadguard.assign_thread(p_thread_id text, p_tenant_id uuid, p_user_id uuid, p_title text) IS 'Adoption (operators): creates the conversation of an existing LangGraph thread for (p_tenant_id, p_user_id) and stamps the thread''s unowned checkpoint, blob and write rows with them; returns how many rows it stamped. Audited. 22023 for a thread id that is not a canonical uuid or a nil owner, 23505 when the thread already has a conversation.';

CREATE FUNCTION threadguard.audit_to_server_log() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
    raise log 'threadguard audit: %', pg_catalog.jsonb_build_object(
        'database', pg_catalog.current_database(), 'id', new.id, 'at', new.at, 'actor', new.actor, 'action', new.action,
        'tenant_id', new.tenant_id, 'user_id', new.user_id, 'reason', new.reason, 'row_count', new.row_count,
        'detail', new.detail, 'transaction', pg_catalog.pg_current_xact_id()::text);
    return null;
end
$$;

ALTER FUNCTION threadguard.audit_to_server_log() OWNER TO threadguard_owner;

COMMENT ON FUNCTION threadguard.audit_to_server_log() IS 'Trigger of threadguard.audit_log: writes each new audit row to the server log as "threadguard audit: {json}" (with its transaction id), where a rollback cannot take it back.';

CREATE FUNCTION threadguard.catalog_fingerprint() RETURNS jsonb
    LANGUAGE sql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
with protected(oid) as (
    select pg_catalog.to_regclass(t)
      from pg_catalog.unnest(array['threadguard.conversations', 'public.checkpoints', 'public.checkpoint_blobs',
                                   'public.checkpoint_writes', 'public.store', 'public.checkpoint_migrations',
                                   'public.store_migrations']) as t
     where pg_catalog.to_regclass(t) is not null
), objects(name, digest) as (
    select 'policy ' || p.polname || ' on ' || p.polrelid::pg_catalog.regclass::text,
           pg_catalog.md5(pg_catalog.concat_ws('|', p.polcmd, p.polpermissive, p.polroles::text,
                          pg_catalog.pg_get_expr(p.polqual, p.polrelid), pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid)))
      from pg_catalog.pg_policy as p join protected on protected.oid operator(pg_catalog.=) p.polrelid
    union all
    select 'trigger ' || t.tgname || ' on ' || t.tgrelid::pg_catalog.regclass::text, pg_catalog.md5(pg_catalog.pg_get_triggerdef(t.oid))
      from pg_catalog.pg_trigger as t join protected on protected.oid operator(pg_catalog.=) t.tgrelid where not t.tgisinternal
    union all
    select 'rule ' || r.rulename || ' on ' || r.ev_class::pg_catalog.regclass::text, pg_catalog.md5(pg_catalog.pg_get_ruledef(r.oid))
      from pg_catalog.pg_rewrite as r join protected on protected.oid operator(pg_catalog.=) r.ev_class
    union all
    select 'table ' || c.oid::pg_catalog.regclass::text,
           pg_catalog.md5(pg_catalog.concat_ws('|', c.relacl::text, c.relrowsecurity, c.relforcerowsecurity, c.relowner))
      from pg_catalog.pg_class as c join protected on protected.oid operator(pg_catalog.=) c.oid
    union all
    select 'column ' || a.attrelid::pg_catalog.regclass::text || '.' || a.attname,
           pg_catalog.md5(pg_catalog.concat_ws('|', a.attacl::text, pg_catalog.pg_get_expr(d.adbin, d.adrelid)))
      from pg_catalog.pg_attribute as a join protected on protected.oid operator(pg_catalog.=) a.attrelid
      left join pg_catalog.pg_attrdef as d on d.adrelid operator(pg_catalog.=) a.attrelid and d.adnum operator(pg_catalog.=) a.attnum
     where a.attnum operator(pg_catalog.>) 0 and not a.attisdropped and (a.attacl is not null or d.oid is not null)
    union all
    select 'function ' || p.oid::pg_catalog.regprocedure::text,
           pg_catalog.md5(pg_catalog.concat_ws('|', p.prosrc, p.prosecdef, p.provolatile, p.proconfig::text, p.proacl::text, p.proowner))
      from pg_catalog.pg_proc as p where p.pronamespace operator(pg_catalog.=) 'threadguard'::pg_catalog.regnamespace
    union all
    select 'view ' || c.oid::pg_catalog.regclass::text,
           pg_catalog.md5(pg_catalog.concat_ws('|', pg_catalog.pg_get_viewdef(c.oid), c.relacl::text, c.reloptions::text))
      from pg_catalog.pg_class as c
     where c.relnamespace operator(pg_catalog.=) 'threadguard'::pg_catalog.regnamespace and c.relkind operator(pg_catalog.=) 'v'
)
select coalesce(pg_catalog.jsonb_object_agg(o.name, o.digest), '{}') from objects as o
$$;

ALTER FUNCTION threadguard.catalog_fingerprint() OWNER TO threadguard_owner;

COMMENT ON FUNCTION threadguard.catalog_fingerprint() IS 'What threadguard''s definitions leave in the catalog, as {object: md5 of its definition}: policies, triggers, rules, grants and defaults of the protected tables, functions and views of schema threadguard. Recorded by migrate, compared by verify.';

CREATE FUNCTION threadguard.copy_conversation(p_source_thread_id uuid, p_target_thread_id uuid DEFAULT NULL::uuid, p_title text DEFAULT NULL::text) RETURNS uuid
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
    v_tenant_id uuid;  -- from threadguard.require_context(), read once
    v_user_id uuid;
    v_source threadguard.conversations;
    v_target uuid := coalesce(p_target_thread_id, pg_catalog.gen_random_uuid());
    v_target_text text;
begin
    select c.tenant_id, c.user_id into v_tenant_id, v_user_id from threadguard.require_context() as c;
    if p_source_thread_id is null then
        raise exception 'threadguard: p_source_thread_id must not be null' using errcode = 'null_value_not_allowed';
    end if;
    if p_title is not null and pg_catalog.char_length(p_title) not between 1 and 200 then
        raise exception 'threadguard: p_title must be 1 to 200 characters long (got %)', pg_catalog.char_length(p_title)
            using errcode = 'invalid_parameter_value';
    end if;
    if v_target operator(pg_catalog.=) '00000000-0000-0000-0000-000000000000'::pg_catalog.uuid then
        raise exception 'threadguard: p_target_thread_id must not be the nil uuid' using errcode = 'invalid_parameter_value';
    end if;

    -- FOR SHARE: a concurrent delete_conversation of the source waits or wins, never half.
    select * into v_source from threadguard.conversations as c
     where c.id operator(pg_catalog.=) p_source_thread_id
       and c.tenant_id operator(pg_catalog.=) v_tenant_id
       and c.user_id operator(pg_catalog.=) v_user_id
       for share;
    if not found then
        return null;
    end if;
    if threadguard.thread_awaits_adoption(v_target::text) then
        raise unique_violation;
    end if;
    insert into threadguard.conversations (id, tenant_id, user_id, title, metadata)
    values (v_target, v_tenant_id, v_user_id, coalesce(p_title, v_source.title), v_source.metadata)
    returning thread_id into v_target_text;

    insert into public.checkpoints (thread_id, checkpoint_ns, checkpoint_id, parent_checkpoint_id, type, checkpoint, metadata,
                                    threadguard_tenant_id, threadguard_user_id)
    select v_target_text, cp.checkpoint_ns, cp.checkpoint_id, cp.parent_checkpoint_id, cp.type, cp.checkpoint, cp.metadata,
           v_tenant_id, v_user_id
      from public.checkpoints as cp
     where cp.thread_id operator(pg_catalog.=) v_source.thread_id;
    insert into public.checkpoint_blobs (thread_id, checkpoint_ns, channel, version, type, blob,
                                         threadguard_tenant_id, threadguard_user_id)
    select v_target_text, b.checkpoint_ns, b.channel, b.version, b.type, b.blob, v_tenant_id, v_user_id
      from public.checkpoint_blobs as b
     where b.thread_id operator(pg_catalog.=) v_source.thread_id;
    insert into public.checkpoint_writes (thread_id, checkpoint_ns, checkpoint_id, task_id, idx, channel, type, blob, task_path,
                                          threadguard_tenant_id, threadguard_user_id)
    select v_target_text, w.checkpoint_ns, w.checkpoint_id, w.task_id, w.idx, w.channel, w.type, w.blob, w.task_path,
           v_tenant_id, v_user_id
      from public.checkpoint_writes as w
     where w.thread_id operator(pg_catalog.=) v_source.thread_id;
    return v_target;
exception when unique_violation then
    raise exception 'threadguard: a conversation with id % already exists', v_target
        using errcode = 'unique_violation',
              hint = 'Pass p_target_thread_id => null to copy into a fresh thread id.';
end
$$;

ALTER FUNCTION threadguard.copy_conversation(p_source_thread_id uuid, p_target_thread_id uuid, p_title text) OWNER TO threadguard_owner;

COMMENT ON FUNCTION threadguard.copy_conversation(p_source_thread_id uuid, p_target_thread_id uuid, p_title text) IS 'Copies one conversation of the current user (title unless p_title is given, metadata, and every checkpoint, blob and pending write of every namespace, ids and parent chain kept) into a new conversation of the same user with id p_target_thread_id (default: a fresh uuid), in one transaction; returns the new id. Null, creating nothing, when the source does not exist or belongs to someone else (indistinguishable). Raises 42501 without a valid context, 22023 on a bad title or the nil uuid, 22004 for a null source, 23505 when the target id is taken (by a conversation, or by a thread awaiting adoption).';

CREATE FUNCTION threadguard.current_tenant_id() RETURNS uuid
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$
    select nullif(cast(nullif(pg_catalog.current_setting('app.tenant_id', true), '') as pg_catalog.uuid),
                  '00000000-0000-0000-0000-000000000000')
$$;

ALTER FUNCTION threadguard.current_tenant_id() OWNER TO threadguard_owner;

COMMENT ON FUNCTION threadguard.current_tenant_id() IS 'The tenant of the current transaction (setting app.tenant_id) as a uuid; null when it is unset, empty or the nil uuid. A value that is not a uuid raises 22P02 (invalid_text_representation): nothing is read or written with it.';

CREATE FUNCTION threadguard.current_user_id() RETURNS uuid
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$
    select nullif(cast(nullif(pg_catalog.current_setting('app.user_id', true), '') as pg_catalog.uuid),
                  '00000000-0000-0000-0000-000000000000')
$$;

ALTER FUNCTION threadguard.current_user_id() OWNER TO threadguard_owner;

COMMENT ON FUNCTION threadguard.current_user_id() IS 'The user of the current transaction (setting app.user_id) as a uuid; null when it is unset, empty or the nil uuid. A value that is not a uuid raises 22P02 (invalid_text_representation): nothing is read or written with it.';

CREATE TABLE threadguard.conversations (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    tenant_id uuid DEFAULT threadguard.current_tenant_id() NOT NULL,
    user_id uuid DEFAULT threadguard.current_user_id() NOT NULL,
    title text,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    thread_id text GENERATED ALWAYS AS ((id)::text) STORED,
    metadata jsonb DEFAULT '{}'::jsonb NOT NULL,
    CONSTRAINT conversations_title_length CHECK (((char_length(title) >= 1) AND (char_length(title) <= 200)))
);

ALTER TABLE ONLY threadguard.conversations FORCE ROW LEVEL SECURITY;

ALTER TABLE threadguard.conversations OWNER TO threadguard_owner;

COMMENT ON TABLE threadguard.conversations IS 'One row per LangGraph thread: who owns it. A thread''s checkpoints are visible and writable only by the tenant and user of its conversation.';

COMMENT ON COLUMN threadguard.conversations.id IS 'The LangGraph thread_id, as a uuid. Checkpoint rows refer to it by its canonical lower-case text form.';

COMMENT ON COLUMN threadguard.conversations.tenant_id IS 'Owning tenant; set from app.tenant_id, never changes.';

COMMENT ON COLUMN threadguard.conversations.user_id IS 'Owning user within the tenant; set from app.user_id, never changes.';

COMMENT ON COLUMN threadguard.conversations.title IS 'Optional display title, 1 to 200 characters.';

COMMENT ON COLUMN threadguard.conversations.created_at IS 'When the conversation was created.';

COMMENT ON COLUMN threadguard.conversations.updated_at IS 'Last activity: creation, or the last checkpoint LangGraph wrote to the thread (maintained by a trigger on public.checkpoints).';

COMMENT ON COLUMN threadguard.conversations.thread_id IS 'The id as LangGraph''s text thread_id (canonical lower-case form); what checkpoint rows refer to.';

COMMENT ON COLUMN threadguard.conversations.metadata IS 'The application''s own labels for the conversation (a JSON object, at most 8 kB as text), searched by threadguard.search_conversations; never used for access decisions.';

COMMENT ON CONSTRAINT conversations_title_length ON threadguard.conversations IS 'Titles are 1 to 200 characters, or null.';

CREATE FUNCTION threadguard.create_conversation(p_title text DEFAULT NULL::text, p_id uuid DEFAULT NULL::uuid) RETURNS threadguard.conversations
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
    v_tenant_id uuid;  -- from threadguard.require_context(), read once
    v_user_id uuid;
    v_row threadguard.conversations;
begin
    select c.tenant_id, c.user_id into v_tenant_id, v_user_id from threadguard.require_context() as c;
    if p_title is not null and pg_catalog.char_length(p_title) not between 1 and 200 then
        raise exception 'threadguard: p_title must be 1 to 200 characters long (got %)', pg_catalog.char_length(p_title)
            using errcode = 'invalid_parameter_value';
    end if;
    if p_id operator(pg_catalog.=) '00000000-0000-0000-0000-000000000000'::pg_catalog.uuid then
        raise exception 'threadguard: p_id must not be the nil uuid' using errcode = 'invalid_parameter_value';
    end if;
    -- A thread LangGraph wrote before threadguard is its owner's once adopted: nobody may take its id first.
    if p_id is not null and threadguard.thread_awaits_adoption(p_id::text) then
        raise unique_violation;
    end if;
    insert into threadguard.conversations (id, tenant_id, user_id, title)
    values (coalesce(p_id, pg_catalog.gen_random_uuid()),
            v_tenant_id, v_user_id, p_title)
    returning * into v_row;
    return v_row;
exception when unique_violation then
    raise exception 'threadguard: a conversation with id % already exists', p_id
        using errcode = 'unique_violation',
              hint = 'Pass p_id => null to get a fresh thread id.';
end
$$;

ALTER FUNCTION threadguard.create_conversation(p_title text, p_id uuid) OWNER TO threadguard_owner;

COMMENT ON FUNCTION threadguard.create_conversation(p_title text, p_id uuid) IS 'Creates a conversation (a LangGraph thread) owned by the current app.tenant_id/app.user_id and returns it. p_title: null or 1-200 characters; p_id: the thread id to use (default: a fresh uuid). Raises 42501 without a valid context, 22023 on a bad title, 23505 when p_id is taken (by a conversation, or by a thread awaiting adoption).';

CREATE FUNCTION threadguard.delete_conversation(p_thread_id uuid) RETURNS boolean
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
    v_tenant_id uuid;  -- from threadguard.require_context(), read once
    v_user_id uuid;
begin
    select c.tenant_id, c.user_id into v_tenant_id, v_user_id from threadguard.require_context() as c;
    if p_thread_id is null then
        raise exception 'threadguard: p_thread_id must not be null' using errcode = 'null_value_not_allowed';
    end if;
    delete from threadguard.conversations as c
    where c.id operator(pg_catalog.=) p_thread_id
      and c.tenant_id operator(pg_catalog.=) v_tenant_id
      and c.user_id operator(pg_catalog.=) v_user_id;
    return found;
end
$$;

ALTER FUNCTION threadguard.delete_conversation(p_thread_id uuid) OWNER TO threadguard_owner;

COMMENT ON FUNCTION threadguard.delete_conversation(p_thread_id uuid) IS 'Deletes one conversation of the current user with all its checkpoints, blobs and writes (every namespace) in one transaction. True when deleted; false when the id does not exist or belongs to someone else (indistinguishable). Raises 42501 without a valid context, 22004 for a null id.';

CREATE FUNCTION threadguard.delete_namespace(p_thread_id uuid, p_checkpoint_ns text) RETURNS bigint
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
    v_tenant_id uuid;  -- from threadguard.require_context(), read once
    v_user_id uuid;
    v_thread text;
    v_n bigint;
    v_total bigint := 0;
begin
    select c.tenant_id, c.user_id into v_tenant_id, v_user_id from threadguard.require_context() as c;
    if p_thread_id is null or p_checkpoint_ns is null then
        raise exception 'threadguard: p_thread_id and p_checkpoint_ns must not be null' using errcode = 'null_value_not_allowed';
    end if;
    if p_checkpoint_ns operator(pg_catalog.=) '' then
        raise exception 'threadguard: the root namespace is the thread itself'
            using errcode = 'invalid_parameter_value',
                  hint = 'Delete the conversation with threadguard.delete_conversation, or its checkpoints with LangGraph''s delete_thread.';
    end if;
    select cv.thread_id into v_thread from threadguard.conversations as cv
     where cv.id operator(pg_catalog.=) p_thread_id
       and cv.tenant_id operator(pg_catalog.=) v_tenant_id
       and cv.user_id operator(pg_catalog.=) v_user_id;
    if v_thread is null then
        return null;  -- absent or someone else's: the same answer
    end if;
    -- The namespace and those nested under it ('<ns>|...'), compared without LIKE so
    -- that '%' or '_' in a namespace match only themselves.
    delete from public.checkpoint_writes as w
     where w.thread_id operator(pg_catalog.=) v_thread
       and (w.checkpoint_ns operator(pg_catalog.=) p_checkpoint_ns
            or pg_catalog.starts_with(w.checkpoint_ns, p_checkpoint_ns operator(pg_catalog.||) '|'));
    get diagnostics v_n = row_count;
    v_total := v_total operator(pg_catalog.+) v_n;
    delete from public.checkpoint_blobs as b
     where b.thread_id operator(pg_catalog.=) v_thread
       and (b.checkpoint_ns operator(pg_catalog.=) p_checkpoint_ns
            or pg_catalog.starts_with(b.checkpoint_ns, p_checkpoint_ns operator(pg_catalog.||) '|'));
    get diagnostics v_n = row_count;
    v_total := v_total operator(pg_catalog.+) v_n;
    delete from public.checkpoints as k
     where k.thread_id operator(pg_catalog.=) v_thread
       and (k.checkpoint_ns operator(pg_catalog.=) p_checkpoint_ns
            or pg_catalog.starts_with(k.checkpoint_ns, p_checkpoint_ns operator(pg_catalog.||) '|'));
    get diagnostics v_n = row_count;
    return v_total operator(pg_catalog.+) v_n;
end
$$;

ALTER FUNCTION threadguard.delete_namespace(p_thread_id uuid, p_checkpoint_ns text) OWNER TO threadguard_owner;

COMMENT ON FUNCTION threadguard.delete_namespace(p_thread_id uuid, p_checkpoint_ns text) IS 'Deletes the checkpoints, blobs and writes of one subgraph namespace (and the namespaces nested under it, ''<ns>|...'') of one conversation of the current user; returns how many rows it deleted, null when the conversation does not exist or belongs to someone else (indistinguishable). The root namespace is refused (22023): use delete_conversation. Raises 42501 without a valid context, 22004 for null arguments.';

CREATE FUNCTION threadguard.delete_runs(p_run_ids text[]) RETURNS bigint
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
    v_tenant_id uuid;  -- from threadguard.require_context(), read once
    v_user_id uuid;
    v_deleted bigint;
    v_threads text[];
begin
    select c.tenant_id, c.user_id into v_tenant_id, v_user_id from threadguard.require_context() as c;
    if p_run_ids is null then
        raise exception 'threadguard: p_run_ids must not be null (pass an empty array for none)' using errcode = 'null_value_not_allowed';
    end if;
    if pg_catalog.cardinality(p_run_ids) operator(pg_catalog.=) 0 then
        return 0;
    end if;

    -- The caller's threads first (owner index), then each one's checkpoints by key:
    -- the cost is the caller's checkpoints, never the table's.
    with gone as (
        delete from public.checkpoints as cp
         using threadguard.conversations as cv
         where cv.tenant_id operator(pg_catalog.=) v_tenant_id
           and cv.user_id operator(pg_catalog.=) v_user_id
           and cp.thread_id operator(pg_catalog.=) cv.thread_id
           and (cp.metadata operator(pg_catalog.->>) 'run_id') operator(pg_catalog.=) any (p_run_ids)
        returning cp.thread_id, cp.checkpoint_ns, cp.checkpoint_id
    ), writes as (
        delete from public.checkpoint_writes as w
         using gone as g
         where w.thread_id operator(pg_catalog.=) g.thread_id
           and w.checkpoint_ns operator(pg_catalog.=) g.checkpoint_ns
           and w.checkpoint_id operator(pg_catalog.=) g.checkpoint_id
        returning 1
    )
    select pg_catalog.count(*), pg_catalog.array_agg(distinct g.thread_id)
      into v_deleted, v_threads
      from gone as g;

    if v_deleted operator(pg_catalog.>) 0 then
        -- A new statement sees the checkpoints gone: a blob is kept while any checkpoint of
        -- its thread and namespace still names its version for its channel.
        delete from public.checkpoint_blobs as b
         where b.thread_id operator(pg_catalog.=) any (v_threads)
           and not exists (
               select from public.checkpoints as cp
                where cp.thread_id operator(pg_catalog.=) b.thread_id
                  and cp.checkpoint_ns operator(pg_catalog.=) b.checkpoint_ns
                  and ((cp.checkpoint operator(pg_catalog.->) 'channel_versions') operator(pg_catalog.->>) b.channel)
                      operator(pg_catalog.=) b.version);
    end if;
    return v_deleted;
end
$$;

ALTER FUNCTION threadguard.delete_runs(p_run_ids text[]) OWNER TO threadguard_owner;

COMMENT ON FUNCTION threadguard.delete_runs(p_run_ids text[]) IS 'Deletes every checkpoint of the current user''s conversations whose metadata run_id is one of p_run_ids (every namespace), with its pending writes and the blobs no remaining checkpoint refers to, in one transaction; returns how many checkpoints went. Runs of other users are out of reach (not counted). Raises 42501 without a valid context, 22004 for a null array.';

CREATE FUNCTION threadguard.erase(p_tenant_id uuid, p_user_id uuid, p_reason text, p_batch integer DEFAULT 500) RETURNS TABLE(erased bigint, remaining bigint)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
    v_from text;  -- the tenant's or user's store prefixes, threadguard.store_range
    v_to text;
    v_conversations bigint;
    v_items bigint;
begin
    if p_tenant_id is null or p_reason is null or pg_catalog.btrim(p_reason) operator(pg_catalog.=) '' then
        raise exception 'threadguard: erase needs a tenant and a reason (user null: the whole tenant)'
            using errcode = 'null_value_not_allowed';
    end if;
    if p_batch is null or p_batch not between 1 and 10000 then
        raise exception 'threadguard: p_batch must be between 1 and 10000 (got %)', coalesce(p_batch::text, 'null')
            using errcode = 'invalid_parameter_value';
    end if;
    select r.range_from, r.range_to into v_from, v_to from threadguard.store_range(p_tenant_id, p_user_id) as r;
    delete from threadguard.conversations as c
     where c.id operator(pg_catalog.=) any (array(
            select k.id from threadguard.conversations as k
             where k.tenant_id operator(pg_catalog.=) p_tenant_id
               and (p_user_id is null or k.user_id operator(pg_catalog.=) p_user_id)
             limit p_batch));
    get diagnostics v_conversations = row_count;
    -- The user's namespaces (tenant_id.user_id.*), or all of the tenant's (tenant_id.*).
    delete from public.store as s
     where s.ctid operator(pg_catalog.=) any (array(
            select k.ctid from public.store as k
             where k.prefix operator(pg_catalog.~>=~) v_from and k.prefix operator(pg_catalog.~<~) v_to
             limit p_batch));
    get diagnostics v_items = row_count;
    erased := v_conversations operator(pg_catalog.+) v_items;
    select pg_catalog.count(*) into remaining from threadguard.conversations as k
     where k.tenant_id operator(pg_catalog.=) p_tenant_id
       and (p_user_id is null or k.user_id operator(pg_catalog.=) p_user_id);
    remaining := remaining operator(pg_catalog.+) (select pg_catalog.count(*) from public.store as k
     where k.prefix operator(pg_catalog.~>=~) v_from and k.prefix operator(pg_catalog.~<~) v_to);
    insert into threadguard.audit_log (action, tenant_id, user_id, reason, row_count, detail)
    values ('erase', p_tenant_id, p_user_id, p_reason, erased,
            pg_catalog.jsonb_build_object('conversations', v_conversations, 'store_items', v_items, 'remaining', remaining));
    return next;
end
$$;

ALTER FUNCTION threadguard.erase(p_tenant_id uuid, p_user_id uuid, p_reason text, p_batch integer) OWNER TO threadguard_operator;

COMMENT ON FUNCTION threadguard.erase(p_tenant_id uuid, p_user_id uuid, p_reason text, p_batch integer) IS 'Erasure (operators): deletes up to p_batch conversations of p_user_id in p_tenant_id (of the whole tenant when p_user_id is null) with all their checkpoints, blobs and writes, and up to p_batch of their store items (the user''s namespaces; the whole tenant''s, shared ones included, when p_user_id is null); returns how many conversations and items it erased and how many are left (call again until none is). Every call is audited with p_reason.';

CREATE FUNCTION threadguard.erasure_left(p_tenant_id uuid, p_user_id uuid, p_reason text) RETURNS TABLE(conversations bigint, checkpoints bigint, checkpoint_blobs bigint, checkpoint_writes bigint, store_items bigint)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
    v_from text;  -- the tenant's or user's store prefixes, threadguard.store_range
    v_to text;
begin
    if p_tenant_id is null or p_reason is null or pg_catalog.btrim(p_reason) operator(pg_catalog.=) '' then
        raise exception 'threadguard: erasure_left needs a tenant and a reason' using errcode = 'null_value_not_allowed';
    end if;
    select r.range_from, r.range_to into v_from, v_to from threadguard.store_range(p_tenant_id, p_user_id) as r;
    select pg_catalog.count(*) into conversations from threadguard.conversations as k
     where k.tenant_id operator(pg_catalog.=) p_tenant_id and (p_user_id is null or k.user_id operator(pg_catalog.=) p_user_id);
    select pg_catalog.count(*) into checkpoints from public.checkpoints as r
     where r.threadguard_tenant_id operator(pg_catalog.=) p_tenant_id
       and (p_user_id is null or r.threadguard_user_id operator(pg_catalog.=) p_user_id);
    select pg_catalog.count(*) into checkpoint_blobs from public.checkpoint_blobs as r
     where r.threadguard_tenant_id operator(pg_catalog.=) p_tenant_id
       and (p_user_id is null or r.threadguard_user_id operator(pg_catalog.=) p_user_id);
    select pg_catalog.count(*) into checkpoint_writes from public.checkpoint_writes as r
     where r.threadguard_tenant_id operator(pg_catalog.=) p_tenant_id
       and (p_user_id is null or r.threadguard_user_id operator(pg_catalog.=) p_user_id);
    select pg_catalog.count(*) into store_items from public.store as s
     where s.prefix operator(pg_catalog.~>=~) v_from and s.prefix operator(pg_catalog.~<~) v_to;
    insert into threadguard.audit_log (action, tenant_id, user_id, reason, row_count, detail)
    values ('erasure_left', p_tenant_id, p_user_id, p_reason,
            conversations operator(pg_catalog.+) checkpoints operator(pg_catalog.+) checkpoint_blobs
                operator(pg_catalog.+) checkpoint_writes operator(pg_catalog.+) store_items,
            pg_catalog.jsonb_build_object('conversations', conversations, 'checkpoints', checkpoints,
                                          'checkpoint_blobs', checkpoint_blobs, 'checkpoint_writes', checkpoint_writes,
                                          'store_items', store_items));
    return next;
end
$$;

ALTER FUNCTION threadguard.erasure_left(p_tenant_id uuid, p_user_id uuid, p_reason text) OWNER TO threadguard_operator;

COMMENT ON FUNCTION threadguard.erasure_left(p_tenant_id uuid, p_user_id uuid, p_reason text) IS 'Erasure proof (operators): how many conversations, checkpoints, blobs, writes and store items of p_user_id in p_tenant_id (the whole tenant when null, shared items included) are left; all zero once an erasure is complete. Audited with p_reason.';

CREATE FUNCTION threadguard.export_checkpoints(p_tenant_id uuid, p_thread_id uuid, p_reason text) RETURNS TABLE(thread_id text, checkpoint jsonb, checkpoint_ns text, checkpoint_id text, parent_checkpoint_id text, metadata jsonb, channel_values bytea[], pending_writes bytea[])
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
#variable_conflict use_column
declare
    v_n bigint;
begin
    if p_tenant_id is null or p_thread_id is null or p_reason is null or pg_catalog.btrim(p_reason) operator(pg_catalog.=) '' then
        raise exception 'threadguard: an export needs a tenant, a thread and a reason' using errcode = 'null_value_not_allowed';
    end if;
    return query
    select k.thread_id, k.checkpoint, k.checkpoint_ns, k.checkpoint_id, k.parent_checkpoint_id, k.metadata,
           (select pg_catalog.array_agg(array[pg_catalog.convert_to(bl.channel, 'UTF8'), pg_catalog.convert_to(bl.type, 'UTF8'), bl.blob])
              from pg_catalog.jsonb_each_text(k.checkpoint operator(pg_catalog.->) 'channel_versions') as v
              join public.checkpoint_blobs as bl
                on bl.thread_id operator(pg_catalog.=) k.thread_id and bl.checkpoint_ns operator(pg_catalog.=) k.checkpoint_ns
               and bl.channel operator(pg_catalog.=) v.key and bl.version operator(pg_catalog.=) v.value),
           (select pg_catalog.array_agg(array[pg_catalog.convert_to(cw.task_id, 'UTF8'), pg_catalog.convert_to(cw.channel, 'UTF8'),
                                              pg_catalog.convert_to(cw.type, 'UTF8'), cw.blob, pg_catalog.convert_to(cw.task_path, 'UTF8'),
                                              pg_catalog.convert_to(cw.idx::text, 'UTF8')])
              from public.checkpoint_writes as cw
             where cw.thread_id operator(pg_catalog.=) k.thread_id and cw.checkpoint_ns operator(pg_catalog.=) k.checkpoint_ns
               and cw.checkpoint_id operator(pg_catalog.=) k.checkpoint_id)
      from threadguard.conversations as c
      join public.checkpoints as k on k.thread_id operator(pg_catalog.=) c.thread_id and k.checkpoint_ns operator(pg_catalog.=) ''
     where c.id operator(pg_catalog.=) p_thread_id and c.tenant_id operator(pg_catalog.=) p_tenant_id
     order by k.checkpoint_id desc;
    get diagnostics v_n = row_count;
    insert into threadguard.audit_log (action, tenant_id, reason, row_count, detail)
    values ('export_checkpoints', p_tenant_id, p_reason, v_n, pg_catalog.jsonb_build_object('thread_id', p_thread_id));
end
$$;

ALTER FUNCTION threadguard.export_checkpoints(p_tenant_id uuid, p_thread_id uuid, p_reason text) OWNER TO threadguard_operator;

COMMENT ON FUNCTION threadguard.export_checkpoints(p_tenant_id uuid, p_thread_id uuid, p_reason text) IS 'Export (operators): the root checkpoints of conversation p_thread_id of p_tenant_id, newest first, with their blobs and pending writes as LangGraph''s saver reads them; no rows when the conversation is not that tenant''s. Audited with p_reason.';

CREATE FUNCTION threadguard.export_conversations(p_tenant_id uuid, p_user_id uuid, p_reason text) RETURNS TABLE(thread_id uuid, user_id uuid, title text, created_at timestamp with time zone, updated_at timestamp with time zone)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
#variable_conflict use_column
declare
    v_n bigint;
begin
    if p_tenant_id is null or p_reason is null or pg_catalog.btrim(p_reason) operator(pg_catalog.=) '' then
        raise exception 'threadguard: an export needs a tenant and a reason' using errcode = 'null_value_not_allowed';
    end if;
    return query
    select c.id, c.user_id, c.title, c.created_at, c.updated_at from threadguard.conversations as c
     where c.tenant_id operator(pg_catalog.=) p_tenant_id and (p_user_id is null or c.user_id operator(pg_catalog.=) p_user_id)
     order by c.id;
    get diagnostics v_n = row_count;
    insert into threadguard.audit_log (action, tenant_id, user_id, reason, row_count)
    values ('export', p_tenant_id, p_user_id, p_reason, v_n);
end
$$;

ALTER FUNCTION threadguard.export_conversations(p_tenant_id uuid, p_user_id uuid, p_reason text) OWNER TO threadguard_operator;

COMMENT ON FUNCTION threadguard.export_conversations(p_tenant_id uuid, p_user_id uuid, p_reason text) IS 'Export (operators): the conversations of p_user_id in p_tenant_id (the whole tenant when null), by id. Audited with p_reason and the count.';

CREATE FUNCTION threadguard.export_store_items(p_tenant_id uuid, p_user_id uuid, p_reason text) RETURNS TABLE(namespace text[], key text, value jsonb, created_at timestamp with time zone, updated_at timestamp with time zone, expires_at timestamp with time zone, ttl_minutes integer)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
#variable_conflict use_column
declare
    v_from text;  -- the tenant's or user's store prefixes, threadguard.store_range
    v_to text;
    v_n bigint;
begin
    if p_tenant_id is null or p_reason is null or pg_catalog.btrim(p_reason) operator(pg_catalog.=) '' then
        raise exception 'threadguard: an export needs a tenant and a reason' using errcode = 'null_value_not_allowed';
    end if;
    select r.range_from, r.range_to into v_from, v_to from threadguard.store_range(p_tenant_id, p_user_id) as r;
    return query
    select pg_catalog.string_to_array(s.prefix, '.'), s.key, s.value, s.created_at, s.updated_at, s.expires_at, s.ttl_minutes
      from public.store as s
     where s.prefix operator(pg_catalog.~>=~) v_from and s.prefix operator(pg_catalog.~<~) v_to
     order by s.prefix, s.key;
    get diagnostics v_n = row_count;
    insert into threadguard.audit_log (action, tenant_id, user_id, reason, row_count)
    values ('export_store', p_tenant_id, p_user_id, p_reason, v_n);
end
$$;

ALTER FUNCTION threadguard.export_store_items(p_tenant_id uuid, p_user_id uuid, p_reason text) OWNER TO threadguard_operator;

COMMENT ON FUNCTION threadguard.export_store_items(p_tenant_id uuid, p_user_id uuid, p_reason text) IS 'Export (operators): the store items of p_user_id in p_tenant_id (their namespaces; the whole tenant''s, shared ones included, when null), namespace as LangGraph''s tuple, by namespace and key. Audited with p_reason and the count.';

CREATE FUNCTION threadguard.get_conversation(p_thread_id uuid) RETURNS TABLE(thread_id uuid, title text, created_at timestamp with time zone, updated_at timestamp with time zone, checkpoint_id text, metadata jsonb, checkpoint jsonb)
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
#variable_conflict use_column
declare
    v_tenant_id uuid;  -- from threadguard.require_context(), read once
    v_user_id uuid;
begin
    select c.tenant_id, c.user_id into v_tenant_id, v_user_id from threadguard.require_context() as c;
    if p_thread_id is null then
        raise exception 'threadguard: p_thread_id must not be null' using errcode = 'null_value_not_allowed';
    end if;
    -- The checkpoint lookup joins on the stored text id: under RLS only a
    -- leakproof condition may use the checkpoints index, and a cast of c.id
    -- would not be one.
    return query
    select c.id, c.title, c.created_at, c.updated_at, k.checkpoint_id, k.metadata, k.checkpoint
    from (
        select cv.id, cv.thread_id, cv.title, cv.created_at, cv.updated_at
        from threadguard.conversations as cv
        where cv.id operator(pg_catalog.=) p_thread_id
          and cv.tenant_id operator(pg_catalog.=) v_tenant_id
          and cv.user_id operator(pg_catalog.=) v_user_id
        offset 0
    ) as c
    left join lateral (
        select cp.checkpoint_id, cp.metadata, cp.checkpoint
        from public.checkpoints as cp
        where cp.thread_id operator(pg_catalog.=) c.thread_id
          and cp.checkpoint_ns operator(pg_catalog.=) ''
        order by cp.checkpoint_id desc
        limit 1
    ) as k on true;
end
$$;

ALTER FUNCTION threadguard.get_conversation(p_thread_id uuid) OWNER TO threadguard_owner;

COMMENT ON FUNCTION threadguard.get_conversation(p_thread_id uuid) IS 'One conversation of the current user with its latest root checkpoint (checkpoint_id, metadata, checkpoint; null when none yet). No row when the id does not exist or belongs to someone else: the two are indistinguishable. Raises 42501 without a valid context, 22004 for a null id.';

CREATE FUNCTION threadguard.list_conversations(p_limit integer DEFAULT 50, p_before_updated_at timestamp with time zone DEFAULT NULL::timestamp with time zone, p_before_id uuid DEFAULT NULL::uuid) RETURNS TABLE(thread_id uuid, title text, created_at timestamp with time zone, updated_at timestamp with time zone, checkpoint_id text, metadata jsonb)
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    SET enable_sort TO 'off'
    AS $$
#variable_conflict use_column
declare
    v_tenant_id uuid;  -- from threadguard.require_context(), read once
    v_user_id uuid;
begin
    select c.tenant_id, c.user_id into v_tenant_id, v_user_id from threadguard.require_context() as c;
    if p_limit is null or p_limit operator(pg_catalog.<) 1 then
        raise exception 'threadguard: p_limit must be a positive integer (got %)', coalesce(p_limit::text, 'null')
            using errcode = 'invalid_parameter_value';
    end if;
    if (p_before_updated_at is null) operator(pg_catalog.<>) (p_before_id is null) then
        raise exception 'threadguard: pass both p_before_updated_at and p_before_id (the last row''s updated_at and thread_id), or neither'
            using errcode = 'invalid_parameter_value';
    end if;

    -- The page is chosen first, then its checkpoints are looked up by the stored
    -- text id: under RLS only a leakproof condition may use the checkpoints
    -- index, and a cast of c.id would not be one.
    return query
    select c.id, c.title, c.created_at, c.updated_at, k.checkpoint_id, k.metadata
    from (
        select cv.id, cv.thread_id, cv.title, cv.created_at, cv.updated_at
        from threadguard.conversations as cv
        where cv.tenant_id operator(pg_catalog.=) v_tenant_id
          and cv.user_id operator(pg_catalog.=) v_user_id
          and (p_before_updated_at is null
               or (cv.updated_at, cv.id) operator(pg_catalog.<) (p_before_updated_at, p_before_id))
        order by cv.updated_at desc, cv.id desc
        limit least(p_limit, 200)  -- LEAST is syntax, not a function: nothing to shadow
    ) as c
    left join lateral (
        select cp.checkpoint_id, cp.metadata
        from public.checkpoints as cp
        where cp.thread_id operator(pg_catalog.=) c.thread_id
          and cp.checkpoint_ns operator(pg_catalog.=) ''
        order by cp.checkpoint_id desc
        limit 1
    ) as k on true
    order by c.updated_at desc, c.id desc;
end
$$;

ALTER FUNCTION threadguard.list_conversations(p_limit integer, p_before_updated_at timestamp with time zone, p_before_id uuid) OWNER TO threadguard_owner;

COMMENT ON FUNCTION threadguard.list_conversations(p_limit integer, p_before_updated_at timestamp with time zone, p_before_id uuid) IS 'The current user''s conversations, most recently active first, with each thread''s latest root checkpoint (checkpoint_id and metadata, null when none yet). p_limit: 1 or more, clamped to 200. Next page: pass the last row''s updated_at and thread_id as p_before_updated_at and p_before_id. Raises 42501 without a valid context, 22023 on bad arguments.';

CREATE FUNCTION threadguard.open_support_access(p_tenant_id uuid, p_reason text, p_minutes integer DEFAULT 60) RETURNS timestamp with time zone
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
    v_expires timestamptz;
begin
    if p_tenant_id is null or p_reason is null or pg_catalog.btrim(p_reason) operator(pg_catalog.=) '' then
        raise exception 'threadguard: a support access needs a tenant and a reason' using errcode = 'null_value_not_allowed';
    end if;
    if p_minutes is null or p_minutes not between 1 and 480 then
        raise exception 'threadguard: a support access lasts 1 to 480 minutes (got %)', coalesce(p_minutes::text, 'null')
            using errcode = 'invalid_parameter_value';
    end if;
    insert into threadguard.support_access (tenant_id, reason, expires_at)
    values (p_tenant_id, p_reason, pg_catalog.clock_timestamp() operator(pg_catalog.+) pg_catalog.make_interval(mins => p_minutes))
    returning expires_at into v_expires;
    insert into threadguard.audit_log (action, tenant_id, reason, row_count, detail)
    values ('support_open', p_tenant_id, p_reason, 0, pg_catalog.jsonb_build_object('expires_at', v_expires));
    return v_expires;
end
$$;

ALTER FUNCTION threadguard.open_support_access(p_tenant_id uuid, p_reason text, p_minutes integer) OWNER TO threadguard_operator;

COMMENT ON FUNCTION threadguard.open_support_access(p_tenant_id uuid, p_reason text, p_minutes integer) IS 'Support: opens read access to p_tenant_id''s conversations for the calling login, for p_minutes (1-480), with p_reason; returns when it ends. Audited.';

CREATE PROCEDURE threadguard.partition_checkpoint_tables(IN p_partitions integer)
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
    v_table text;
    v_old text;
    v_kind "char";
    v_count integer;
    v_rows bigint;
    v_copied bigint;
    v_index record;
    v_rebuild text[];
    v_statement text;
begin
    if p_partitions is null or p_partitions operator(pg_catalog.<) 2 or p_partitions operator(pg_catalog.>) 1024 then
        raise exception 'threadguard: the number of partitions must be between 2 and 1024 (got %)', p_partitions
            using errcode = '22023';
    end if;
    foreach v_table in array array['checkpoints', 'checkpoint_blobs', 'checkpoint_writes'] loop
        select c.relkind into v_kind from pg_catalog.pg_class as c
         where c.oid operator(pg_catalog.=) pg_catalog.to_regclass('public.' operator(pg_catalog.||) v_table);
        if v_kind is null then
            raise exception 'threadguard: public.% does not exist', v_table
                using errcode = '42P01', hint = 'Run `threadguard migrate` first.';
        end if;
        if v_kind operator(pg_catalog.=) 'p' then
            select pg_catalog.count(*) into v_count from pg_catalog.pg_inherits as i
             where i.inhparent operator(pg_catalog.=) pg_catalog.to_regclass('public.' operator(pg_catalog.||) v_table);
            if v_count operator(pg_catalog.<>) p_partitions then
                raise exception 'threadguard: public.% is already hash-partitioned in % partitions, not % (changing the number is not supported)',
                    v_table, v_count, p_partitions using errcode = '22023';
            end if;
            continue;  -- already done (a second run changes nothing)
        end if;
        v_old := v_table operator(pg_catalog.||) '_tg_unpartitioned';
        execute pg_catalog.format('lock table public.%I in access exclusive mode', v_table);
        -- What LIKE does not copy (or would name otherwise), read while the names still point at the old table.
        v_rebuild := array(
            select pg_catalog.format('alter table public.%I add constraint %I %s', v_table, k.conname, pg_catalog.pg_get_constraintdef(k.oid))
              from pg_catalog.pg_constraint as k
             where k.conrelid operator(pg_catalog.=) pg_catalog.to_regclass('public.' operator(pg_catalog.||) v_table)
               and k.contype operator(pg_catalog.=) 'f'
             order by k.conname)
          operator(pg_catalog.||) array(
            select pg_catalog.pg_get_triggerdef(t.oid) from pg_catalog.pg_trigger as t
             where t.tgrelid operator(pg_catalog.=) pg_catalog.to_regclass('public.' operator(pg_catalog.||) v_table)
               and not t.tgisinternal
             order by t.tgname)
          operator(pg_catalog.||) array(
            select pg_catalog.pg_get_statisticsobjdef(s.oid) from pg_catalog.pg_statistic_ext as s
             where s.stxrelid operator(pg_catalog.=) pg_catalog.to_regclass('public.' operator(pg_catalog.||) v_table)
             order by s.stxname);
        -- Free the names: the old table and its indexes step aside, the new ones take them.
        execute pg_catalog.format('alter table public.%I rename to %I', v_table, v_old);
        for v_index in
            select x.relname::text as name from pg_catalog.pg_index as i join pg_catalog.pg_class as x on x.oid operator(pg_catalog.=) i.indexrelid
             where i.indrelid operator(pg_catalog.=) pg_catalog.to_regclass('public.' operator(pg_catalog.||) v_old)
        loop
            execute pg_catalog.format('alter index public.%I rename to %I', v_index.name,
                                      pg_catalog.left(v_index.name, 50) operator(pg_catalog.||) '_tg_old');
        end loop;
        execute pg_catalog.format('create table public.%I (like public.%I including all excluding statistics) partition by hash (thread_id)', v_table, v_old);
        for v_count in 0 .. p_partitions operator(pg_catalog.-) 1 loop
            execute pg_catalog.format('create table public.%I partition of public.%I for values with (modulus %s, remainder %s)',
                                      v_table operator(pg_catalog.||) '_p' operator(pg_catalog.||) v_count, v_table, p_partitions, v_count);
            execute pg_catalog.format('alter table public.%I enable row level security', v_table operator(pg_catalog.||) '_p' operator(pg_catalog.||) v_count);
            execute pg_catalog.format('alter table public.%I force row level security', v_table operator(pg_catalog.||) '_p' operator(pg_catalog.||) v_count);
            execute pg_catalog.format('comment on table public.%I is %L', v_table operator(pg_catalog.||) '_p' operator(pg_catalog.||) v_count,
                pg_catalog.format('Hash partition %s of %s of public.%s (by thread_id): reached only through public.%s, whose grants and policies apply; RLS forced, no policy, no grant.',
                                  v_count, p_partitions, v_table, v_table));
        end loop;
        -- Every row, as they are: the owner reads the old table without its forced policies (nothing
        -- else can reach it under the lock), and the new one has no trigger yet to restamp them.
        execute pg_catalog.format('alter table public.%I no force row level security', v_old);
        execute pg_catalog.format('select pg_catalog.count(*) from public.%I', v_old) into v_rows;
        execute pg_catalog.format('insert into public.%I select * from public.%I', v_table, v_old);
        get diagnostics v_copied = row_count;
        if v_copied operator(pg_catalog.<>) v_rows then
            raise exception 'threadguard: copied % of % rows of public.%', v_copied, v_rows, v_table;
        end if;
        execute pg_catalog.format('comment on table public.%I is %L', v_table,
                                  pg_catalog.obj_description(pg_catalog.to_regclass('public.' operator(pg_catalog.||) v_old), 'pg_class'));
        execute pg_catalog.format('drop table public.%I', v_old);
        -- Its ownership key, triggers and statistics, by their names (free now).
        foreach v_statement in array v_rebuild loop
            execute v_statement;
        end loop;
        raise notice 'threadguard: public.% hash-partitioned in % partitions, % rows', v_table, p_partitions, v_rows;
    end loop;
end
$$;

ALTER PROCEDURE threadguard.partition_checkpoint_tables(IN p_partitions integer) OWNER TO threadguard_owner;

COMMENT ON PROCEDURE threadguard.partition_checkpoint_tables(IN p_partitions integer) IS 'Rebuilds public.checkpoints, checkpoint_blobs and checkpoint_writes hash-partitioned by thread_id into p_partitions partitions (2 to 1024), every row kept, in the caller''s transaction; does nothing to a table already partitioned so. Partitions: RLS forced, no policy, no grant. Run by `threadguard partition` as the owner role, which then applies sql/ in the same transaction.';

CREATE FUNCTION threadguard.prune_audit_log(p_older_than interval DEFAULT '1 year'::interval) RETURNS bigint
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
    v_n bigint;
begin
    if p_older_than is null or p_older_than operator(pg_catalog.<) interval '90 days' then
        raise exception 'threadguard: audit rows are kept at least 90 days (got %)', coalesce(p_older_than::text, 'null')
            using errcode = 'invalid_parameter_value';
    end if;
    delete from threadguard.audit_log as a where a.at operator(pg_catalog.<) (pg_catalog.now() operator(pg_catalog.-) p_older_than);
    get diagnostics v_n = row_count;
    return v_n;
end
$$;

ALTER FUNCTION threadguard.prune_audit_log(p_older_than interval) OWNER TO threadguard_owner;

COMMENT ON FUNCTION threadguard.prune_audit_log(p_older_than interval) IS 'Deletes audit rows older than p_older_than (at least 90 days); returns how many. For the DBA (a superuser): no role is granted it.';

CREATE FUNCTION threadguard.rename_conversation(p_thread_id uuid, p_title text) RETURNS boolean
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
    v_tenant_id uuid;  -- from threadguard.require_context(), read once
    v_user_id uuid;
begin
    select c.tenant_id, c.user_id into v_tenant_id, v_user_id from threadguard.require_context() as c;
    if p_thread_id is null then
        raise exception 'threadguard: p_thread_id must not be null' using errcode = 'null_value_not_allowed';
    end if;
    if p_title is not null and pg_catalog.char_length(p_title) not between 1 and 200 then
        raise exception 'threadguard: p_title must be 1 to 200 characters long (got %)', pg_catalog.char_length(p_title)
            using errcode = 'invalid_parameter_value';
    end if;
    update threadguard.conversations as c set title = p_title
     where c.id operator(pg_catalog.=) p_thread_id
       and c.tenant_id operator(pg_catalog.=) v_tenant_id
       and c.user_id operator(pg_catalog.=) v_user_id;
    return found;
end
$$;

ALTER FUNCTION threadguard.rename_conversation(p_thread_id uuid, p_title text) OWNER TO threadguard_owner;

COMMENT ON FUNCTION threadguard.rename_conversation(p_thread_id uuid, p_title text) IS 'Sets the title (null, or 1-200 characters) of one conversation of the current user. True when renamed; false when the id does not exist or belongs to someone else (indistinguishable). Raises 42501 without a valid context, 22023 on a bad title, 22004 for a null id.';

CREATE FUNCTION threadguard.require_context(OUT tenant_id uuid, OUT user_id uuid) RETURNS record
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
    v_hint constant text := 'Bind the caller''s identity in this transaction first: begin; select set_config(''app.tenant_id'', ''<uuid>'', true), set_config(''app.user_id'', ''<uuid>'', true); ...';
begin
    begin
        tenant_id := threadguard.current_tenant_id();
    exception when invalid_text_representation then
        tenant_id := null;  -- not a uuid: the same answer as unset
    end;
    if tenant_id is null then
        raise exception 'threadguard: app.tenant_id is not set to a valid uuid'
            using errcode = 'insufficient_privilege', hint = v_hint;
    end if;
    begin
        user_id := threadguard.current_user_id();
    exception when invalid_text_representation then
        user_id := null;
    end;
    if user_id is null then
        raise exception 'threadguard: app.user_id is not set to a valid uuid'
            using errcode = 'insufficient_privilege', hint = v_hint;
    end if;
end
$$;

ALTER FUNCTION threadguard.require_context(OUT tenant_id uuid, OUT user_id uuid) OWNER TO threadguard_owner;

COMMENT ON FUNCTION threadguard.require_context(OUT tenant_id uuid, OUT user_id uuid) IS 'The current (tenant_id, user_id), as current_tenant_id() and current_user_id() return them; raises 42501 naming the missing setting unless both are valid uuids. Every API function calls it first and uses what it returns.';

CREATE FUNCTION threadguard.row_counts(p_reason text) RETURNS TABLE(table_name text, tenant_id uuid, row_count bigint)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $_$
declare
    v_lines bigint;  -- how many (table, tenant) lines were returned
begin
    if p_reason is null or pg_catalog.btrim(p_reason) operator(pg_catalog.=) '' then
        raise exception 'threadguard: row_counts needs a reason (recorded in threadguard.audit_log)'
            using errcode = 'null_value_not_allowed';
    end if;
    return query
    select 'threadguard.conversations'::text, k.tenant_id, pg_catalog.count(*)
      from threadguard.conversations as k group by 2
    union all
    select 'public.checkpoints', r.threadguard_tenant_id, pg_catalog.count(*) from public.checkpoints as r group by 2
    union all
    select 'public.checkpoint_blobs', r.threadguard_tenant_id, pg_catalog.count(*) from public.checkpoint_blobs as r group by 2
    union all
    select 'public.checkpoint_writes', r.threadguard_tenant_id, pg_catalog.count(*) from public.checkpoint_writes as r group by 2
    union all
    -- A store item's tenant is its namespace's first label, when that is a uuid (else nobody's).
    select 'public.store',
           case when pg_catalog.split_part(s.prefix, '.', 1)
                     operator(pg_catalog.~) '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
                then pg_catalog.split_part(s.prefix, '.', 1)::pg_catalog.uuid end,
           pg_catalog.count(*)
      from public.store as s group by 2
    order by 1, 2 nulls first;
    get diagnostics v_lines = row_count;
    insert into threadguard.audit_log (action, reason, row_count, detail)
    values ('row_counts', p_reason, 0, pg_catalog.jsonb_build_object('lines', v_lines));
end
$_$;

ALTER FUNCTION threadguard.row_counts(p_reason text) OWNER TO threadguard_operator;

COMMENT ON FUNCTION threadguard.row_counts(p_reason text) IS 'Restore proof (operators): rows per protected table and tenant (tenant null: rows nobody owns yet), every tenant''s; compare the output before a dump and after its restore. Audited with p_reason.';

CREATE PROCEDURE threadguard.run_maintenance(IN p_retention_batch integer DEFAULT 500, IN p_sweep_batch integer DEFAULT 10000)
    LANGUAGE plpgsql
    AS $$
declare
    v_after uuid;     -- where the next retention batch starts (null: done)
    v_deleted bigint;
    v_remaining bigint;
begin
    if p_retention_batch is null or p_retention_batch operator(pg_catalog.<) 1
       or p_sweep_batch is null or p_sweep_batch operator(pg_catalog.<) 1 then
        raise exception 'threadguard: run_maintenance needs positive batch sizes' using errcode = 'invalid_parameter_value';
    end if;
    loop
        select r.next_after into v_after from threadguard.apply_retention(p_retention_batch, v_after, false) as r;
        commit;
        exit when v_after is null;
    end loop;
    loop
        select s.deleted, s.remaining into v_deleted, v_remaining from threadguard.sweep_store(p_sweep_batch) as s;
        commit;
        exit when v_remaining operator(pg_catalog.=) 0 or v_deleted operator(pg_catalog.=) 0;
    end loop;
end
$$;

ALTER PROCEDURE threadguard.run_maintenance(IN p_retention_batch integer, IN p_sweep_batch integer) OWNER TO threadguard_owner;

COMMENT ON PROCEDURE threadguard.run_maintenance(IN p_retention_batch integer, IN p_sweep_batch integer) IS 'Scheduled operations (operators; e.g. pg_cron: call threadguard.run_maintenance()): apply_retention over every conversation, then sweep_store until no expired item is left, committing after each batch. Needs threadguard_admin; audited by the functions it calls.';

CREATE FUNCTION threadguard.search_conversations(p_title_contains text DEFAULT NULL::text, p_metadata jsonb DEFAULT NULL::jsonb, p_limit integer DEFAULT 50, p_before_updated_at timestamp with time zone DEFAULT NULL::timestamp with time zone, p_before_id uuid DEFAULT NULL::uuid) RETURNS TABLE(thread_id uuid, title text, metadata jsonb, created_at timestamp with time zone, updated_at timestamp with time zone)
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    SET enable_sort TO 'off'
    AS $$
#variable_conflict use_column
declare
    v_tenant_id uuid;  -- from threadguard.require_context(), read once
    v_user_id uuid;
    -- The text as an ILIKE pattern that matches it literally: \ % _ escaped (ILIKE is cheaper per
    -- row than lower() + strpos: bench/ATTEMPTS.md).
    v_pattern text := '%' || pg_catalog.replace(pg_catalog.replace(pg_catalog.replace(
                          p_title_contains, '\', '\\'), '%', '\%'), '_', '\_') || '%';
begin
    select c.tenant_id, c.user_id into v_tenant_id, v_user_id from threadguard.require_context() as c;
    if p_limit is null or p_limit operator(pg_catalog.<) 1 then
        raise exception 'threadguard: p_limit must be a positive integer (got %)', coalesce(p_limit::text, 'null')
            using errcode = 'invalid_parameter_value';
    end if;
    if (p_before_updated_at is null) operator(pg_catalog.<>) (p_before_id is null) then
        raise exception 'threadguard: pass both p_before_updated_at and p_before_id (the last row''s updated_at and thread_id), or neither'
            using errcode = 'invalid_parameter_value';
    end if;
    if p_title_contains is not null and pg_catalog.char_length(p_title_contains) not between 1 and 200 then
        raise exception 'threadguard: p_title_contains must be null or 1 to 200 characters long (got %)',
            pg_catalog.char_length(p_title_contains) using errcode = 'invalid_parameter_value';
    end if;
    if p_metadata is not null and pg_catalog.jsonb_typeof(p_metadata) operator(pg_catalog.<>) 'object' then
        raise exception 'threadguard: p_metadata must be null or a JSON object (got %)', pg_catalog.jsonb_typeof(p_metadata)
            using errcode = 'invalid_parameter_value';
    end if;

    return query
    select cv.id, cv.title, cv.metadata, cv.created_at, cv.updated_at
    from threadguard.conversations as cv
    where cv.tenant_id operator(pg_catalog.=) v_tenant_id
      and cv.user_id operator(pg_catalog.=) v_user_id
      and (p_before_updated_at is null
           or (cv.updated_at, cv.id) operator(pg_catalog.<) (p_before_updated_at, p_before_id))
      -- Case-insensitive substring; nothing in the text is a pattern (escaped above).
      and (v_pattern is null or cv.title operator(pg_catalog.~~*) v_pattern)
      and (p_metadata is null or cv.metadata operator(pg_catalog.@>) p_metadata)
    order by cv.updated_at desc, cv.id desc
    limit least(p_limit, 200);  -- LEAST is syntax, not a function: nothing to shadow
end
$$;

ALTER FUNCTION threadguard.search_conversations(p_title_contains text, p_metadata jsonb, p_limit integer, p_before_updated_at timestamp with time zone, p_before_id uuid) OWNER TO threadguard_owner;

COMMENT ON FUNCTION threadguard.search_conversations(p_title_contains text, p_metadata jsonb, p_limit integer, p_before_updated_at timestamp with time zone, p_before_id uuid) IS 'The current user''s conversations whose title contains p_title_contains (case-insensitive; null: any) and whose metadata contains p_metadata (jsonb @>; null: any), most recently active first. p_limit: 1 or more, clamped to 200. Next page: pass the last row''s updated_at and thread_id as p_before_updated_at and p_before_id. Raises 42501 without a valid context, 22023 on bad arguments.';

CREATE FUNCTION threadguard.set_conversation_metadata(p_thread_id uuid, p_metadata jsonb) RETURNS boolean
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
    v_tenant_id uuid;  -- from threadguard.require_context(), read once
    v_user_id uuid;
begin
    select c.tenant_id, c.user_id into v_tenant_id, v_user_id from threadguard.require_context() as c;
    if p_thread_id is null then
        raise exception 'threadguard: p_thread_id must not be null' using errcode = 'null_value_not_allowed';
    end if;
    if p_metadata is null or pg_catalog.jsonb_typeof(p_metadata) operator(pg_catalog.<>) 'object'
       or pg_catalog.octet_length(p_metadata::text) operator(pg_catalog.>) 8192 then
        raise exception 'threadguard: p_metadata must be a JSON object of at most 8 kB (got %)',
            coalesce(pg_catalog.jsonb_typeof(p_metadata), 'null')
            || case when pg_catalog.jsonb_typeof(p_metadata) operator(pg_catalog.=) 'object'
                    then ', ' || pg_catalog.octet_length(p_metadata::text) || ' bytes' else '' end
            using errcode = 'invalid_parameter_value';
    end if;
    update threadguard.conversations as c set metadata = p_metadata
     where c.id operator(pg_catalog.=) p_thread_id
       and c.tenant_id operator(pg_catalog.=) v_tenant_id
       and c.user_id operator(pg_catalog.=) v_user_id;
    return found;
end
$$;

ALTER FUNCTION threadguard.set_conversation_metadata(p_thread_id uuid, p_metadata jsonb) OWNER TO threadguard_owner;

COMMENT ON FUNCTION threadguard.set_conversation_metadata(p_thread_id uuid, p_metadata jsonb) IS 'Replaces the metadata (a JSON object of at most 8 kB, the application''s own labels, searched by search_conversations) of one conversation of the current user. True when set; false when the id does not exist or belongs to someone else (indistinguishable). Raises 42501 without a valid context, 22023 on bad metadata, 22004 for a null id.';

CREATE FUNCTION threadguard.set_retention(p_tenant_id uuid, p_idle_days integer, p_keep_checkpoints integer, p_reason text) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
    v_tenant uuid := coalesce(p_tenant_id, '00000000-0000-0000-0000-000000000000'::pg_catalog.uuid);  -- COALESCE is syntax
begin
    if p_reason is null or pg_catalog.btrim(p_reason) operator(pg_catalog.=) '' then
        raise exception 'threadguard: a retention policy needs a reason' using errcode = 'null_value_not_allowed';
    end if;
    insert into threadguard.retention_policies as r (tenant_id, idle_days, keep_checkpoints)
    values (v_tenant, p_idle_days, p_keep_checkpoints)
    on conflict (tenant_id) do update
        set idle_days = excluded.idle_days, keep_checkpoints = excluded.keep_checkpoints, updated_at = pg_catalog.clock_timestamp();
    insert into threadguard.audit_log (action, tenant_id, reason, row_count, detail)
    values ('set_retention', p_tenant_id, p_reason, 1,
            pg_catalog.jsonb_build_object('idle_days', p_idle_days, 'keep_checkpoints', p_keep_checkpoints));
end
$$;

ALTER FUNCTION threadguard.set_retention(p_tenant_id uuid, p_idle_days integer, p_keep_checkpoints integer, p_reason text) OWNER TO threadguard_operator;

COMMENT ON FUNCTION threadguard.set_retention(p_tenant_id uuid, p_idle_days integer, p_keep_checkpoints integer, p_reason text) IS 'Retention (operators): p_tenant_id''s policy (null: the default for tenants without one): delete conversations idle for p_idle_days (null: never), keep each thread''s latest p_keep_checkpoints root checkpoints (null: all). Audited with p_reason.';

CREATE FUNCTION threadguard.store_range(p_tenant_id uuid, p_user_id uuid, OUT range_from text, OUT range_to text) RETURNS record
    LANGUAGE sql IMMUTABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
    select v.p, pg_catalog.left(v.p, -1) operator(pg_catalog.||) '/'  -- '/' follows '.'
    from (select p_tenant_id::text operator(pg_catalog.||) '.'
                 operator(pg_catalog.||) coalesce(p_user_id::text operator(pg_catalog.||) '.', '') as p) as v
$$;

ALTER FUNCTION threadguard.store_range(p_tenant_id uuid, p_user_id uuid, OUT range_from text, OUT range_to text) OWNER TO threadguard_owner;

COMMENT ON FUNCTION threadguard.store_range(p_tenant_id uuid, p_user_id uuid, OUT range_from text, OUT range_to text) IS 'The store prefixes of p_user_id in p_tenant_id (''<tenant>.<user>.'' up to ''<tenant>.<user>/''), or of the whole tenant when p_user_id is null (''<tenant>.'' up to ''<tenant>/''), in byte order (~>=~, ~<~).';

CREATE FUNCTION threadguard.support_access_id(p_tenant_id uuid) RETURNS bigint
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
    v_access bigint;
begin
    select a.id into v_access from threadguard.support_access as a
     where a.actor operator(pg_catalog.=) session_user and a.tenant_id operator(pg_catalog.=) p_tenant_id
       and a.expires_at operator(pg_catalog.>) pg_catalog.clock_timestamp()
       and pg_catalog.pg_xact_status(a.opened_in) operator(pg_catalog.=) 'committed'
     order by a.expires_at desc limit 1;
    if v_access is null and exists (
        select from threadguard.support_access as a
         where a.actor operator(pg_catalog.=) session_user and a.tenant_id operator(pg_catalog.=) p_tenant_id
           and a.opened_in operator(pg_catalog.=) pg_catalog.pg_current_xact_id_if_assigned()) then
        raise exception 'threadguard: this support access was opened in the current transaction: commit it first'
            using errcode = 'insufficient_privilege',
                  hint = 'Reads need the access, and its audit row, committed by an earlier transaction, so that no rollback erases them.';
    end if;
    if v_access is null then
        raise exception 'threadguard: no open support access of % to this tenant', session_user
            using errcode = 'insufficient_privilege',
                  hint = 'Open one with threadguard.open_support_access(tenant_id, reason, minutes).';
    end if;
    return v_access;
end
$$;

ALTER FUNCTION threadguard.support_access_id(p_tenant_id uuid) OWNER TO threadguard_operator;

COMMENT ON FUNCTION threadguard.support_access_id(p_tenant_id uuid) IS 'The calling login''s open support access to p_tenant_id (the latest to expire, opened by a committed transaction), or 42501. Called by the support functions, as threadguard_operator; granted to nobody.';

CREATE FUNCTION threadguard.support_checkpoint(p_tenant_id uuid, p_thread_id uuid) RETURNS TABLE(thread_id uuid, user_id uuid, checkpoint_id text, metadata jsonb, checkpoint jsonb)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
#variable_conflict use_column
declare
    v_access bigint;
    v_n bigint;
begin
    v_access := threadguard.support_access_id(p_tenant_id);
    return query
    select c.id, c.user_id, k.checkpoint_id, k.metadata, k.checkpoint
      from threadguard.conversations as c
      left join lateral (
            select cp.checkpoint_id, cp.metadata, cp.checkpoint from public.checkpoints as cp
             where cp.thread_id operator(pg_catalog.=) c.thread_id and cp.checkpoint_ns operator(pg_catalog.=) ''
             order by cp.checkpoint_id desc limit 1) as k on true
     where c.id operator(pg_catalog.=) p_thread_id and c.tenant_id operator(pg_catalog.=) p_tenant_id;
    get diagnostics v_n = row_count;
    insert into threadguard.audit_log (action, tenant_id, reason, row_count, detail)
    select 'support_read', p_tenant_id, a.reason, v_n,
           pg_catalog.jsonb_build_object('access', a.id, 'call', 'support_checkpoint', 'thread_id', p_thread_id)
      from threadguard.support_access as a where a.id operator(pg_catalog.=) v_access;
end
$$;

ALTER FUNCTION threadguard.support_checkpoint(p_tenant_id uuid, p_thread_id uuid) OWNER TO threadguard_operator;

COMMENT ON FUNCTION threadguard.support_checkpoint(p_tenant_id uuid, p_thread_id uuid) IS 'Support: one conversation of p_tenant_id with its latest root checkpoint, for a login with an open access to that tenant (42501 otherwise); no row when the thread is absent or of another tenant. Read-only; audited.';

CREATE FUNCTION threadguard.support_conversations(p_tenant_id uuid, p_limit integer DEFAULT 50) RETURNS TABLE(thread_id uuid, user_id uuid, title text, created_at timestamp with time zone, updated_at timestamp with time zone)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
#variable_conflict use_column
declare
    v_access bigint;
    v_n bigint;
begin
    v_access := threadguard.support_access_id(p_tenant_id);
    return query
    select c.id, c.user_id, c.title, c.created_at, c.updated_at
      from threadguard.conversations as c
     where c.tenant_id operator(pg_catalog.=) p_tenant_id
     order by c.updated_at desc, c.id desc
     limit least(greatest(coalesce(p_limit, 50), 1), 200);  -- LEAST/GREATEST/COALESCE are syntax
    get diagnostics v_n = row_count;
    insert into threadguard.audit_log (action, tenant_id, reason, row_count, detail)
    select 'support_read', p_tenant_id, a.reason, v_n, pg_catalog.jsonb_build_object('access', a.id, 'call', 'support_conversations')
      from threadguard.support_access as a where a.id operator(pg_catalog.=) v_access;
end
$$;

ALTER FUNCTION threadguard.support_conversations(p_tenant_id uuid, p_limit integer) OWNER TO threadguard_operator;

COMMENT ON FUNCTION threadguard.support_conversations(p_tenant_id uuid, p_limit integer) IS 'Support: p_tenant_id''s conversations (at most p_limit, 1-200), most recently active first, for a login with an open access to that tenant (42501 otherwise). Read-only; audited.';

CREATE FUNCTION threadguard.sweep_store(p_batch integer DEFAULT 10000) RETURNS TABLE(deleted bigint, remaining bigint)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
    if p_batch is null or p_batch not between 1 and 100000 then
        raise exception 'threadguard: p_batch must be between 1 and 100000 (got %)', coalesce(p_batch::text, 'null')
            using errcode = 'invalid_parameter_value';
    end if;
    -- LangGraph's own condition (expires_at < NOW()), through idx_store_expires_at.
    delete from public.store as s
     where s.ctid operator(pg_catalog.=) any (array(
            select k.ctid from public.store as k
             where k.expires_at is not null and k.expires_at operator(pg_catalog.<) pg_catalog.now()
             limit p_batch));
    get diagnostics deleted = row_count;
    select pg_catalog.count(*) into remaining from public.store as k
     where k.expires_at is not null and k.expires_at operator(pg_catalog.<) pg_catalog.now();
    if deleted operator(pg_catalog.>) 0 then
        insert into threadguard.audit_log (action, reason, row_count, detail)
        values ('sweep_store', 'store items past their TTL', deleted, pg_catalog.jsonb_build_object('remaining', remaining));
    end if;
    return next;
end
$$;

ALTER FUNCTION threadguard.sweep_store(p_batch integer) OWNER TO threadguard_operator;

COMMENT ON FUNCTION threadguard.sweep_store(p_batch integer) IS 'Store TTL sweep (operators, schedulable): deletes up to p_batch items of every tenant whose expires_at has passed; returns how many it deleted and how many expired ones are left (call again until none is). Audited when it deletes anything.';

CREATE FUNCTION threadguard.thread_awaits_adoption(p_thread_id text) RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
    select exists (select from public.checkpoints as c
                    where c.thread_id operator(pg_catalog.=) p_thread_id and c.threadguard_tenant_id is null)
        or exists (select from public.checkpoint_blobs as b
                    where b.thread_id operator(pg_catalog.=) p_thread_id and b.threadguard_tenant_id is null)
        or exists (select from public.checkpoint_writes as w
                    where w.thread_id operator(pg_catalog.=) p_thread_id and w.threadguard_tenant_id is null)
$$;

ALTER FUNCTION threadguard.thread_awaits_adoption(p_thread_id text) OWNER TO threadguard_operator;

COMMENT ON FUNCTION threadguard.thread_awaits_adoption(p_thread_id text) IS 'Whether checkpoint, blob or write rows nobody owns yet (awaiting threadguard adopt) carry thread id p_thread_id; create_conversation refuses such an id. Only the owner role (its definer functions) may ask.';

CREATE FUNCTION threadguard.thread_uuid(p_thread_id text) RETURNS uuid
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $_$
    select case
        when p_thread_id operator(pg_catalog.~) '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
        then cast(p_thread_id as pg_catalog.uuid)
    end
$_$;

ALTER FUNCTION threadguard.thread_uuid(p_thread_id text) OWNER TO threadguard_owner;

COMMENT ON FUNCTION threadguard.thread_uuid(p_thread_id text) IS 'The conversation id a thread_id names, or null when it is not a canonical lower-case uuid (such a thread belongs to nobody). Never raises, so another tenant''s odd thread_id cannot break your query.';

CREATE FUNCTION threadguard.touch_conversation() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
    update threadguard.conversations as c
       set updated_at = pg_catalog.now()
     where c.thread_id operator(pg_catalog.=) new.thread_id
       and c.tenant_id operator(pg_catalog.=) new.threadguard_tenant_id
       and c.user_id operator(pg_catalog.=) new.threadguard_user_id
       and c.updated_at operator(pg_catalog.<) pg_catalog.now();
    return null;
end
$$;

ALTER FUNCTION threadguard.touch_conversation() OWNER TO threadguard_owner;

COMMENT ON FUNCTION threadguard.touch_conversation() IS 'Trigger function: moves the conversation''s updated_at to now() when a checkpoint is inserted into its thread (once per transaction, never backwards).';

CREATE FUNCTION threadguard.unowned_threads() RETURNS bigint
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
    select pg_catalog.count(distinct c.thread_id) from public.checkpoints as c where c.threadguard_tenant_id is null
$$;

ALTER FUNCTION threadguard.unowned_threads() OWNER TO threadguard_operator;

COMMENT ON FUNCTION threadguard.unowned_threads() IS 'Adoption (operators): how many LangGraph threads have checkpoints nobody owns yet (0 once every thread is adopted).';

CREATE TABLE public.checkpoint_blobs (
    thread_id text NOT NULL,
    checkpoint_ns text DEFAULT ''::text NOT NULL,
    channel text NOT NULL,
    version text NOT NULL,
    type text NOT NULL,
    blob bytea,
    threadguard_tenant_id uuid DEFAULT threadguard.current_tenant_id(),
    threadguard_user_id uuid DEFAULT threadguard.current_user_id()
);

ALTER TABLE ONLY public.checkpoint_blobs FORCE ROW LEVEL SECURITY;

ALTER TABLE public.checkpoint_blobs OWNER TO threadguard_owner;

COMMENT ON COLUMN public.checkpoint_blobs.threadguard_tenant_id IS 'threadguard: tenant that wrote the row (defaults to app.tenant_id); RLS shows the row only to that tenant.';

COMMENT ON COLUMN public.checkpoint_blobs.threadguard_user_id IS 'threadguard: user that wrote the row (defaults to app.user_id); RLS shows the row only to that user.';

CREATE TABLE public.checkpoint_migrations (
    v integer NOT NULL
);

ALTER TABLE public.checkpoint_migrations OWNER TO threadguard_owner;

CREATE TABLE public.checkpoint_writes (
    thread_id text NOT NULL,
    checkpoint_ns text DEFAULT ''::text NOT NULL,
    checkpoint_id text NOT NULL,
    task_id text NOT NULL,
    idx integer NOT NULL,
    channel text NOT NULL,
    type text,
    blob bytea NOT NULL,
    task_path text DEFAULT ''::text NOT NULL,
    threadguard_tenant_id uuid DEFAULT threadguard.current_tenant_id(),
    threadguard_user_id uuid DEFAULT threadguard.current_user_id()
);

ALTER TABLE ONLY public.checkpoint_writes FORCE ROW LEVEL SECURITY;

ALTER TABLE public.checkpoint_writes OWNER TO threadguard_owner;

COMMENT ON COLUMN public.checkpoint_writes.threadguard_tenant_id IS 'threadguard: tenant that wrote the row (defaults to app.tenant_id); RLS shows the row only to that tenant.';

COMMENT ON COLUMN public.checkpoint_writes.threadguard_user_id IS 'threadguard: user that wrote the row (defaults to app.user_id); RLS shows the row only to that user.';

CREATE TABLE public.checkpoints (
    thread_id text NOT NULL,
    checkpoint_ns text DEFAULT ''::text NOT NULL,
    checkpoint_id text NOT NULL,
    parent_checkpoint_id text,
    type text,
    checkpoint jsonb NOT NULL,
    metadata jsonb DEFAULT '{}'::jsonb NOT NULL,
    threadguard_tenant_id uuid DEFAULT threadguard.current_tenant_id(),
    threadguard_user_id uuid DEFAULT threadguard.current_user_id()
);

ALTER TABLE ONLY public.checkpoints FORCE ROW LEVEL SECURITY;

ALTER TABLE public.checkpoints OWNER TO threadguard_owner;

COMMENT ON COLUMN public.checkpoints.threadguard_tenant_id IS 'threadguard: tenant that wrote the row (defaults to app.tenant_id); RLS shows the row only to that tenant.';

COMMENT ON COLUMN public.checkpoints.threadguard_user_id IS 'threadguard: user that wrote the row (defaults to app.user_id); RLS shows the row only to that user.';

CREATE TABLE public.store (
    prefix text NOT NULL,
    key text NOT NULL,
    value jsonb NOT NULL,
    created_at timestamp with time zone DEFAULT CURRENT_TIMESTAMP,
    updated_at timestamp with time zone DEFAULT CURRENT_TIMESTAMP,
    expires_at timestamp with time zone,
    ttl_minutes integer
);

ALTER TABLE ONLY public.store FORCE ROW LEVEL SECURITY;

ALTER TABLE public.store OWNER TO threadguard_owner;

CREATE TABLE public.store_migrations (
    v integer NOT NULL
);

ALTER TABLE public.store_migrations OWNER TO threadguard_owner;

CREATE TABLE threadguard.audit_log (
    id bigint NOT NULL,
    at timestamp with time zone DEFAULT clock_timestamp() NOT NULL,
    actor name DEFAULT SESSION_USER NOT NULL,
    action text NOT NULL,
    tenant_id uuid,
    user_id uuid,
    reason text,
    row_count bigint,
    detail jsonb DEFAULT '{}'::jsonb NOT NULL
);

ALTER TABLE ONLY threadguard.audit_log FORCE ROW LEVEL SECURITY;

ALTER TABLE threadguard.audit_log OWNER TO threadguard_owner;

COMMENT ON TABLE threadguard.audit_log IS 'Every operator action (erasures, ...): who, when, what, which tenant and user, why, how many rows. Append-only through threadguard''s roles.';

COMMENT ON COLUMN threadguard.audit_log.id IS 'Order of the actions.';

COMMENT ON COLUMN threadguard.audit_log.at IS 'When (clock time, not the transaction''s start).';

COMMENT ON COLUMN threadguard.audit_log.actor IS 'The session user (the login) that acted.';

COMMENT ON COLUMN threadguard.audit_log.action IS 'What was done, e.g. erase.';

COMMENT ON COLUMN threadguard.audit_log.tenant_id IS 'The tenant acted on.';

COMMENT ON COLUMN threadguard.audit_log.user_id IS 'The user acted on; null for the whole tenant.';

COMMENT ON COLUMN threadguard.audit_log.reason IS 'Why, as the operator stated it.';

COMMENT ON COLUMN threadguard.audit_log.row_count IS 'How many rows the action removed or read.';

COMMENT ON COLUMN threadguard.audit_log.detail IS 'Anything else the action records.';

ALTER TABLE threadguard.audit_log ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME threadguard.audit_log_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

CREATE VIEW threadguard.context WITH (security_invoker='true') AS
 SELECT NULLIF((NULLIF(current_setting('app.tenant_id'::text, true), ''::text))::uuid, '00000000-0000-0000-0000-000000000000'::uuid) AS tenant_id,
    NULLIF((NULLIF(current_setting('app.user_id'::text, true), ''::text))::uuid, '00000000-0000-0000-0000-000000000000'::uuid) AS user_id;

ALTER TABLE threadguard.context OWNER TO threadguard_owner;

COMMENT ON VIEW threadguard.context IS 'One row: the current transaction''s tenant_id and user_id, as threadguard.current_tenant_id() and current_user_id() return them (null when unset, empty or nil; 22P02 when not a uuid). What every policy compares owner columns with.';

COMMENT ON COLUMN threadguard.context.tenant_id IS 'threadguard.current_tenant_id(): app.tenant_id as a uuid, or null.';

COMMENT ON COLUMN threadguard.context.user_id IS 'threadguard.current_user_id(): app.user_id as a uuid, or null.';

CREATE TABLE threadguard.definitions_applied (
    sha256 text NOT NULL,
    catalog jsonb NOT NULL,
    applied_at timestamp with time zone DEFAULT now() NOT NULL
);

ALTER TABLE ONLY threadguard.definitions_applied FORCE ROW LEVEL SECURITY;

ALTER TABLE threadguard.definitions_applied OWNER TO threadguard_owner;

COMMENT ON TABLE threadguard.definitions_applied IS 'One row: the digest of the sql/ definitions threadguard migrate last applied, and when. Only the migrating role reads or writes it.';

COMMENT ON COLUMN threadguard.definitions_applied.sha256 IS 'SHA-256 of every sql/ definition file (path and content), in the order migrate applies them.';

COMMENT ON COLUMN threadguard.definitions_applied.catalog IS 'What they left in the catalog, object by object (policies with their expressions, functions, triggers and rules, grants, defaults): threadguard verify reports any object changed, added or removed since.';

COMMENT ON COLUMN threadguard.definitions_applied.applied_at IS 'When they were applied.';

CREATE TABLE threadguard.langgraph_tables (
    table_name text NOT NULL,
    previous_owner name,
    created_by_threadguard boolean NOT NULL,
    previous_acl aclitem[]
);

ALTER TABLE ONLY threadguard.langgraph_tables FORCE ROW LEVEL SECURITY;

ALTER TABLE threadguard.langgraph_tables OWNER TO threadguard_owner;

COMMENT ON TABLE threadguard.langgraph_tables IS 'Which LangGraph tables migration 0003 created or adopted, and who owned them before, so that its rollback can give them back without losing a row.';

COMMENT ON COLUMN threadguard.langgraph_tables.table_name IS 'Table in schema public.';

COMMENT ON COLUMN threadguard.langgraph_tables.previous_owner IS 'Owner before adoption; null when threadguard created the table.';

COMMENT ON COLUMN threadguard.langgraph_tables.created_by_threadguard IS 'True when migration 0003 created the table on an empty database.';

COMMENT ON COLUMN threadguard.langgraph_tables.previous_acl IS 'The table''s grants before adoption (pg_class.relacl), restored by the rollback of migration 0013; null when unknown.';

CREATE TABLE threadguard.retention_policies (
    tenant_id uuid NOT NULL,
    idle_days integer,
    keep_checkpoints integer,
    updated_at timestamp with time zone DEFAULT clock_timestamp() NOT NULL,
    CONSTRAINT retention_policies_idle_days CHECK (((idle_days IS NULL) OR (idle_days >= 1))),
    CONSTRAINT retention_policies_keep_checkpoints CHECK (((keep_checkpoints IS NULL) OR (keep_checkpoints >= 1)))
);

ALTER TABLE ONLY threadguard.retention_policies FORCE ROW LEVEL SECURITY;

ALTER TABLE threadguard.retention_policies OWNER TO threadguard_owner;

COMMENT ON TABLE threadguard.retention_policies IS 'Retention per tenant (the nil tenant''s row is the default for tenants without one): what threadguard.apply_retention deletes.';

COMMENT ON COLUMN threadguard.retention_policies.tenant_id IS 'The tenant; 00000000-0000-0000-0000-000000000000 for the default.';

COMMENT ON COLUMN threadguard.retention_policies.idle_days IS 'Conversations with no activity (updated_at) for this many days are deleted; null: never.';

COMMENT ON COLUMN threadguard.retention_policies.keep_checkpoints IS 'Each thread keeps its latest N root checkpoints (with the blobs and writes they need); null: all.';

COMMENT ON COLUMN threadguard.retention_policies.updated_at IS 'When the policy was last set.';

COMMENT ON CONSTRAINT retention_policies_idle_days ON threadguard.retention_policies IS 'At least one idle day, or none.';

COMMENT ON CONSTRAINT retention_policies_keep_checkpoints ON threadguard.retention_policies IS 'At least one checkpoint is kept, or all.';

CREATE VIEW threadguard.store_space WITH (security_invoker='true') AS
 SELECT ((((c.tenant_id)::text || '.'::text) || (c.user_id)::text) || '.'::text) AS own_from,
    ((((c.tenant_id)::text || '.'::text) || (c.user_id)::text) || '/'::text) AS own_to,
    ((c.tenant_id)::text || '.shared.'::text) AS shared_from,
    ((c.tenant_id)::text || '.shared/'::text) AS shared_to
   FROM threadguard.context c;

ALTER TABLE threadguard.store_space OWNER TO threadguard_owner;

COMMENT ON VIEW threadguard.store_space IS 'One row: the store prefixes the current identity may read and write, as byte-order ranges [from, to): its own namespaces (tenant_id, user_id, ...) and its tenant''s shared ones (tenant_id, ''shared'', ...). All null without a valid context.';

COMMENT ON COLUMN threadguard.store_space.own_from IS 'Lowest prefix of the caller''s own namespaces: ''<tenant_id>.<user_id>.''.';

COMMENT ON COLUMN threadguard.store_space.own_to IS 'First prefix past them: ''<tenant_id>.<user_id>/'' (''/'' follows ''.'').';

COMMENT ON COLUMN threadguard.store_space.shared_from IS 'Lowest prefix of the tenant''s shared namespaces: ''<tenant_id>.shared.''.';

COMMENT ON COLUMN threadguard.store_space.shared_to IS 'First prefix past them: ''<tenant_id>.shared/''.';

CREATE TABLE threadguard.support_access (
    id bigint NOT NULL,
    actor name DEFAULT SESSION_USER NOT NULL,
    tenant_id uuid NOT NULL,
    reason text NOT NULL,
    opened_at timestamp with time zone DEFAULT clock_timestamp() NOT NULL,
    expires_at timestamp with time zone NOT NULL,
    opened_in xid8 DEFAULT pg_current_xact_id() NOT NULL,
    CONSTRAINT support_access_duration CHECK (((expires_at > opened_at) AND (expires_at <= (opened_at + '08:00:00'::interval))))
);

ALTER TABLE ONLY threadguard.support_access FORCE ROW LEVEL SECURITY;

ALTER TABLE threadguard.support_access OWNER TO threadguard_owner;

COMMENT ON TABLE threadguard.support_access IS 'Support accesses: which login may read which tenant''s conversations, why, and until when (at most 8 hours).';

COMMENT ON COLUMN threadguard.support_access.id IS 'The access.';

COMMENT ON COLUMN threadguard.support_access.actor IS 'The session user (the support engineer''s login) that opened it.';

COMMENT ON COLUMN threadguard.support_access.tenant_id IS 'The tenant it opens.';

COMMENT ON COLUMN threadguard.support_access.reason IS 'Why, as the engineer stated it (a ticket, say).';

COMMENT ON COLUMN threadguard.support_access.opened_at IS 'When it was opened.';

COMMENT ON COLUMN threadguard.support_access.expires_at IS 'When it ends by itself.';

COMMENT ON COLUMN threadguard.support_access.opened_in IS 'The transaction that opened the access: reads under it need that transaction committed (pg_xact_status), so its audit row exists for good.';

COMMENT ON CONSTRAINT support_access_duration ON threadguard.support_access IS 'An access lasts more than nothing and at most 8 hours.';

ALTER TABLE threadguard.support_access ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME threadguard.support_access_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

ALTER TABLE ONLY public.checkpoint_blobs
    ADD CONSTRAINT checkpoint_blobs_pkey PRIMARY KEY (thread_id, checkpoint_ns, channel, version);

ALTER TABLE ONLY public.checkpoint_migrations
    ADD CONSTRAINT checkpoint_migrations_pkey PRIMARY KEY (v);

ALTER TABLE ONLY public.checkpoint_writes
    ADD CONSTRAINT checkpoint_writes_pkey PRIMARY KEY (thread_id, checkpoint_ns, checkpoint_id, task_id, idx);

ALTER TABLE ONLY public.checkpoints
    ADD CONSTRAINT checkpoints_pkey PRIMARY KEY (thread_id, checkpoint_ns, checkpoint_id);

ALTER TABLE ONLY public.store_migrations
    ADD CONSTRAINT store_migrations_pkey PRIMARY KEY (v);

ALTER TABLE ONLY public.store
    ADD CONSTRAINT store_pkey PRIMARY KEY (prefix, key);

ALTER TABLE ONLY threadguard.audit_log
    ADD CONSTRAINT audit_log_pkey PRIMARY KEY (id);

ALTER TABLE threadguard.conversations
    ADD CONSTRAINT conversations_metadata_object CHECK (((jsonb_typeof(metadata) = 'object'::text) AND (octet_length((metadata)::text) <= 8192))) NOT VALID;

COMMENT ON CONSTRAINT conversations_metadata_object ON threadguard.conversations IS 'metadata is a JSON object of at most 8 kB (as text): labels, not content.';

ALTER TABLE ONLY threadguard.conversations
    ADD CONSTRAINT conversations_pkey PRIMARY KEY (id);

ALTER TABLE ONLY threadguard.langgraph_tables
    ADD CONSTRAINT langgraph_tables_pkey PRIMARY KEY (table_name);

ALTER TABLE ONLY threadguard.retention_policies
    ADD CONSTRAINT retention_policies_pkey PRIMARY KEY (tenant_id);

ALTER TABLE ONLY threadguard.support_access
    ADD CONSTRAINT support_access_pkey PRIMARY KEY (id);

CREATE INDEX checkpoint_blobs_thread_id_idx ON public.checkpoint_blobs USING btree (thread_id);

CREATE INDEX checkpoint_writes_thread_id_idx ON public.checkpoint_writes USING btree (thread_id);

CREATE INDEX checkpoints_thread_id_idx ON public.checkpoints USING btree (thread_id);

CREATE INDEX idx_store_expires_at ON public.store USING btree (expires_at) WHERE (expires_at IS NOT NULL);

CREATE INDEX store_owner_idx ON public.store USING btree (prefix COLLATE "C");

COMMENT ON INDEX public.store_owner_idx IS 'threadguard: the store policies'' byte-order ranges of prefixes (the caller''s own and its tenant''s shared namespaces).';

CREATE INDEX store_prefix_idx ON public.store USING btree (prefix text_pattern_ops);

CREATE INDEX audit_log_at_idx ON threadguard.audit_log USING btree (at);

COMMENT ON INDEX threadguard.audit_log_at_idx IS 'Pruning by age.';

CREATE INDEX conversations_owner_activity_idx ON threadguard.conversations USING btree (tenant_id, user_id, updated_at DESC, id DESC);

COMMENT ON INDEX threadguard.conversations_owner_activity_idx IS 'Serves list_conversations: one owner''s conversations by last activity, keyset-paginated.';

CREATE UNIQUE INDEX conversations_thread_owner_key ON threadguard.conversations USING btree (thread_id, tenant_id, user_id);

COMMENT ON INDEX threadguard.conversations_thread_owner_key IS 'What the checkpoint tables'' owner foreign keys refer to: a thread and the tenant and user that own it.';

CREATE INDEX support_access_actor_tenant_idx ON threadguard.support_access USING btree (actor, tenant_id, expires_at);

COMMENT ON INDEX threadguard.support_access_actor_tenant_idx IS 'The check every support read makes: an open access of this login for this tenant.';

CREATE STATISTICS public.checkpoint_blobs_owner_stats (dependencies) ON thread_id, threadguard_tenant_id, threadguard_user_id FROM public.checkpoint_blobs;

ALTER STATISTICS public.checkpoint_blobs_owner_stats OWNER TO threadguard_owner;

COMMENT ON STATISTICS public.checkpoint_blobs_owner_stats IS 'threadguard: a thread''s rows share one owner; keeps RLS from skewing the planner''s row estimates.';

CREATE STATISTICS public.checkpoint_writes_owner_stats (dependencies) ON thread_id, threadguard_tenant_id, threadguard_user_id FROM public.checkpoint_writes;

ALTER STATISTICS public.checkpoint_writes_owner_stats OWNER TO threadguard_owner;

COMMENT ON STATISTICS public.checkpoint_writes_owner_stats IS 'threadguard: a thread''s rows share one owner; keeps RLS from skewing the planner''s row estimates.';

CREATE STATISTICS public.checkpoints_owner_stats (dependencies) ON thread_id, threadguard_tenant_id, threadguard_user_id FROM public.checkpoints;

ALTER STATISTICS public.checkpoints_owner_stats OWNER TO threadguard_owner;

COMMENT ON STATISTICS public.checkpoints_owner_stats IS 'threadguard: a thread''s rows share one owner; keeps RLS from skewing the planner''s row estimates.';

CREATE TRIGGER checkpoints_touch_conversation AFTER INSERT ON public.checkpoints FOR EACH ROW WHEN ((new.threadguard_tenant_id IS NOT NULL)) EXECUTE FUNCTION threadguard.touch_conversation();

COMMENT ON TRIGGER checkpoints_touch_conversation ON public.checkpoints IS 'threadguard: a new checkpoint marks its conversation active (updated_at).';

CREATE TRIGGER audit_log_to_server_log AFTER INSERT ON threadguard.audit_log FOR EACH ROW EXECUTE FUNCTION threadguard.audit_to_server_log();

COMMENT ON TRIGGER audit_log_to_server_log ON threadguard.audit_log IS 'Copies each audit row into the server log (RAISE LOG) when it is written, so that reads and grants whose transaction rolls back are still on record.';

ALTER TABLE ONLY public.checkpoint_blobs
    ADD CONSTRAINT checkpoint_blobs_thread_owner_fkey FOREIGN KEY (thread_id, threadguard_tenant_id, threadguard_user_id) REFERENCES threadguard.conversations(thread_id, tenant_id, user_id) ON DELETE CASCADE;

COMMENT ON CONSTRAINT checkpoint_blobs_thread_owner_fkey ON public.checkpoint_blobs IS 'threadguard: a blob lives only in a thread whose conversation belongs to its owner stamps, and goes when the conversation is deleted. Rows with no owner (written before adoption) are not checked.';

ALTER TABLE ONLY public.checkpoint_writes
    ADD CONSTRAINT checkpoint_writes_thread_owner_fkey FOREIGN KEY (thread_id, threadguard_tenant_id, threadguard_user_id) REFERENCES threadguard.conversations(thread_id, tenant_id, user_id) ON DELETE CASCADE;

COMMENT ON CONSTRAINT checkpoint_writes_thread_owner_fkey ON public.checkpoint_writes IS 'threadguard: a pending write lives only in a thread whose conversation belongs to its owner stamps, and goes when the conversation is deleted. Rows with no owner (written before adoption) are not checked.';

ALTER TABLE ONLY public.checkpoints
    ADD CONSTRAINT checkpoints_thread_owner_fkey FOREIGN KEY (thread_id, threadguard_tenant_id, threadguard_user_id) REFERENCES threadguard.conversations(thread_id, tenant_id, user_id) ON DELETE CASCADE;

COMMENT ON CONSTRAINT checkpoints_thread_owner_fkey ON public.checkpoints IS 'threadguard: a checkpoint lives only in a thread whose conversation belongs to its owner stamps, and goes when the conversation is deleted. Rows with no owner (written before adoption) are not checked.';

ALTER TABLE public.checkpoint_blobs ENABLE ROW LEVEL SECURITY;

CREATE POLICY checkpoint_blobs_operator_delete ON public.checkpoint_blobs FOR DELETE TO threadguard_operator USING (true);

COMMENT ON POLICY checkpoint_blobs_operator_delete ON public.checkpoint_blobs IS 'Retention deletes every tenant''s old rows (threadguard.apply_retention); threadguard_operator has no members.';

CREATE POLICY checkpoint_blobs_operator_select ON public.checkpoint_blobs FOR SELECT TO threadguard_operator USING (true);

COMMENT ON POLICY checkpoint_blobs_operator_select ON public.checkpoint_blobs IS 'The operator functions read every tenant''s rows (to prove an erasure complete); threadguard_operator has no members.';

CREATE POLICY checkpoint_blobs_operator_update ON public.checkpoint_blobs FOR UPDATE TO threadguard_operator USING ((threadguard_tenant_id IS NULL)) WITH CHECK (((threadguard_tenant_id IS NOT NULL) AND (threadguard_user_id IS NOT NULL)));

COMMENT ON POLICY checkpoint_blobs_operator_update ON public.checkpoint_blobs IS 'Adoption gives a row nobody owns its owner (threadguard.assign_thread); no owned row is ever changed this way.';

CREATE POLICY checkpoint_blobs_owner_delete ON public.checkpoint_blobs FOR DELETE USING (((threadguard_tenant_id, threadguard_user_id) = ( SELECT c.tenant_id,
    c.user_id
   FROM threadguard.context c)));

COMMENT ON POLICY checkpoint_blobs_owner_delete ON public.checkpoint_blobs IS 'Only the owner deletes a blob (delete_thread, prune); other rows are silently out of reach.';

CREATE POLICY checkpoint_blobs_owner_insert ON public.checkpoint_blobs FOR INSERT WITH CHECK (((threadguard_tenant_id, threadguard_user_id) = ( SELECT c.tenant_id,
    c.user_id
   FROM threadguard.context c)));

COMMENT ON POLICY checkpoint_blobs_owner_insert ON public.checkpoint_blobs IS 'A blob is written stamped with the current tenant and user, and (by checkpoint_blobs_thread_owner_fkey) only into a thread whose conversation is theirs.';

CREATE POLICY checkpoint_blobs_owner_select ON public.checkpoint_blobs FOR SELECT USING (((threadguard_tenant_id, threadguard_user_id) = ( SELECT c.tenant_id,
    c.user_id
   FROM threadguard.context c)));

COMMENT ON POLICY checkpoint_blobs_owner_select ON public.checkpoint_blobs IS 'A blob is visible only to the tenant and user that wrote it; rows from before adoption (no owner) and every row without a valid context are invisible.';

CREATE POLICY checkpoint_blobs_owner_update ON public.checkpoint_blobs FOR UPDATE USING (((threadguard_tenant_id, threadguard_user_id) = ( SELECT c.tenant_id,
    c.user_id
   FROM threadguard.context c))) WITH CHECK (((threadguard_tenant_id, threadguard_user_id) = ( SELECT c.tenant_id,
    c.user_id
   FROM threadguard.context c)));

COMMENT ON POLICY checkpoint_blobs_owner_update ON public.checkpoint_blobs IS 'Only the owner updates a blob (upserts, prune), and it stays theirs; the foreign key keeps it in a thread of theirs.';

ALTER TABLE public.checkpoint_writes ENABLE ROW LEVEL SECURITY;

CREATE POLICY checkpoint_writes_operator_delete ON public.checkpoint_writes FOR DELETE TO threadguard_operator USING (true);

COMMENT ON POLICY checkpoint_writes_operator_delete ON public.checkpoint_writes IS 'Retention deletes every tenant''s old rows (threadguard.apply_retention); threadguard_operator has no members.';

CREATE POLICY checkpoint_writes_operator_select ON public.checkpoint_writes FOR SELECT TO threadguard_operator USING (true);

COMMENT ON POLICY checkpoint_writes_operator_select ON public.checkpoint_writes IS 'The operator functions read every tenant''s rows (to prove an erasure complete); threadguard_operator has no members.';

CREATE POLICY checkpoint_writes_operator_update ON public.checkpoint_writes FOR UPDATE TO threadguard_operator USING ((threadguard_tenant_id IS NULL)) WITH CHECK (((threadguard_tenant_id IS NOT NULL) AND (threadguard_user_id IS NOT NULL)));

COMMENT ON POLICY checkpoint_writes_operator_update ON public.checkpoint_writes IS 'Adoption gives a row nobody owns its owner (threadguard.assign_thread); no owned row is ever changed this way.';

CREATE POLICY checkpoint_writes_owner_delete ON public.checkpoint_writes FOR DELETE USING (((threadguard_tenant_id, threadguard_user_id) = ( SELECT c.tenant_id,
    c.user_id
   FROM threadguard.context c)));

COMMENT ON POLICY checkpoint_writes_owner_delete ON public.checkpoint_writes IS 'Only the owner deletes a pending write (delete_thread, prune); other rows are silently out of reach.';

CREATE POLICY checkpoint_writes_owner_insert ON public.checkpoint_writes FOR INSERT WITH CHECK (((threadguard_tenant_id, threadguard_user_id) = ( SELECT c.tenant_id,
    c.user_id
   FROM threadguard.context c)));

COMMENT ON POLICY checkpoint_writes_owner_insert ON public.checkpoint_writes IS 'A pending write is written stamped with the current tenant and user, and (by checkpoint_writes_thread_owner_fkey) only into a thread whose conversation is theirs.';

CREATE POLICY checkpoint_writes_owner_select ON public.checkpoint_writes FOR SELECT USING (((threadguard_tenant_id, threadguard_user_id) = ( SELECT c.tenant_id,
    c.user_id
   FROM threadguard.context c)));

COMMENT ON POLICY checkpoint_writes_owner_select ON public.checkpoint_writes IS 'A pending write is visible only to the tenant and user that wrote it; rows from before adoption (no owner) and every row without a valid context are invisible.';

CREATE POLICY checkpoint_writes_owner_update ON public.checkpoint_writes FOR UPDATE USING (((threadguard_tenant_id, threadguard_user_id) = ( SELECT c.tenant_id,
    c.user_id
   FROM threadguard.context c))) WITH CHECK (((threadguard_tenant_id, threadguard_user_id) = ( SELECT c.tenant_id,
    c.user_id
   FROM threadguard.context c)));

COMMENT ON POLICY checkpoint_writes_owner_update ON public.checkpoint_writes IS 'Only the owner updates a pending write (upserts, prune), and it stays theirs; the foreign key keeps it in a thread of theirs.';

ALTER TABLE public.checkpoints ENABLE ROW LEVEL SECURITY;

CREATE POLICY checkpoints_operator_delete ON public.checkpoints FOR DELETE TO threadguard_operator USING (true);

COMMENT ON POLICY checkpoints_operator_delete ON public.checkpoints IS 'Retention deletes every tenant''s old rows (threadguard.apply_retention); threadguard_operator has no members.';

CREATE POLICY checkpoints_operator_select ON public.checkpoints FOR SELECT TO threadguard_operator USING (true);

COMMENT ON POLICY checkpoints_operator_select ON public.checkpoints IS 'The operator functions read every tenant''s rows (to prove an erasure complete); threadguard_operator has no members.';

CREATE POLICY checkpoints_operator_update ON public.checkpoints FOR UPDATE TO threadguard_operator USING ((threadguard_tenant_id IS NULL)) WITH CHECK (((threadguard_tenant_id IS NOT NULL) AND (threadguard_user_id IS NOT NULL)));

COMMENT ON POLICY checkpoints_operator_update ON public.checkpoints IS 'Adoption gives a row nobody owns its owner (threadguard.assign_thread); no owned row is ever changed this way.';

CREATE POLICY checkpoints_owner_delete ON public.checkpoints FOR DELETE USING (((threadguard_tenant_id, threadguard_user_id) = ( SELECT c.tenant_id,
    c.user_id
   FROM threadguard.context c)));

COMMENT ON POLICY checkpoints_owner_delete ON public.checkpoints IS 'Only the owner deletes a checkpoint (delete_thread, prune); other rows are silently out of reach.';

CREATE POLICY checkpoints_owner_insert ON public.checkpoints FOR INSERT WITH CHECK (((threadguard_tenant_id, threadguard_user_id) = ( SELECT c.tenant_id,
    c.user_id
   FROM threadguard.context c)));

COMMENT ON POLICY checkpoints_owner_insert ON public.checkpoints IS 'A checkpoint is written stamped with the current tenant and user, and (by checkpoints_thread_owner_fkey) only into a thread whose conversation is theirs.';

CREATE POLICY checkpoints_owner_select ON public.checkpoints FOR SELECT USING (((threadguard_tenant_id, threadguard_user_id) = ( SELECT c.tenant_id,
    c.user_id
   FROM threadguard.context c)));

COMMENT ON POLICY checkpoints_owner_select ON public.checkpoints IS 'A checkpoint is visible only to the tenant and user that wrote it; rows from before adoption (no owner) and every row without a valid context are invisible.';

CREATE POLICY checkpoints_owner_update ON public.checkpoints FOR UPDATE USING (((threadguard_tenant_id, threadguard_user_id) = ( SELECT c.tenant_id,
    c.user_id
   FROM threadguard.context c))) WITH CHECK (((threadguard_tenant_id, threadguard_user_id) = ( SELECT c.tenant_id,
    c.user_id
   FROM threadguard.context c)));

COMMENT ON POLICY checkpoints_owner_update ON public.checkpoints IS 'Only the owner updates a checkpoint (upserts, prune), and it stays theirs; the foreign key keeps it in a thread of theirs.';

ALTER TABLE public.store ENABLE ROW LEVEL SECURITY;

CREATE POLICY store_operator_delete ON public.store FOR DELETE TO threadguard_operator USING (true);

COMMENT ON POLICY store_operator_delete ON public.store IS 'The TTL sweep and erasure delete every tenant''s items (threadguard.sweep_store, threadguard.erase); threadguard_operator has no members.';

CREATE POLICY store_operator_select ON public.store FOR SELECT TO threadguard_operator USING (true);

COMMENT ON POLICY store_operator_select ON public.store IS 'The operator functions read every tenant''s items (export, erasure proof, sweep); threadguard_operator has no members.';

CREATE POLICY store_operator_update ON public.store FOR UPDATE TO threadguard_operator USING (true);

COMMENT ON POLICY store_operator_update ON public.store IS 'threadguard.assign_store_items moves items from before adoption into an owner''s namespace; threadguard_operator has no members.';

CREATE POLICY store_owner_delete ON public.store FOR DELETE USING (((((prefix COLLATE "C") >= ( SELECT s.own_from
   FROM threadguard.store_space s)) AND ((prefix COLLATE "C") < ( SELECT s.own_to
   FROM threadguard.store_space s))) OR (((prefix COLLATE "C") >= ( SELECT s.shared_from
   FROM threadguard.store_space s)) AND ((prefix COLLATE "C") < ( SELECT s.shared_to
   FROM threadguard.store_space s)))));

COMMENT ON POLICY store_owner_delete ON public.store IS 'Only items in the caller''s namespaces are deleted (delete, put of None, the application''s own TTL sweeper); other rows are silently out of reach.';

CREATE POLICY store_owner_insert ON public.store FOR INSERT WITH CHECK (((((prefix COLLATE "C") >= ( SELECT s.own_from
   FROM threadguard.store_space s)) AND ((prefix COLLATE "C") < ( SELECT s.own_to
   FROM threadguard.store_space s))) OR (((prefix COLLATE "C") >= ( SELECT s.shared_from
   FROM threadguard.store_space s)) AND ((prefix COLLATE "C") < ( SELECT s.shared_to
   FROM threadguard.store_space s)))));

COMMENT ON POLICY store_owner_insert ON public.store IS 'An item is written only into the caller''s own namespaces or its tenant''s shared ones; checked before any conflict, so a key elsewhere is never met, overwritten or revealed.';

CREATE POLICY store_owner_select ON public.store FOR SELECT USING (((((prefix COLLATE "C") >= ( SELECT s.own_from
   FROM threadguard.store_space s)) AND ((prefix COLLATE "C") < ( SELECT s.own_to
   FROM threadguard.store_space s))) OR (((prefix COLLATE "C") >= ( SELECT s.shared_from
   FROM threadguard.store_space s)) AND ((prefix COLLATE "C") < ( SELECT s.shared_to
   FROM threadguard.store_space s)))));

COMMENT ON POLICY store_owner_select ON public.store IS 'An item is visible only in the caller''s own namespaces (tenant_id, user_id, ...) and in its tenant''s shared ones (tenant_id, ''shared'', ...); nothing without a valid context.';

CREATE POLICY store_owner_update ON public.store FOR UPDATE USING (((((prefix COLLATE "C") >= ( SELECT s.own_from
   FROM threadguard.store_space s)) AND ((prefix COLLATE "C") < ( SELECT s.own_to
   FROM threadguard.store_space s))) OR (((prefix COLLATE "C") >= ( SELECT s.shared_from
   FROM threadguard.store_space s)) AND ((prefix COLLATE "C") < ( SELECT s.shared_to
   FROM threadguard.store_space s))))) WITH CHECK (((((prefix COLLATE "C") >= ( SELECT s.own_from
   FROM threadguard.store_space s)) AND ((prefix COLLATE "C") < ( SELECT s.own_to
   FROM threadguard.store_space s))) OR (((prefix COLLATE "C") >= ( SELECT s.shared_from
   FROM threadguard.store_space s)) AND ((prefix COLLATE "C") < ( SELECT s.shared_to
   FROM threadguard.store_space s)))));

COMMENT ON POLICY store_owner_update ON public.store IS 'Only items in the caller''s namespaces are updated (upserts, TTL refresh), and they stay there.';

ALTER TABLE threadguard.audit_log ENABLE ROW LEVEL SECURITY;

CREATE POLICY audit_log_admin_select ON threadguard.audit_log FOR SELECT TO threadguard_admin USING (true);

COMMENT ON POLICY audit_log_admin_select ON threadguard.audit_log IS 'Admins read the whole trail.';

CREATE POLICY audit_log_operator_insert ON threadguard.audit_log FOR INSERT TO threadguard_operator WITH CHECK (true);

COMMENT ON POLICY audit_log_operator_insert ON threadguard.audit_log IS 'The operator functions append a row for every action.';

CREATE POLICY audit_log_owner_delete ON threadguard.audit_log FOR DELETE TO threadguard_owner USING ((at < (now() - '90 days'::interval)));

COMMENT ON POLICY audit_log_owner_delete ON threadguard.audit_log IS 'The owner prunes rows older than 90 days (threadguard.prune_audit_log), never newer ones.';

CREATE POLICY audit_log_owner_select ON threadguard.audit_log FOR SELECT TO threadguard_owner USING ((at < (now() - '90 days'::interval)));

COMMENT ON POLICY audit_log_owner_select ON threadguard.audit_log IS 'What the owner''s pruning may see: only rows past the retained age.';

ALTER TABLE threadguard.conversations ENABLE ROW LEVEL SECURITY;

CREATE POLICY conversations_operator_delete ON threadguard.conversations FOR DELETE TO threadguard_operator USING (true);

COMMENT ON POLICY conversations_operator_delete ON threadguard.conversations IS 'The operator functions delete any tenant''s conversations (erasure, retention); the ownership keys take their checkpoints along.';

CREATE POLICY conversations_operator_insert ON threadguard.conversations FOR INSERT TO threadguard_operator WITH CHECK (true);

COMMENT ON POLICY conversations_operator_insert ON threadguard.conversations IS 'Adoption (threadguard.assign_thread) creates the conversation of a thread LangGraph wrote before threadguard, for the owner the DBA names.';

CREATE POLICY conversations_operator_select ON threadguard.conversations FOR SELECT TO threadguard_operator USING (true);

COMMENT ON POLICY conversations_operator_select ON threadguard.conversations IS 'The operator functions see every tenant''s conversations (threadguard_operator has no members; its functions audit every use).';

CREATE POLICY conversations_owner_delete ON threadguard.conversations FOR DELETE USING (((tenant_id, user_id) = ( SELECT context.tenant_id,
    context.user_id
   FROM threadguard.context)));

COMMENT ON POLICY conversations_owner_delete ON threadguard.conversations IS 'Only the owner deletes a conversation (its checkpoints go with it, by the ownership foreign keys).';

CREATE POLICY conversations_owner_insert ON threadguard.conversations FOR INSERT WITH CHECK (((tenant_id, user_id) = ( SELECT context.tenant_id,
    context.user_id
   FROM threadguard.context)));

COMMENT ON POLICY conversations_owner_insert ON threadguard.conversations IS 'A conversation can be created only for the current tenant and user.';

CREATE POLICY conversations_owner_select ON threadguard.conversations FOR SELECT USING (((tenant_id, user_id) = ( SELECT context.tenant_id,
    context.user_id
   FROM threadguard.context)));

COMMENT ON POLICY conversations_owner_select ON threadguard.conversations IS 'A conversation is visible only to its own tenant and user; nothing is visible without a valid context.';

CREATE POLICY conversations_owner_update ON threadguard.conversations FOR UPDATE USING (((tenant_id, user_id) = ( SELECT context.tenant_id,
    context.user_id
   FROM threadguard.context))) WITH CHECK (((tenant_id, user_id) = ( SELECT context.tenant_id,
    context.user_id
   FROM threadguard.context)));

COMMENT ON POLICY conversations_owner_update ON threadguard.conversations IS 'Only the owner updates a conversation, and it stays theirs: an update cannot move it to another tenant or user.';

ALTER TABLE threadguard.definitions_applied ENABLE ROW LEVEL SECURITY;

CREATE POLICY definitions_applied_owner_all ON threadguard.definitions_applied TO threadguard_owner USING (true) WITH CHECK (true);

COMMENT ON POLICY definitions_applied_owner_all ON threadguard.definitions_applied IS 'The owner role (migrate, verify) reads and rewrites the record of what it applied; no other role reaches it.';

ALTER TABLE threadguard.langgraph_tables ENABLE ROW LEVEL SECURITY;

CREATE POLICY langgraph_tables_owner_all ON threadguard.langgraph_tables TO threadguard_owner USING (true) WITH CHECK (true);

COMMENT ON POLICY langgraph_tables_owner_all ON threadguard.langgraph_tables IS 'Migrations and rollbacks, run as (a member of) the owner role, read which tables threadguard created or adopted and who owned them.';

ALTER TABLE threadguard.retention_policies ENABLE ROW LEVEL SECURITY;

CREATE POLICY retention_policies_admin_select ON threadguard.retention_policies FOR SELECT TO threadguard_admin USING (true);

COMMENT ON POLICY retention_policies_admin_select ON threadguard.retention_policies IS 'Admins read every policy.';

CREATE POLICY retention_policies_operator_all ON threadguard.retention_policies TO threadguard_operator USING (true) WITH CHECK (true);

COMMENT ON POLICY retention_policies_operator_all ON threadguard.retention_policies IS 'The operator functions set and read every tenant''s policy (set_retention audits each change).';

ALTER TABLE threadguard.support_access ENABLE ROW LEVEL SECURITY;

CREATE POLICY support_access_admin_select ON threadguard.support_access FOR SELECT TO threadguard_admin USING (true);

COMMENT ON POLICY support_access_admin_select ON threadguard.support_access IS 'Admins review every access.';

CREATE POLICY support_access_operator_insert ON threadguard.support_access FOR INSERT TO threadguard_operator WITH CHECK ((actor = SESSION_USER));

COMMENT ON POLICY support_access_operator_insert ON threadguard.support_access IS 'open_support_access records an access for the login that opens it, never for another.';

CREATE POLICY support_access_operator_select ON threadguard.support_access FOR SELECT TO threadguard_operator USING (true);

COMMENT ON POLICY support_access_operator_select ON threadguard.support_access IS 'The support functions check the caller''s open accesses.';

GRANT USAGE ON SCHEMA public TO threadguard_app;

GRANT USAGE ON SCHEMA threadguard TO threadguard_app;
GRANT USAGE ON SCHEMA threadguard TO threadguard_admin;
GRANT USAGE ON SCHEMA threadguard TO threadguard_operator;
GRANT USAGE ON SCHEMA threadguard TO threadguard_support;

REVOKE ALL ON FUNCTION threadguard.apply_retention(p_batch integer, p_after uuid, p_dry_run boolean) FROM PUBLIC;
GRANT ALL ON FUNCTION threadguard.apply_retention(p_batch integer, p_after uuid, p_dry_run boolean) TO threadguard_admin;

REVOKE ALL ON FUNCTION threadguard.assign_store_items(p_prefix text, p_tenant_id uuid, p_user_id uuid, p_reason text) FROM PUBLIC;
GRANT ALL ON FUNCTION threadguard.assign_store_items(p_prefix text, p_tenant_id uuid, p_user_id uuid, p_reason text) TO threadguard_admin;

REVOKE ALL ON FUNCTION threadguard.assign_thread(p_thread_id text, p_tenant_id uuid, p_user_id uuid, p_title text) FROM PUBLIC;
GRANT ALL ON FUNCTION threadguard.assign_thread(p_thread_id text, p_tenant_id uuid, p_user_id uuid, p_title text) TO threadguard_admin;

REVOKE ALL ON FUNCTION threadguard.audit_to_server_log() FROM PUBLIC;

REVOKE ALL ON FUNCTION threadguard.catalog_fingerprint() FROM PUBLIC;

REVOKE ALL ON FUNCTION threadguard.copy_conversation(p_source_thread_id uuid, p_target_thread_id uuid, p_title text) FROM PUBLIC;
GRANT ALL ON FUNCTION threadguard.copy_conversation(p_source_thread_id uuid, p_target_thread_id uuid, p_title text) TO threadguard_app;

REVOKE ALL ON FUNCTION threadguard.current_tenant_id() FROM PUBLIC;
GRANT ALL ON FUNCTION threadguard.current_tenant_id() TO threadguard_app;
GRANT ALL ON FUNCTION threadguard.current_tenant_id() TO threadguard_admin;

REVOKE ALL ON FUNCTION threadguard.current_user_id() FROM PUBLIC;
GRANT ALL ON FUNCTION threadguard.current_user_id() TO threadguard_app;
GRANT ALL ON FUNCTION threadguard.current_user_id() TO threadguard_admin;

GRANT SELECT,DELETE ON TABLE threadguard.conversations TO threadguard_app;
GRANT SELECT,DELETE ON TABLE threadguard.conversations TO threadguard_operator;

GRANT INSERT(id) ON TABLE threadguard.conversations TO threadguard_app;
GRANT INSERT(id) ON TABLE threadguard.conversations TO threadguard_operator;

GRANT INSERT(tenant_id) ON TABLE threadguard.conversations TO threadguard_app;
GRANT INSERT(tenant_id) ON TABLE threadguard.conversations TO threadguard_operator;

GRANT INSERT(user_id) ON TABLE threadguard.conversations TO threadguard_app;
GRANT INSERT(user_id) ON TABLE threadguard.conversations TO threadguard_operator;

GRANT INSERT(title),UPDATE(title) ON TABLE threadguard.conversations TO threadguard_app;
GRANT INSERT(title) ON TABLE threadguard.conversations TO threadguard_operator;

REVOKE ALL ON FUNCTION threadguard.create_conversation(p_title text, p_id uuid) FROM PUBLIC;
GRANT ALL ON FUNCTION threadguard.create_conversation(p_title text, p_id uuid) TO threadguard_app;

REVOKE ALL ON FUNCTION threadguard.delete_conversation(p_thread_id uuid) FROM PUBLIC;
GRANT ALL ON FUNCTION threadguard.delete_conversation(p_thread_id uuid) TO threadguard_app;

REVOKE ALL ON FUNCTION threadguard.delete_namespace(p_thread_id uuid, p_checkpoint_ns text) FROM PUBLIC;
GRANT ALL ON FUNCTION threadguard.delete_namespace(p_thread_id uuid, p_checkpoint_ns text) TO threadguard_app;

REVOKE ALL ON FUNCTION threadguard.delete_runs(p_run_ids text[]) FROM PUBLIC;
GRANT ALL ON FUNCTION threadguard.delete_runs(p_run_ids text[]) TO threadguard_app;

REVOKE ALL ON FUNCTION threadguard.erase(p_tenant_id uuid, p_user_id uuid, p_reason text, p_batch integer) FROM PUBLIC;
GRANT ALL ON FUNCTION threadguard.erase(p_tenant_id uuid, p_user_id uuid, p_reason text, p_batch integer) TO threadguard_admin;

REVOKE ALL ON FUNCTION threadguard.erasure_left(p_tenant_id uuid, p_user_id uuid, p_reason text) FROM PUBLIC;
GRANT ALL ON FUNCTION threadguard.erasure_left(p_tenant_id uuid, p_user_id uuid, p_reason text) TO threadguard_admin;

REVOKE ALL ON FUNCTION threadguard.export_checkpoints(p_tenant_id uuid, p_thread_id uuid, p_reason text) FROM PUBLIC;
GRANT ALL ON FUNCTION threadguard.export_checkpoints(p_tenant_id uuid, p_thread_id uuid, p_reason text) TO threadguard_admin;

REVOKE ALL ON FUNCTION threadguard.export_conversations(p_tenant_id uuid, p_user_id uuid, p_reason text) FROM PUBLIC;
GRANT ALL ON FUNCTION threadguard.export_conversations(p_tenant_id uuid, p_user_id uuid, p_reason text) TO threadguard_admin;

REVOKE ALL ON FUNCTION threadguard.export_store_items(p_tenant_id uuid, p_user_id uuid, p_reason text) FROM PUBLIC;
GRANT ALL ON FUNCTION threadguard.export_store_items(p_tenant_id uuid, p_user_id uuid, p_reason text) TO threadguard_admin;

REVOKE ALL ON FUNCTION threadguard.get_conversation(p_thread_id uuid) FROM PUBLIC;
GRANT ALL ON FUNCTION threadguard.get_conversation(p_thread_id uuid) TO threadguard_app;

REVOKE ALL ON FUNCTION threadguard.list_conversations(p_limit integer, p_before_updated_at timestamp with time zone, p_before_id uuid) FROM PUBLIC;
GRANT ALL ON FUNCTION threadguard.list_conversations(p_limit integer, p_before_updated_at timestamp with time zone, p_before_id uuid) TO threadguard_app;

REVOKE ALL ON FUNCTION threadguard.open_support_access(p_tenant_id uuid, p_reason text, p_minutes integer) FROM PUBLIC;
GRANT ALL ON FUNCTION threadguard.open_support_access(p_tenant_id uuid, p_reason text, p_minutes integer) TO threadguard_support;

REVOKE ALL ON PROCEDURE threadguard.partition_checkpoint_tables(IN p_partitions integer) FROM PUBLIC;

REVOKE ALL ON FUNCTION threadguard.prune_audit_log(p_older_than interval) FROM PUBLIC;

REVOKE ALL ON FUNCTION threadguard.rename_conversation(p_thread_id uuid, p_title text) FROM PUBLIC;
GRANT ALL ON FUNCTION threadguard.rename_conversation(p_thread_id uuid, p_title text) TO threadguard_app;

REVOKE ALL ON FUNCTION threadguard.require_context(OUT tenant_id uuid, OUT user_id uuid) FROM PUBLIC;
GRANT ALL ON FUNCTION threadguard.require_context(OUT tenant_id uuid, OUT user_id uuid) TO threadguard_app;

REVOKE ALL ON FUNCTION threadguard.row_counts(p_reason text) FROM PUBLIC;
GRANT ALL ON FUNCTION threadguard.row_counts(p_reason text) TO threadguard_admin;

REVOKE ALL ON PROCEDURE threadguard.run_maintenance(IN p_retention_batch integer, IN p_sweep_batch integer) FROM PUBLIC;
GRANT ALL ON PROCEDURE threadguard.run_maintenance(IN p_retention_batch integer, IN p_sweep_batch integer) TO threadguard_admin;

REVOKE ALL ON FUNCTION threadguard.search_conversations(p_title_contains text, p_metadata jsonb, p_limit integer, p_before_updated_at timestamp with time zone, p_before_id uuid) FROM PUBLIC;
GRANT ALL ON FUNCTION threadguard.search_conversations(p_title_contains text, p_metadata jsonb, p_limit integer, p_before_updated_at timestamp with time zone, p_before_id uuid) TO threadguard_app;

REVOKE ALL ON FUNCTION threadguard.set_conversation_metadata(p_thread_id uuid, p_metadata jsonb) FROM PUBLIC;
GRANT ALL ON FUNCTION threadguard.set_conversation_metadata(p_thread_id uuid, p_metadata jsonb) TO threadguard_app;

REVOKE ALL ON FUNCTION threadguard.set_retention(p_tenant_id uuid, p_idle_days integer, p_keep_checkpoints integer, p_reason text) FROM PUBLIC;
GRANT ALL ON FUNCTION threadguard.set_retention(p_tenant_id uuid, p_idle_days integer, p_keep_checkpoints integer, p_reason text) TO threadguard_admin;

REVOKE ALL ON FUNCTION threadguard.store_range(p_tenant_id uuid, p_user_id uuid, OUT range_from text, OUT range_to text) FROM PUBLIC;
GRANT ALL ON FUNCTION threadguard.store_range(p_tenant_id uuid, p_user_id uuid, OUT range_from text, OUT range_to text) TO threadguard_operator;

REVOKE ALL ON FUNCTION threadguard.support_access_id(p_tenant_id uuid) FROM PUBLIC;

REVOKE ALL ON FUNCTION threadguard.support_checkpoint(p_tenant_id uuid, p_thread_id uuid) FROM PUBLIC;
GRANT ALL ON FUNCTION threadguard.support_checkpoint(p_tenant_id uuid, p_thread_id uuid) TO threadguard_support;

REVOKE ALL ON FUNCTION threadguard.support_conversations(p_tenant_id uuid, p_limit integer) FROM PUBLIC;
GRANT ALL ON FUNCTION threadguard.support_conversations(p_tenant_id uuid, p_limit integer) TO threadguard_support;

REVOKE ALL ON FUNCTION threadguard.sweep_store(p_batch integer) FROM PUBLIC;
GRANT ALL ON FUNCTION threadguard.sweep_store(p_batch integer) TO threadguard_admin;

REVOKE ALL ON FUNCTION threadguard.thread_awaits_adoption(p_thread_id text) FROM PUBLIC;
GRANT ALL ON FUNCTION threadguard.thread_awaits_adoption(p_thread_id text) TO threadguard_owner;

REVOKE ALL ON FUNCTION threadguard.thread_uuid(p_thread_id text) FROM PUBLIC;
GRANT ALL ON FUNCTION threadguard.thread_uuid(p_thread_id text) TO threadguard_app;
GRANT ALL ON FUNCTION threadguard.thread_uuid(p_thread_id text) TO threadguard_admin;
GRANT ALL ON FUNCTION threadguard.thread_uuid(p_thread_id text) TO threadguard_operator;

REVOKE ALL ON FUNCTION threadguard.touch_conversation() FROM PUBLIC;

REVOKE ALL ON FUNCTION threadguard.unowned_threads() FROM PUBLIC;
GRANT ALL ON FUNCTION threadguard.unowned_threads() TO threadguard_admin;

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.checkpoint_blobs TO threadguard_app;
GRANT SELECT,DELETE ON TABLE public.checkpoint_blobs TO threadguard_operator;

GRANT UPDATE(threadguard_tenant_id) ON TABLE public.checkpoint_blobs TO threadguard_operator;

GRANT UPDATE(threadguard_user_id) ON TABLE public.checkpoint_blobs TO threadguard_operator;

GRANT SELECT ON TABLE public.checkpoint_migrations TO threadguard_app;

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.checkpoint_writes TO threadguard_app;
GRANT SELECT,DELETE ON TABLE public.checkpoint_writes TO threadguard_operator;

GRANT UPDATE(threadguard_tenant_id) ON TABLE public.checkpoint_writes TO threadguard_operator;

GRANT UPDATE(threadguard_user_id) ON TABLE public.checkpoint_writes TO threadguard_operator;

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.checkpoints TO threadguard_app;
GRANT SELECT,DELETE ON TABLE public.checkpoints TO threadguard_operator;

GRANT UPDATE(threadguard_tenant_id) ON TABLE public.checkpoints TO threadguard_operator;

GRANT UPDATE(threadguard_user_id) ON TABLE public.checkpoints TO threadguard_operator;

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.store TO threadguard_app;
GRANT SELECT,DELETE,UPDATE ON TABLE public.store TO threadguard_operator;

GRANT SELECT ON TABLE public.store_migrations TO threadguard_app;

GRANT INSERT ON TABLE threadguard.audit_log TO threadguard_operator;
GRANT SELECT ON TABLE threadguard.audit_log TO threadguard_admin;

GRANT SELECT ON TABLE threadguard.context TO threadguard_app;
GRANT SELECT ON TABLE threadguard.context TO threadguard_admin;
GRANT SELECT ON TABLE threadguard.context TO threadguard_operator;

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE threadguard.retention_policies TO threadguard_operator;
GRANT SELECT ON TABLE threadguard.retention_policies TO threadguard_admin;

GRANT SELECT ON TABLE threadguard.store_space TO threadguard_app;

GRANT SELECT,INSERT ON TABLE threadguard.support_access TO threadguard_operator;
GRANT SELECT ON TABLE threadguard.support_access TO threadguard_admin;

ALTER DEFAULT PRIVILEGES FOR ROLE threadguard_owner REVOKE ALL ON FUNCTIONS  FROM PUBLIC;
