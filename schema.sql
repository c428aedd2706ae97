CREATE SCHEMA threadguard;

ALTER SCHEMA threadguard OWNER TO threadguard_owner;

COMMENT ON SCHEMA threadguard IS 'threadguard: conversation ownership, the tenant context functions and the SQL API. See README.md.';

CREATE FUNCTION threadguard.add_token_keys(p_jwks jsonb) RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
    v_jwk jsonb;
    v_kid text;
    v_alg text;
    v_secret bytea;
    v_inner bytea;
    v_outer bytea;
    v_modulus bytea;
    v_octets integer;
    v_prefix bytea;
    v_added integer := 0;
begin
    for v_jwk in
        select k.value from pg_catalog.jsonb_array_elements(
            case when p_jwks operator(pg_catalog.?) 'keys' then p_jwks operator(pg_catalog.->) 'keys'
                 else pg_catalog.jsonb_build_array(p_jwks) end) as k
    loop
        v_kid := v_jwk operator(pg_catalog.->>) 'kid';
        if v_kid is null then
            raise exception 'threadguard: every key needs a kid' using errcode = 'invalid_parameter_value';
        end if;
        if (v_jwk operator(pg_catalog.->>) 'use') is not distinct from 'enc' then
            continue;  -- an encryption key: tokens are not signed with it
        end if;
        v_alg := case v_jwk operator(pg_catalog.->>) 'kty' when 'oct' then 'HS256' when 'RSA' then 'RS256' end;
        if v_alg is null or coalesce(v_jwk operator(pg_catalog.->>) 'alg', v_alg) operator(pg_catalog.<>) v_alg then
            raise exception 'threadguard: key %: only RS256 (kty RSA) and HS256 (kty oct) keys are supported', v_kid
                using errcode = 'invalid_parameter_value';
        end if;
        if v_alg operator(pg_catalog.=) 'HS256' then
            v_secret := threadguard.base64url_decode(v_jwk operator(pg_catalog.->>) 'k');
            if pg_catalog.octet_length(v_secret) operator(pg_catalog.<) 32 then
                raise exception 'threadguard: key %: an HS256 secret needs at least 32 bytes (RFC 7518 3.2)', v_kid
                    using errcode = 'invalid_parameter_value';
            end if;
            if pg_catalog.octet_length(v_secret) operator(pg_catalog.>) 64 then
                v_secret := pg_catalog.sha256(v_secret);
            end if;
            v_secret := v_secret operator(pg_catalog.||) pg_catalog.decode(pg_catalog.repeat('00', 64 operator(pg_catalog.-) pg_catalog.octet_length(v_secret)), 'hex');
            v_inner := v_secret;
            v_outer := v_secret;
            for i in 0..63 loop
                v_inner := pg_catalog.set_byte(v_inner, i, pg_catalog.get_byte(v_secret, i) operator(pg_catalog.#) 54);  -- 0x36
                v_outer := pg_catalog.set_byte(v_outer, i, pg_catalog.get_byte(v_secret, i) operator(pg_catalog.#) 92);  -- 0x5c
            end loop;
            insert into threadguard.token_keys (kid, alg, hmac_inner, hmac_outer) values (v_kid, v_alg, v_inner, v_outer);
        else
            v_modulus := pg_catalog.ltrim(threadguard.base64url_decode(v_jwk operator(pg_catalog.->>) 'n'), '\x00'::bytea);
            v_octets := pg_catalog.octet_length(v_modulus);
            if v_octets operator(pg_catalog.<) 256 or v_octets operator(pg_catalog.>) 1024 then
                raise exception 'threadguard: key %: an RS256 modulus must have 2048 to 8192 bits', v_kid
                    using errcode = 'invalid_parameter_value';
            end if;
            -- PKCS #1 v1.5: 0x00 0x01 0xff.. 0x00, SHA-256's DigestInfo, then the 32-byte digest (kept as a number times 2^256)
            v_prefix := pg_catalog.decode('0001' operator(pg_catalog.||) pg_catalog.repeat('ff', v_octets operator(pg_catalog.-) 54)
                                          operator(pg_catalog.||) '003031300d060960864801650304020105000420', 'hex');
            insert into threadguard.token_keys (kid, alg, rsa_n, rsa_e, rsa_octets, rsa_prefix)
            values (v_kid, v_alg, threadguard.octets_to_numeric(v_modulus),
                    threadguard.octets_to_numeric(threadguard.base64url_decode(v_jwk operator(pg_catalog.->>) 'e')), v_octets,
                    threadguard.octets_to_numeric(v_prefix) operator(pg_catalog.*) pg_catalog.power(2::numeric, 256));
        end if;
        insert into threadguard.audit_log (action, reason, row_count, detail)
        values ('add_token_key', 'key ' operator(pg_catalog.||) v_kid, 1, pg_catalog.jsonb_build_object('kid', v_kid, 'alg', v_alg));
        v_added := v_added operator(pg_catalog.+) 1;
    end loop;
    return v_added;
exception when unique_violation then
    raise exception 'threadguard: key % is already configured', v_kid
        using errcode = 'unique_violation', hint = 'Give a new key a new kid; remove the old one with threadguard.remove_token_key(kid).';
end
$$;

ALTER FUNCTION threadguard.add_token_keys(p_jwks jsonb) OWNER TO threadguard_operator;

COMMENT ON FUNCTION threadguard.add_token_keys(p_jwks jsonb) IS 'Keys (administrators): adds every signing key of a JWKS ({"keys": [...]}) or of one JWK: kty RSA (RS256, 2048-8192 bits) and kty oct (HS256, a secret of at least 32 bytes); each needs a kid. Returns how many were added; audited. No application role can read them.';

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

CREATE FUNCTION threadguard.authenticated_identity(OUT tenant_id uuid, OUT user_id uuid) RETURNS record
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
    v_token constant text := pg_catalog.current_setting('app.token', true);
begin
    if v_token operator(pg_catalog.<>) '' then
        select t.tenant_id, t.user_id into tenant_id, user_id
          from threadguard.verified_tokens as t
         where t.token_hash operator(pg_catalog.=) pg_catalog.sha256(pg_catalog.convert_to(v_token, 'UTF8'))
           and t.expires_at operator(pg_catalog.>) pg_catalog.statement_timestamp();
    end if;
end
$$;

ALTER FUNCTION threadguard.authenticated_identity(OUT tenant_id uuid, OUT user_id uuid) OWNER TO threadguard_owner;

COMMENT ON FUNCTION threadguard.authenticated_identity(OUT tenant_id uuid, OUT user_id uuid) IS 'The (tenant_id, user_id) of the token in app.token if threadguard.present_token verified it, it has not expired and its key is still configured; nulls otherwise. A sealed database''s policies read only this.';

CREATE FUNCTION threadguard.base64url_decode(p_text text) RETURNS bytea
    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $_$
declare
    v_bytes bytea;
begin
    if p_text operator(pg_catalog.~) '^[A-Za-z0-9_-]*$' and pg_catalog.length(p_text) operator(pg_catalog.%) 4 operator(pg_catalog.<>) 1 then
        v_bytes := pg_catalog.decode(pg_catalog.rpad(pg_catalog.translate(p_text, '-_', '+/'),
                                                     (pg_catalog.length(p_text) operator(pg_catalog.+) 3) operator(pg_catalog./) 4 operator(pg_catalog.*) 4, '='),
                                     'base64');
        if pg_catalog.translate(pg_catalog.rtrim(pg_catalog.replace(pg_catalog.encode(v_bytes, 'base64'), E'\n', ''), '='), '+/', '-_')
           operator(pg_catalog.=) p_text then
            return v_bytes;
        end if;
    end if;
    raise exception 'threadguard: not canonical base64url' using errcode = 'invalid_parameter_value';
end
$_$;

ALTER FUNCTION threadguard.base64url_decode(p_text text) OWNER TO threadguard_owner;

COMMENT ON FUNCTION threadguard.base64url_decode(p_text text) IS 'The bytes a base64url text (RFC 4648 section 5, unpadded, as in JSON Web Tokens) encodes, if it is their canonical spelling; 22023 for any other text.';

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

CREATE FUNCTION threadguard.checkpoint_time(p_checkpoint_id text) RETURNS timestamp with time zone
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
    -- uuid6: time_high (8 hex), time_mid (4), version 6, time_low (3): 60 bits counting
    -- 100 ns since 1582-10-15, i.e. 12219292800 s before the Unix epoch.
    -- Only immutable operations (to_timestamp of seconds, not timestamptz + interval), so that the
    -- planner inlines the call; float8 seconds hold every microsecond exactly until 2255.
    -- Checked without a regular expression (2.5 µs a call against 4.6, and list_conversations makes
    -- one per candidate): 36 bytes, version 6, and the 15 digits decoded lower-case hex, so that
    -- the cast below never raises.
    select case
        when pg_catalog.octet_length(p_checkpoint_id) operator(pg_catalog.=) 36
         and pg_catalog.substr(p_checkpoint_id, 15, 1) operator(pg_catalog.=) '6'
         and pg_catalog.btrim(pg_catalog.substr(p_checkpoint_id, 1, 8)
                              operator(pg_catalog.||) pg_catalog.substr(p_checkpoint_id, 10, 4)
                              operator(pg_catalog.||) pg_catalog.substr(p_checkpoint_id, 16, 3),
                              '0123456789abcdef') operator(pg_catalog.=) ''
        then pg_catalog.to_timestamp(cast(
            cast(cast('x0' operator(pg_catalog.||) pg_catalog.substr(p_checkpoint_id, 1, 8)
                           operator(pg_catalog.||) pg_catalog.substr(p_checkpoint_id, 10, 4)
                           operator(pg_catalog.||) pg_catalog.substr(p_checkpoint_id, 16, 3)
                      as pg_catalog.bit(64)) as pg_catalog.int8) operator(pg_catalog./) 10
            operator(pg_catalog.-) 12219292800000000 as pg_catalog.float8) operator(pg_catalog./) 1000000)
    end
$$;

ALTER FUNCTION threadguard.checkpoint_time(p_checkpoint_id text) OWNER TO threadguard_owner;

COMMENT ON FUNCTION threadguard.checkpoint_time(p_checkpoint_id text) IS 'The creation time written into a LangGraph checkpoint id (uuid6), to the microsecond; null when the id is not shaped as one (36 bytes, version digit 6, lower-case hex time fields). Never raises.';

CREATE FUNCTION threadguard.configure_tokens(p_issuer text, p_audience text, p_tenant_claim text DEFAULT 'tenant_id'::text, p_user_claim text DEFAULT 'sub'::text, p_claims_as text DEFAULT 'uuid'::text, p_leeway interval DEFAULT '00:00:30'::interval) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
    update threadguard.token_settings as s
       set issuer = p_issuer, audience = p_audience, tenant_claim = p_tenant_claim, user_claim = p_user_claim,
           claims_as = p_claims_as, leeway = p_leeway;
    delete from threadguard.verified_tokens;  -- checked under the old settings: check again
    insert into threadguard.audit_log (action, reason, row_count, detail)
    values ('configure_tokens', 'token settings', 1,
            pg_catalog.jsonb_build_object('issuer', p_issuer, 'audience', p_audience, 'tenant_claim', p_tenant_claim,
                                          'user_claim', p_user_claim, 'claims_as', p_claims_as, 'leeway', p_leeway));
end
$$;

ALTER FUNCTION threadguard.configure_tokens(p_issuer text, p_audience text, p_tenant_claim text, p_user_claim text, p_claims_as text, p_leeway interval) OWNER TO threadguard_operator;

COMMENT ON FUNCTION threadguard.configure_tokens(p_issuer text, p_audience text, p_tenant_claim text, p_user_claim text, p_claims_as text, p_leeway interval) IS 'Tokens (administrators): the iss and aud a token must carry (null: not checked), the claims naming tenant and user (dots reach into objects), how they become uuids (uuid or hashed) and the leeway on exp/nbf. Forgets every verified token; audited.';

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

COMMENT ON COLUMN threadguard.conversations.updated_at IS 'Activity, as stored: creation, or the time in the id of the first checkpoint of the latest ~27 s of writes to the thread (maintained by a trigger on public.checkpoints; lags the latest checkpoint by under 27 s). list_conversations, search_conversations and get_conversation return the exact activity.';

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
    select c.id, c.title, c.created_at,
           greatest(c.updated_at, threadguard.checkpoint_time(k.checkpoint_id)),  -- exact: list_conversations.sql
           k.checkpoint_id, k.metadata, k.checkpoint
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

COMMENT ON FUNCTION threadguard.get_conversation(p_thread_id uuid) IS 'One conversation of the current user (updated_at as list_conversations gives it) with its latest root checkpoint (checkpoint_id, metadata, checkpoint; null when none yet). No row when the id does not exist or belongs to someone else: the two are indistinguishable. Raises 42501 without a valid context, 22004 for a null id.';

CREATE FUNCTION threadguard.list_conversations(p_limit integer DEFAULT 50, p_before_updated_at timestamp with time zone DEFAULT NULL::timestamp with time zone, p_before_id uuid DEFAULT NULL::uuid) RETURNS TABLE(thread_id uuid, title text, created_at timestamp with time zone, updated_at timestamp with time zone, checkpoint_id text, metadata jsonb)
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    SET enable_sort TO 'off'
    SET jit TO 'off'
    AS $$
#variable_conflict use_column
declare
    v_tenant_id uuid;  -- from threadguard.require_context(), read once
    v_user_id uuid;
    v_limit integer;
    -- More than the stored updated_at can lag a conversation's exact activity (27 s,
    -- touch_conversation.sql), with room for clock skew in rows stamped by earlier
    -- releases (from the server's clock).
    c_lag constant interval := interval '1 minute';
    v_floor timestamptz;   -- the p_limit-th stored activity among rows surely on this page or later
    v_low timestamptz;     -- the candidates' range of stored activity: (v_low, v_high]
    v_high timestamptz := coalesce(p_before_updated_at, 'infinity');
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
    v_limit := least(p_limit, 200);  -- LEAST is syntax, not a function: nothing to shadow

    -- Exact activity is at least the stored one and less than c_lag above it. Rows stored
    -- at least c_lag before the cursor all come after it; the p_limit-th of them bounds
    -- the page from below, so only rows stored above (v_floor - c_lag) can be on it.
    select cv.updated_at into v_floor
      from threadguard.conversations as cv
     where cv.tenant_id operator(pg_catalog.=) v_tenant_id
       and cv.user_id operator(pg_catalog.=) v_user_id
       and cv.updated_at operator(pg_catalog.<=) (v_high operator(pg_catalog.-) c_lag)
     order by cv.updated_at desc, cv.id desc
    offset v_limit operator(pg_catalog.-) 1 limit 1;
    v_low := coalesce(v_floor operator(pg_catalog.-) c_lag, '-infinity');  -- plain values: the plan reads a range

    -- The candidates, then their latest root checkpoints, looked up by the stored text
    -- id: under RLS only a leakproof condition may use the checkpoints index, and a
    -- cast of c.id would not be one.
    return query
    select c.id, c.title, c.created_at, a.active, k.checkpoint_id, k.metadata
    from (
        select cv.id, cv.thread_id, cv.title, cv.created_at, cv.updated_at
        from threadguard.conversations as cv
        where cv.tenant_id operator(pg_catalog.=) v_tenant_id
          and cv.user_id operator(pg_catalog.=) v_user_id
          and cv.updated_at operator(pg_catalog.<=) v_high
          and cv.updated_at operator(pg_catalog.>) v_low
    ) as c
    left join lateral (
        select cp.checkpoint_id, cp.metadata
        from public.checkpoints as cp
        where cp.thread_id operator(pg_catalog.=) c.thread_id
          and cp.checkpoint_ns operator(pg_catalog.=) ''
        order by cp.checkpoint_id desc
        limit 1
    ) as k on true
    cross join lateral (
        select greatest(c.updated_at, threadguard.checkpoint_time(k.checkpoint_id)) as active  -- GREATEST is syntax
    ) as a
    where p_before_updated_at is null
       or (a.active, c.id) operator(pg_catalog.<) (p_before_updated_at, p_before_id)
    order by a.active desc, c.id desc
    limit v_limit;
end
$$;

ALTER FUNCTION threadguard.list_conversations(p_limit integer, p_before_updated_at timestamp with time zone, p_before_id uuid) OWNER TO threadguard_owner;

COMMENT ON FUNCTION threadguard.list_conversations(p_limit integer, p_before_updated_at timestamp with time zone, p_before_id uuid) IS 'The current user''s conversations, most recently active first (updated_at: the later of the stored activity and the time in the latest root checkpoint''s id), with each thread''s latest root checkpoint (checkpoint_id and metadata, null when none yet). p_limit: 1 or more, clamped to 200. Next page: pass the last row''s updated_at and thread_id as p_before_updated_at and p_before_id. Raises 42501 without a valid context, 22023 on bad arguments.';

CREATE FUNCTION threadguard.octets_to_numeric(p_octets bytea) RETURNS numeric
    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
    v_hex constant text := pg_catalog.encode(p_octets, 'hex');
    v_len constant integer := pg_catalog.length(v_hex);
    v_at integer := v_len operator(pg_catalog.%) 14;
    v_value numeric := 0;
begin
    if v_at operator(pg_catalog.>) 0 then  -- the leading odd part
        v_value := (('x' operator(pg_catalog.||) pg_catalog.lpad(pg_catalog.substr(v_hex, 1, v_at), 16, '0'))::bit(64))::bigint;
    end if;
    v_at := v_at operator(pg_catalog.+) 1;
    while v_at operator(pg_catalog.<=) v_len loop
        v_value := v_value operator(pg_catalog.*) 72057594037927936::numeric  -- 2^56
                   operator(pg_catalog.+) (('x' operator(pg_catalog.||) '00' operator(pg_catalog.||) pg_catalog.substr(v_hex, v_at, 14))::bit(64))::bigint;
        v_at := v_at operator(pg_catalog.+) 14;
    end loop;
    return v_value;
end
$$;

ALTER FUNCTION threadguard.octets_to_numeric(p_octets bytea) OWNER TO threadguard_owner;

COMMENT ON FUNCTION threadguard.octets_to_numeric(p_octets bytea) IS 'The unsigned big-endian integer p_octets encodes, as numeric (RS256 arithmetic).';

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

CREATE FUNCTION threadguard.present_token(p_token text) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
    v_hash bytea;
    v_tenant uuid;
    v_user uuid;
    v_verified record;
begin
    perform pg_catalog.set_config('app.token', coalesce(p_token, ''), true);
    -- A token seen before: the lookup every policy makes (nulls for an empty or unknown token).
    select i.tenant_id, i.user_id into v_tenant, v_user from threadguard.authenticated_identity() as i;
    if v_tenant is null and coalesce(p_token, '') operator(pg_catalog.<>) '' then
        select * into strict v_verified from threadguard.verify_token(p_token);
        v_tenant := v_verified.tenant_id;
        v_user := v_verified.user_id;
        if pg_catalog.current_setting('transaction_read_only') operator(pg_catalog.=) 'on' then
            raise exception 'threadguard: a token is verified once in a read-write transaction before read-only ones can use it'
                using errcode = 'read_only_sql_transaction',
                      hint = 'Present it first in a transaction that may write (on the primary, for a replica).';
        end if;
        v_hash := pg_catalog.sha256(pg_catalog.convert_to(p_token, 'UTF8'));
        insert into threadguard.verified_tokens (token_hash, kid, tenant_id, user_id, expires_at)
        values (v_hash, v_verified.kid, v_tenant, v_user, v_verified.expires_at)
        on conflict (token_hash) do update set expires_at = excluded.expires_at;
        delete from threadguard.verified_tokens as t
         where t.token_hash operator(pg_catalog.=) any (array(
               select o.token_hash from threadguard.verified_tokens as o
                where o.expires_at operator(pg_catalog.<=) pg_catalog.statement_timestamp() limit 100));
    end if;
    perform pg_catalog.set_config('app.tenant_id', coalesce(v_tenant::text, ''), true),
            pg_catalog.set_config('app.user_id', coalesce(v_user::text, ''), true);
end
$$;

ALTER FUNCTION threadguard.present_token(p_token text) OWNER TO threadguard_owner;

COMMENT ON FUNCTION threadguard.present_token(p_token text) IS 'Binds p_token to the current transaction (app.token) after checking it (threadguard.verify_token, once per token until it expires), and sets app.tenant_id and app.user_id from its claims; an empty or null token binds nobody. Raises 28000 naming the reason for a token it refuses. The binding sends it first in every transaction of acting_as(..., token=...).';

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

CREATE FUNCTION threadguard.remove_token_key(p_kid text) RETURNS boolean
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
    delete from threadguard.token_keys as k where k.kid operator(pg_catalog.=) p_kid;
    if not found then
        return false;
    end if;
    insert into threadguard.audit_log (action, reason, row_count, detail)
    values ('remove_token_key', 'key ' operator(pg_catalog.||) p_kid, 1, pg_catalog.jsonb_build_object('kid', p_kid));
    return true;
end
$$;

ALTER FUNCTION threadguard.remove_token_key(p_kid text) OWNER TO threadguard_operator;

COMMENT ON FUNCTION threadguard.remove_token_key(p_kid text) IS 'Keys (administrators): removes key p_kid, revoking every token it verified; false when there is none. Audited.';

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
        select c.tenant_id, c.user_id into tenant_id, user_id from threadguard.context as c;
    exception when invalid_text_representation then
        tenant_id := null;  -- not a uuid: the same answer as unset
    end;
    if tenant_id is not null and user_id is not null then
        return;
    end if;
    if exists (select from threadguard.token_settings as s where s.sealed) then
        raise exception 'threadguard: this database is sealed and app.token holds no verified, unexpired token'
            using errcode = 'insufficient_privilege',
                  hint = 'Present the caller''s token in this transaction first: begin; select threadguard.present_token(''<jwt>''); ...';
    end if;
    begin
        tenant_id := threadguard.current_tenant_id();
    exception when invalid_text_representation then
        tenant_id := null;
    end;
    if tenant_id is null then
        raise exception 'threadguard: app.tenant_id is not set to a valid uuid'
            using errcode = 'insufficient_privilege', hint = v_hint;
    end if;
    raise exception 'threadguard: app.user_id is not set to a valid uuid'
        using errcode = 'insufficient_privilege', hint = v_hint;
end
$$;

ALTER FUNCTION threadguard.require_context(OUT tenant_id uuid, OUT user_id uuid) OWNER TO threadguard_owner;

COMMENT ON FUNCTION threadguard.require_context(OUT tenant_id uuid, OUT user_id uuid) IS 'The current (tenant_id, user_id) as threadguard.context gives them (the settings, or a sealed database''s verified token); raises 42501 naming what is missing otherwise. Every API function calls it first and uses what it returns.';

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

CREATE FUNCTION threadguard.rsa_public(p_base numeric, p_exponent numeric, p_modulus numeric) RETURNS numeric
    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
    v_result numeric := 1;
    v_square numeric := p_base;
    v_exponent numeric := p_exponent;
begin
    while v_exponent operator(pg_catalog.>) 0 loop
        if pg_catalog.mod(v_exponent, 2) operator(pg_catalog.=) 1 then
            v_result := pg_catalog.mod(v_result operator(pg_catalog.*) v_square, p_modulus);
        end if;
        v_exponent := pg_catalog.div(v_exponent, 2);
        if v_exponent operator(pg_catalog.>) 0 then
            v_square := pg_catalog.mod(v_square operator(pg_catalog.*) v_square, p_modulus);
        end if;
    end loop;
    return v_result;
end
$$;

ALTER FUNCTION threadguard.rsa_public(p_base numeric, p_exponent numeric, p_modulus numeric) OWNER TO threadguard_owner;

COMMENT ON FUNCTION threadguard.rsa_public(p_base numeric, p_exponent numeric, p_modulus numeric) IS 'p_base ^ p_exponent mod p_modulus (RSA''s public operation, for RS256).';

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
    SET jit TO 'off'
    AS $$
#variable_conflict use_column
declare
    v_tenant_id uuid;  -- from threadguard.require_context(), read once
    v_user_id uuid;
    -- The text as an ILIKE pattern that matches it literally: \ % _ escaped (ILIKE is cheaper per
    -- row than lower() + strpos: bench/ATTEMPTS.md).
    v_pattern text := '%' || pg_catalog.replace(pg_catalog.replace(pg_catalog.replace(
                          p_title_contains, '\', '\\'), '%', '\%'), '_', '\_') || '%';
    v_limit integer;
    c_lag constant interval := interval '1 minute';  -- as in list_conversations.sql, which says why
    v_floor timestamptz;   -- the stored activity of the p_limit-th match below the cursor's window
    v_low timestamptz;     -- v_floor - c_lag: the window below it
    v_rows threadguard.conversations[];  -- the first p_limit matches below the cursor's window
    v_found bigint;
    v_near timestamptz;    -- v_high - c_lag: the window just before the cursor
    v_high timestamptz := coalesce(p_before_updated_at, 'infinity');
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

    v_limit := least(p_limit, 200);  -- LEAST is syntax, not a function: nothing to shadow
    v_near := v_high operator(pg_catalog.-) c_lag;

    -- As list_conversations, but a filter may match rarely, so the user's index is read once:
    -- the first p_limit matches stored at least c_lag before the cursor are kept as rows, and only
    -- the two c_lag-wide windows their order cannot settle (just before the cursor, just below
    -- the last of them) are read again.
    select pg_catalog.array_agg(m.r), pg_catalog.min((m.r).updated_at), pg_catalog.count(*)
      into v_rows, v_floor, v_found
      from (select cv as r
              from threadguard.conversations as cv
             where cv.tenant_id operator(pg_catalog.=) v_tenant_id
               and cv.user_id operator(pg_catalog.=) v_user_id
               and cv.updated_at operator(pg_catalog.<=) v_near
               -- Case-insensitive substring; nothing in the text is a pattern (escaped above).
               and (v_pattern is null or cv.title operator(pg_catalog.~~*) v_pattern)
               and (p_metadata is null or cv.metadata operator(pg_catalog.@>) p_metadata)
             order by cv.updated_at desc, cv.id desc
             limit v_limit) as m;
    if v_found operator(pg_catalog.<) v_limit then
        v_floor := null;  -- every match below the cursor's window is in v_rows
    end if;
    v_low := coalesce(v_floor operator(pg_catalog.-) c_lag, 'infinity');  -- plain values: the plans read ranges

    return query
    select c.id, c.title, c.metadata, c.created_at, a.active
    from (
        select cv.id, cv.thread_id, cv.title, cv.metadata, cv.created_at, cv.updated_at
        from pg_catalog.unnest(v_rows) as cv
        union
        select cv.id, cv.thread_id, cv.title, cv.metadata, cv.created_at, cv.updated_at
        from threadguard.conversations as cv
        where cv.tenant_id operator(pg_catalog.=) v_tenant_id
          and cv.user_id operator(pg_catalog.=) v_user_id
          and cv.updated_at operator(pg_catalog.>) v_near
          and cv.updated_at operator(pg_catalog.<=) v_high
          and (v_pattern is null or cv.title operator(pg_catalog.~~*) v_pattern)
          and (p_metadata is null or cv.metadata operator(pg_catalog.@>) p_metadata)
        union
        select cv.id, cv.thread_id, cv.title, cv.metadata, cv.created_at, cv.updated_at
        from threadguard.conversations as cv
        where cv.tenant_id operator(pg_catalog.=) v_tenant_id
          and cv.user_id operator(pg_catalog.=) v_user_id
          and cv.updated_at operator(pg_catalog.>) v_low
          and cv.updated_at operator(pg_catalog.<=) v_floor
          and (v_pattern is null or cv.title operator(pg_catalog.~~*) v_pattern)
          and (p_metadata is null or cv.metadata operator(pg_catalog.@>) p_metadata)
    ) as c
    left join lateral (  -- by the stored text id, as in list_conversations
        select cp.checkpoint_id
        from public.checkpoints as cp
        where cp.thread_id operator(pg_catalog.=) c.thread_id
          and cp.checkpoint_ns operator(pg_catalog.=) ''
        order by cp.checkpoint_id desc
        limit 1
    ) as k on true
    cross join lateral (
        select greatest(c.updated_at, threadguard.checkpoint_time(k.checkpoint_id)) as active  -- GREATEST is syntax
    ) as a
    where p_before_updated_at is null
       or (a.active, c.id) operator(pg_catalog.<) (p_before_updated_at, p_before_id)
    order by a.active desc, c.id desc
    limit v_limit;
end
$$;

ALTER FUNCTION threadguard.search_conversations(p_title_contains text, p_metadata jsonb, p_limit integer, p_before_updated_at timestamp with time zone, p_before_id uuid) OWNER TO threadguard_owner;

COMMENT ON FUNCTION threadguard.search_conversations(p_title_contains text, p_metadata jsonb, p_limit integer, p_before_updated_at timestamp with time zone, p_before_id uuid) IS 'The current user''s conversations whose title contains p_title_contains (case-insensitive; null: any) and whose metadata contains p_metadata (jsonb @>; null: any), most recently active first (updated_at as list_conversations gives it). p_limit: 1 or more, clamped to 200. Next page: pass the last row''s updated_at and thread_id as p_before_updated_at and p_before_id. Raises 42501 without a valid context, 22023 on bad arguments.';

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
declare
    -- The time in the id (one clock for writing and reading); now() for an id that is no uuid6.
    v_at timestamptz := coalesce(threadguard.checkpoint_time(new.checkpoint_id), pg_catalog.now());
begin
    update threadguard.conversations as c
       set updated_at = v_at
     where c.thread_id operator(pg_catalog.=) new.thread_id
       and c.tenant_id operator(pg_catalog.=) new.threadguard_tenant_id
       and c.user_id operator(pg_catalog.=) new.threadguard_user_id
       and c.updated_at operator(pg_catalog.<) v_at;
    return null;
end
$$;

ALTER FUNCTION threadguard.touch_conversation() OWNER TO threadguard_owner;

COMMENT ON FUNCTION threadguard.touch_conversation() IS 'Trigger function: moves the conversation''s updated_at (never backwards) to the time in the new checkpoint''s id (now() for an id that is no uuid6).';

CREATE FUNCTION threadguard.unowned_threads() RETURNS bigint
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
    select pg_catalog.count(distinct c.thread_id) from public.checkpoints as c where c.threadguard_tenant_id is null
$$;

ALTER FUNCTION threadguard.unowned_threads() OWNER TO threadguard_operator;

COMMENT ON FUNCTION threadguard.unowned_threads() IS 'Adoption (operators): how many LangGraph threads have checkpoints nobody owns yet (0 once every thread is adopted).';

CREATE FUNCTION threadguard.verify_token(p_token text, OUT kid text, OUT tenant_id uuid, OUT user_id uuid, OUT expires_at timestamp with time zone) RETURNS record
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
    v_parts text[] := pg_catalog.string_to_array(p_token, '.');
    v_header jsonb;
    v_claims jsonb;
    v_signature bytea;
    v_input bytea;
    v_key threadguard.token_keys;
    v_settings threadguard.token_settings;
    v_now constant timestamptz := pg_catalog.statement_timestamp();
    v_tenant text;
    v_user text;
begin
    if p_token is null or pg_catalog.octet_length(p_token) operator(pg_catalog.>) 16384
       or pg_catalog.cardinality(v_parts) operator(pg_catalog.<>) 3 then
        raise exception 'threadguard: token refused: not a signed JSON Web Token (header.payload.signature)'
            using errcode = 'invalid_authorization_specification';
    end if;
    begin
        v_header := pg_catalog.convert_from(threadguard.base64url_decode(v_parts[1]), 'UTF8')::jsonb;
        v_claims := pg_catalog.convert_from(threadguard.base64url_decode(v_parts[2]), 'UTF8')::jsonb;
        v_signature := threadguard.base64url_decode(v_parts[3]);
    exception when others then
        v_header := null;
    end;
    if pg_catalog.jsonb_typeof(v_header) is distinct from 'object' or pg_catalog.jsonb_typeof(v_claims) is distinct from 'object' then
        raise exception 'threadguard: token refused: its header or payload is not base64url JSON objects'
            using errcode = 'invalid_authorization_specification';
    end if;

    -- The key: the one the header names, or the only key of its algorithm; its algorithm must be the header's.
    if v_header operator(pg_catalog.?) 'kid' then
        select k.* into v_key from threadguard.token_keys as k where k.kid operator(pg_catalog.=) (v_header operator(pg_catalog.->>) 'kid');
    else
        select k.* into v_key from threadguard.token_keys as k where k.alg operator(pg_catalog.=) (v_header operator(pg_catalog.->>) 'alg')
        and (select pg_catalog.count(*) from threadguard.token_keys as o where o.alg operator(pg_catalog.=) k.alg) operator(pg_catalog.=) 1;
    end if;
    if v_key.kid is null then
        raise exception 'threadguard: token refused: no key % (kid) is configured', coalesce(v_header operator(pg_catalog.->>) 'kid', 'of its algorithm')
            using errcode = 'invalid_authorization_specification',
                  hint = 'An administrator adds keys with threadguard.add_token_keys(jwks) (threadguard keys add).';
    end if;
    if (v_header operator(pg_catalog.->>) 'alg') is distinct from v_key.alg then
        raise exception 'threadguard: token refused: its alg is not its key''s (%)', v_key.alg
            using errcode = 'invalid_authorization_specification';
    end if;

    v_input := pg_catalog.convert_to(v_parts[1] operator(pg_catalog.||) '.' operator(pg_catalog.||) v_parts[2], 'UTF8');
    if v_key.alg operator(pg_catalog.=) 'HS256' then
        -- HMAC-SHA256 from the stored inner and outer keys; digests compared through another hash (no early exit on a prefix)
        if pg_catalog.sha256(pg_catalog.sha256(v_key.hmac_outer operator(pg_catalog.||) pg_catalog.sha256(v_key.hmac_inner operator(pg_catalog.||) v_input)))
           operator(pg_catalog.<>) pg_catalog.sha256(v_signature) then
            raise exception 'threadguard: token refused: the signature does not verify with key %', v_key.kid
                using errcode = 'invalid_authorization_specification';
        end if;
    elsif pg_catalog.octet_length(v_signature) operator(pg_catalog.<>) v_key.rsa_octets
          or threadguard.octets_to_numeric(v_signature) operator(pg_catalog.>=) v_key.rsa_n  -- RFC 8017 8.2.2: s < n, one encoding per signature
          or threadguard.rsa_public(threadguard.octets_to_numeric(v_signature), v_key.rsa_e, v_key.rsa_n)
             operator(pg_catalog.<>) (v_key.rsa_prefix operator(pg_catalog.+) threadguard.octets_to_numeric(pg_catalog.sha256(v_input))) then
        raise exception 'threadguard: token refused: the signature does not verify with key %', v_key.kid
            using errcode = 'invalid_authorization_specification';
    end if;

    -- The claims.
    select s.* into v_settings from threadguard.token_settings as s;
    if pg_catalog.jsonb_typeof(v_claims operator(pg_catalog.->) 'exp') is distinct from 'number' then
        raise exception 'threadguard: token refused: it has no exp' using errcode = 'invalid_authorization_specification';
    end if;
    expires_at := pg_catalog.to_timestamp((v_claims operator(pg_catalog.->>) 'exp')::double precision) operator(pg_catalog.+) v_settings.leeway;
    if expires_at operator(pg_catalog.<=) v_now then
        raise exception 'threadguard: token refused: it has expired' using errcode = 'invalid_authorization_specification';
    end if;
    if v_claims operator(pg_catalog.?) 'nbf' and (pg_catalog.jsonb_typeof(v_claims operator(pg_catalog.->) 'nbf') is distinct from 'number'
       or pg_catalog.to_timestamp((v_claims operator(pg_catalog.->>) 'nbf')::double precision) operator(pg_catalog.>) (v_now operator(pg_catalog.+) v_settings.leeway)) then
        raise exception 'threadguard: token refused: it is not valid yet (nbf)' using errcode = 'invalid_authorization_specification';
    end if;
    if v_settings.issuer is not null and (v_claims operator(pg_catalog.->>) 'iss') is distinct from v_settings.issuer then
        raise exception 'threadguard: token refused: its iss is not %', v_settings.issuer using errcode = 'invalid_authorization_specification';
    end if;
    if v_settings.audience is not null
       and not (v_claims operator(pg_catalog.->) 'aud' operator(pg_catalog.=) pg_catalog.to_jsonb(v_settings.audience)
                or (pg_catalog.jsonb_typeof(v_claims operator(pg_catalog.->) 'aud') operator(pg_catalog.=) 'array'
                    and v_claims operator(pg_catalog.->) 'aud' operator(pg_catalog.@>) pg_catalog.jsonb_build_array(v_settings.audience))) then
        raise exception 'threadguard: token refused: its aud does not hold %', v_settings.audience using errcode = 'invalid_authorization_specification';
    end if;
    v_tenant := v_claims operator(pg_catalog.#>>) pg_catalog.string_to_array(v_settings.tenant_claim, '.');
    v_user := v_claims operator(pg_catalog.#>>) pg_catalog.string_to_array(v_settings.user_claim, '.');
    if coalesce(v_tenant, '') operator(pg_catalog.=) '' or coalesce(v_user, '') operator(pg_catalog.=) '' then
        raise exception 'threadguard: token refused: it has no % or no % claim', v_settings.tenant_claim, v_settings.user_claim
            using errcode = 'invalid_authorization_specification';
    end if;
    if v_settings.claims_as operator(pg_catalog.=) 'hashed' then
        tenant_id := pg_catalog.encode(pg_catalog.substr(pg_catalog.sha256(pg_catalog.convert_to('tenant:' operator(pg_catalog.||) v_tenant, 'UTF8')), 1, 16), 'hex')::pg_catalog.uuid;
        user_id := pg_catalog.encode(pg_catalog.substr(pg_catalog.sha256(pg_catalog.convert_to('user:' operator(pg_catalog.||) v_user, 'UTF8')), 1, 16), 'hex')::pg_catalog.uuid;
    else
        begin
            tenant_id := nullif(v_tenant::pg_catalog.uuid, '00000000-0000-0000-0000-000000000000');
            user_id := nullif(v_user::pg_catalog.uuid, '00000000-0000-0000-0000-000000000000');
        exception when invalid_text_representation then
            tenant_id := null;
        end;
        if tenant_id is null or user_id is null then
            raise exception 'threadguard: token refused: its % and % claims are not uuids', v_settings.tenant_claim, v_settings.user_claim
                using errcode = 'invalid_authorization_specification',
                      hint = 'threadguard.configure_tokens(..., p_claims_as => ''hashed'') maps any text to a uuid.';
        end if;
    end if;
    kid := v_key.kid;
end
$$;

ALTER FUNCTION threadguard.verify_token(p_token text, OUT kid text, OUT tenant_id uuid, OUT user_id uuid, OUT expires_at timestamp with time zone) OWNER TO threadguard_owner;

COMMENT ON FUNCTION threadguard.verify_token(p_token text, OUT kid text, OUT tenant_id uuid, OUT user_id uuid, OUT expires_at timestamp with time zone) IS 'The key id, tenant, user and expiry of a token the configured keys and settings accept; 28000 naming the reason otherwise. Called by threadguard.present_token.';

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

COMMENT ON VIEW threadguard.context IS 'One row: the current transaction''s tenant_id and user_id, as threadguard.current_tenant_id() and current_user_id() return them (null when unset, empty or nil; 22P02 when not a uuid); in a sealed database, those of the verified token in app.token (threadguard.authenticated_identity()). What every policy compares owner columns with.';

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

CREATE TABLE threadguard.token_keys (
    kid text NOT NULL,
    alg text NOT NULL,
    hmac_inner bytea,
    hmac_outer bytea,
    rsa_n numeric,
    rsa_e numeric,
    rsa_octets integer,
    rsa_prefix numeric,
    added_at timestamp with time zone DEFAULT clock_timestamp() NOT NULL,
    CONSTRAINT token_keys_alg CHECK ((((alg = 'HS256'::text) AND (octet_length(hmac_inner) = 64) AND (octet_length(hmac_outer) = 64) AND (rsa_n IS NULL) AND (rsa_e IS NULL) AND (rsa_octets IS NULL) AND (rsa_prefix IS NULL)) OR ((alg = 'RS256'::text) AND (hmac_inner IS NULL) AND (hmac_outer IS NULL) AND (rsa_n > (0)::numeric) AND (rsa_e > (1)::numeric) AND ((rsa_octets >= 256) AND (rsa_octets <= 1024)) AND (rsa_prefix > (0)::numeric)))),
    CONSTRAINT token_keys_kid CHECK (((kid <> ''::text) AND (octet_length(kid) <= 200)))
);

ALTER TABLE ONLY threadguard.token_keys FORCE ROW LEVEL SECURITY;

ALTER TABLE threadguard.token_keys OWNER TO threadguard_owner;

COMMENT ON TABLE threadguard.token_keys IS 'The keys tokens are verified with (threadguard.add_token_keys, remove_token_key): HS256 secrets, RS256 public keys. Readable by the owner role only.';

COMMENT ON COLUMN threadguard.token_keys.kid IS 'The key id a token names in its header (kid).';

COMMENT ON COLUMN threadguard.token_keys.alg IS 'HS256 or RS256: a token must name the same algorithm.';

COMMENT ON COLUMN threadguard.token_keys.hmac_inner IS 'HS256: the secret (padded to 64 bytes) xor 0x36: HMAC''s inner key.';

COMMENT ON COLUMN threadguard.token_keys.hmac_outer IS 'HS256: the secret xor 0x5c: HMAC''s outer key.';

COMMENT ON COLUMN threadguard.token_keys.rsa_n IS 'RS256: the modulus.';

COMMENT ON COLUMN threadguard.token_keys.rsa_e IS 'RS256: the public exponent.';

COMMENT ON COLUMN threadguard.token_keys.rsa_octets IS 'RS256: the modulus''s length in bytes (a signature''s length).';

COMMENT ON COLUMN threadguard.token_keys.rsa_prefix IS 'RS256: the PKCS #1 v1.5 encoding of a SHA-256 digest, but the digest, as a number (0x0001ff..ff00 || DigestInfo).';

COMMENT ON COLUMN threadguard.token_keys.added_at IS 'When the key was added.';

COMMENT ON CONSTRAINT token_keys_alg ON threadguard.token_keys IS 'An HS256 key has its two HMAC keys, an RS256 key a modulus of 2048 to 8192 bits, an exponent and its encoding prefix; nothing else.';

COMMENT ON CONSTRAINT token_keys_kid ON threadguard.token_keys IS 'A non-empty key id of at most 200 bytes.';

CREATE TABLE threadguard.token_settings (
    id boolean DEFAULT true NOT NULL,
    sealed boolean DEFAULT false NOT NULL,
    issuer text,
    audience text,
    tenant_claim text DEFAULT 'tenant_id'::text NOT NULL,
    user_claim text DEFAULT 'sub'::text NOT NULL,
    claims_as text DEFAULT 'uuid'::text NOT NULL,
    leeway interval DEFAULT '00:00:30'::interval NOT NULL,
    CONSTRAINT token_settings_claims CHECK (((tenant_claim <> ''::text) AND (user_claim <> ''::text))),
    CONSTRAINT token_settings_claims_as CHECK ((claims_as = ANY (ARRAY['uuid'::text, 'hashed'::text]))),
    CONSTRAINT token_settings_leeway CHECK (((leeway >= '00:00:00'::interval) AND (leeway <= '00:05:00'::interval))),
    CONSTRAINT token_settings_one_row CHECK (id)
);

ALTER TABLE ONLY threadguard.token_settings FORCE ROW LEVEL SECURITY;

ALTER TABLE threadguard.token_settings OWNER TO threadguard_owner;

COMMENT ON TABLE threadguard.token_settings IS 'One row: whether this database is sealed (identity only from a verified token) and how a token is checked and mapped to a tenant and user.';

COMMENT ON COLUMN threadguard.token_settings.id IS 'Always true: the table has one row.';

COMMENT ON COLUMN threadguard.token_settings.sealed IS 'true: policies and the SQL API take the identity only from a token verified in the current transaction (threadguard seal).';

COMMENT ON COLUMN threadguard.token_settings.issuer IS 'The iss a token must carry; null: not checked.';

COMMENT ON COLUMN threadguard.token_settings.audience IS 'A value the token''s aud (a string or an array) must hold; null: not checked.';

COMMENT ON COLUMN threadguard.token_settings.tenant_claim IS 'The claim naming the tenant (dots reach into objects: o.id).';

COMMENT ON COLUMN threadguard.token_settings.user_claim IS 'The claim naming the user (usually sub).';

COMMENT ON COLUMN threadguard.token_settings.claims_as IS 'uuid: the claims are uuids; hashed: any text, mapped to a uuid by SHA-256.';

COMMENT ON COLUMN threadguard.token_settings.leeway IS 'Clock skew allowed on exp and nbf (at most 5 minutes).';

COMMENT ON CONSTRAINT token_settings_claims ON threadguard.token_settings IS 'Both claims are named.';

COMMENT ON CONSTRAINT token_settings_claims_as ON threadguard.token_settings IS 'How claims become uuids: uuid or hashed.';

COMMENT ON CONSTRAINT token_settings_leeway ON threadguard.token_settings IS 'A small leeway: 0 to 5 minutes.';

COMMENT ON CONSTRAINT token_settings_one_row ON threadguard.token_settings IS 'One row.';

CREATE TABLE threadguard.verified_tokens (
    token_hash bytea NOT NULL,
    kid text NOT NULL,
    tenant_id uuid NOT NULL,
    user_id uuid NOT NULL,
    expires_at timestamp with time zone NOT NULL,
    CONSTRAINT verified_tokens_hash CHECK ((octet_length(token_hash) = 32))
);

ALTER TABLE ONLY threadguard.verified_tokens FORCE ROW LEVEL SECURITY;

ALTER TABLE threadguard.verified_tokens OWNER TO threadguard_owner;

COMMENT ON TABLE threadguard.verified_tokens IS 'Tokens whose signature and claims have been checked (threadguard.present_token), by SHA-256 of the token, until they expire: a token seen before costs a lookup, not a signature check. Written by the owner role only; removing a key removes what it verified.';

COMMENT ON COLUMN threadguard.verified_tokens.token_hash IS 'SHA-256 of the token as presented.';

COMMENT ON COLUMN threadguard.verified_tokens.kid IS 'The key that verified it (removing the key revokes it).';

COMMENT ON COLUMN threadguard.verified_tokens.tenant_id IS 'The tenant its claims map to.';

COMMENT ON COLUMN threadguard.verified_tokens.user_id IS 'The user its claims map to.';

COMMENT ON COLUMN threadguard.verified_tokens.expires_at IS 'Its exp plus the leeway: from then on it opens nothing.';

COMMENT ON CONSTRAINT verified_tokens_hash ON threadguard.verified_tokens IS 'A SHA-256 digest.';

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

ALTER TABLE ONLY threadguard.token_keys
    ADD CONSTRAINT token_keys_pkey PRIMARY KEY (kid);

ALTER TABLE ONLY threadguard.token_settings
    ADD CONSTRAINT token_settings_pkey PRIMARY KEY (id);

ALTER TABLE ONLY threadguard.verified_tokens
    ADD CONSTRAINT verified_tokens_pkey PRIMARY KEY (token_hash);

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

CREATE INDEX verified_tokens_expires_at_idx ON threadguard.verified_tokens USING btree (expires_at);

CREATE INDEX verified_tokens_kid_idx ON threadguard.verified_tokens USING btree (kid);

CREATE STATISTICS public.checkpoint_blobs_owner_stats (dependencies) ON thread_id, threadguard_tenant_id, threadguard_user_id FROM public.checkpoint_blobs;

ALTER STATISTICS public.checkpoint_blobs_owner_stats OWNER TO threadguard_owner;

COMMENT ON STATISTICS public.checkpoint_blobs_owner_stats IS 'threadguard: a thread''s rows share one owner; keeps RLS from skewing the planner''s row estimates.';

CREATE STATISTICS public.checkpoint_writes_owner_stats (dependencies) ON thread_id, threadguard_tenant_id, threadguard_user_id FROM public.checkpoint_writes;

ALTER STATISTICS public.checkpoint_writes_owner_stats OWNER TO threadguard_owner;

COMMENT ON STATISTICS public.checkpoint_writes_owner_stats IS 'threadguard: a thread''s rows share one owner; keeps RLS from skewing the planner''s row estimates.';

CREATE STATISTICS public.checkpoints_owner_stats (dependencies) ON thread_id, threadguard_tenant_id, threadguard_user_id FROM public.checkpoints;

ALTER STATISTICS public.checkpoints_owner_stats OWNER TO threadguard_owner;

COMMENT ON STATISTICS public.checkpoints_owner_stats IS 'threadguard: a thread''s rows share one owner; keeps RLS from skewing the planner''s row estimates.';

CREATE TRIGGER checkpoints_touch_conversation AFTER INSERT ON public.checkpoints FOR EACH ROW WHEN (((new.threadguard_tenant_id IS NOT NULL) AND ((new.parent_checkpoint_id IS NULL) OR ("left"(new.checkpoint_id, 8) <> "left"(new.parent_checkpoint_id, 8)) OR (threadguard.checkpoint_time(new.checkpoint_id) IS NULL)))) EXECUTE FUNCTION threadguard.touch_conversation();

COMMENT ON TRIGGER checkpoints_touch_conversation ON public.checkpoints IS 'threadguard: a checkpoint that starts a new ~27 s of activity (or has no parent, or an id that is no uuid6) marks its conversation active (updated_at).';

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

ALTER TABLE ONLY threadguard.verified_tokens
    ADD CONSTRAINT verified_tokens_kid_fkey FOREIGN KEY (kid) REFERENCES threadguard.token_keys(kid) ON DELETE CASCADE;

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

ALTER TABLE threadguard.token_keys ENABLE ROW LEVEL SECURITY;

CREATE POLICY token_keys_admin_select ON threadguard.token_keys FOR SELECT TO threadguard_admin USING (true);

COMMENT ON POLICY token_keys_admin_select ON threadguard.token_keys IS 'Admins list the keys (kid, alg, added_at: the only columns granted to them).';

CREATE POLICY token_keys_operator_all ON threadguard.token_keys TO threadguard_operator USING (true) WITH CHECK (true);

COMMENT ON POLICY token_keys_operator_all ON threadguard.token_keys IS 'add_token_keys and remove_token_key (audited) change the keys.';

CREATE POLICY token_keys_owner_select ON threadguard.token_keys FOR SELECT TO threadguard_owner USING (true);

COMMENT ON POLICY token_keys_owner_select ON threadguard.token_keys IS 'verify_token checks signatures with them.';

ALTER TABLE threadguard.token_settings ENABLE ROW LEVEL SECURITY;

CREATE POLICY token_settings_all_select ON threadguard.token_settings FOR SELECT USING (true);

COMMENT ON POLICY token_settings_all_select ON threadguard.token_settings IS 'Whether the database is sealed and how tokens map to identities is no secret: the API reads it to say why it refuses.';

CREATE POLICY token_settings_operator_update ON threadguard.token_settings FOR UPDATE TO threadguard_operator USING (true) WITH CHECK (true);

COMMENT ON POLICY token_settings_operator_update ON threadguard.token_settings IS 'threadguard.configure_tokens sets how tokens are checked (not whether the database is sealed: its column is not granted).';

CREATE POLICY token_settings_owner_update ON threadguard.token_settings FOR UPDATE TO threadguard_owner USING (true) WITH CHECK (true);

COMMENT ON POLICY token_settings_owner_update ON threadguard.token_settings IS 'threadguard seal / unseal (run as the owner role, with the definitions that follow from it).';

ALTER TABLE threadguard.verified_tokens ENABLE ROW LEVEL SECURITY;

CREATE POLICY verified_tokens_operator_delete ON threadguard.verified_tokens FOR DELETE TO threadguard_operator USING (true);

COMMENT ON POLICY verified_tokens_operator_delete ON threadguard.verified_tokens IS 'configure_tokens forgets every verified token when the rules change.';

CREATE POLICY verified_tokens_owner_all ON threadguard.verified_tokens TO threadguard_owner USING (true) WITH CHECK (true);

COMMENT ON POLICY verified_tokens_owner_all ON threadguard.verified_tokens IS 'present_token records a token it verified and prunes expired ones; authenticated_identity reads them.';

GRANT USAGE ON SCHEMA public TO threadguard_app;

GRANT USAGE ON SCHEMA threadguard TO threadguard_app;
GRANT USAGE ON SCHEMA threadguard TO threadguard_admin;
GRANT USAGE ON SCHEMA threadguard TO threadguard_operator;
GRANT USAGE ON SCHEMA threadguard TO threadguard_support;

REVOKE ALL ON FUNCTION threadguard.add_token_keys(p_jwks jsonb) FROM PUBLIC;
GRANT ALL ON FUNCTION threadguard.add_token_keys(p_jwks jsonb) TO threadguard_admin;

REVOKE ALL ON FUNCTION threadguard.apply_retention(p_batch integer, p_after uuid, p_dry_run boolean) FROM PUBLIC;
GRANT ALL ON FUNCTION threadguard.apply_retention(p_batch integer, p_after uuid, p_dry_run boolean) TO threadguard_admin;

REVOKE ALL ON FUNCTION threadguard.assign_store_items(p_prefix text, p_tenant_id uuid, p_user_id uuid, p_reason text) FROM PUBLIC;
GRANT ALL ON FUNCTION threadguard.assign_store_items(p_prefix text, p_tenant_id uuid, p_user_id uuid, p_reason text) TO threadguard_admin;

REVOKE ALL ON FUNCTION threadguard.assign_thread(p_thread_id text, p_tenant_id uuid, p_user_id uuid, p_title text) FROM PUBLIC;
GRANT ALL ON FUNCTION threadguard.assign_thread(p_thread_id text, p_tenant_id uuid, p_user_id uuid, p_title text) TO threadguard_admin;

REVOKE ALL ON FUNCTION threadguard.audit_to_server_log() FROM PUBLIC;

REVOKE ALL ON FUNCTION threadguard.authenticated_identity(OUT tenant_id uuid, OUT user_id uuid) FROM PUBLIC;
GRANT ALL ON FUNCTION threadguard.authenticated_identity(OUT tenant_id uuid, OUT user_id uuid) TO threadguard_app;
GRANT ALL ON FUNCTION threadguard.authenticated_identity(OUT tenant_id uuid, OUT user_id uuid) TO threadguard_admin;
GRANT ALL ON FUNCTION threadguard.authenticated_identity(OUT tenant_id uuid, OUT user_id uuid) TO threadguard_operator;

REVOKE ALL ON FUNCTION threadguard.base64url_decode(p_text text) FROM PUBLIC;
GRANT ALL ON FUNCTION threadguard.base64url_decode(p_text text) TO threadguard_operator;

REVOKE ALL ON FUNCTION threadguard.catalog_fingerprint() FROM PUBLIC;

REVOKE ALL ON FUNCTION threadguard.checkpoint_time(p_checkpoint_id text) FROM PUBLIC;
GRANT ALL ON FUNCTION threadguard.checkpoint_time(p_checkpoint_id text) TO threadguard_app;
GRANT ALL ON FUNCTION threadguard.checkpoint_time(p_checkpoint_id text) TO threadguard_admin;
GRANT ALL ON FUNCTION threadguard.checkpoint_time(p_checkpoint_id text) TO threadguard_operator;

REVOKE ALL ON FUNCTION threadguard.configure_tokens(p_issuer text, p_audience text, p_tenant_claim text, p_user_claim text, p_claims_as text, p_leeway interval) FROM PUBLIC;
GRANT ALL ON FUNCTION threadguard.configure_tokens(p_issuer text, p_audience text, p_tenant_claim text, p_user_claim text, p_claims_as text, p_leeway interval) TO threadguard_admin;

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

REVOKE ALL ON FUNCTION threadguard.octets_to_numeric(p_octets bytea) FROM PUBLIC;
GRANT ALL ON FUNCTION threadguard.octets_to_numeric(p_octets bytea) TO threadguard_operator;

REVOKE ALL ON FUNCTION threadguard.open_support_access(p_tenant_id uuid, p_reason text, p_minutes integer) FROM PUBLIC;
GRANT ALL ON FUNCTION threadguard.open_support_access(p_tenant_id uuid, p_reason text, p_minutes integer) TO threadguard_support;

REVOKE ALL ON PROCEDURE threadguard.partition_checkpoint_tables(IN p_partitions integer) FROM PUBLIC;

REVOKE ALL ON FUNCTION threadguard.present_token(p_token text) FROM PUBLIC;
GRANT ALL ON FUNCTION threadguard.present_token(p_token text) TO threadguard_app;

REVOKE ALL ON FUNCTION threadguard.prune_audit_log(p_older_than interval) FROM PUBLIC;

REVOKE ALL ON FUNCTION threadguard.remove_token_key(p_kid text) FROM PUBLIC;
GRANT ALL ON FUNCTION threadguard.remove_token_key(p_kid text) TO threadguard_admin;

REVOKE ALL ON FUNCTION threadguard.rename_conversation(p_thread_id uuid, p_title text) FROM PUBLIC;
GRANT ALL ON FUNCTION threadguard.rename_conversation(p_thread_id uuid, p_title text) TO threadguard_app;

REVOKE ALL ON FUNCTION threadguard.require_context(OUT tenant_id uuid, OUT user_id uuid) FROM PUBLIC;
GRANT ALL ON FUNCTION threadguard.require_context(OUT tenant_id uuid, OUT user_id uuid) TO threadguard_app;

REVOKE ALL ON FUNCTION threadguard.row_counts(p_reason text) FROM PUBLIC;
GRANT ALL ON FUNCTION threadguard.row_counts(p_reason text) TO threadguard_admin;

REVOKE ALL ON FUNCTION threadguard.rsa_public(p_base numeric, p_exponent numeric, p_modulus numeric) FROM PUBLIC;

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

REVOKE ALL ON FUNCTION threadguard.verify_token(p_token text, OUT kid text, OUT tenant_id uuid, OUT user_id uuid, OUT expires_at timestamp with time zone) FROM PUBLIC;

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

GRANT SELECT,INSERT,DELETE ON TABLE threadguard.token_keys TO threadguard_operator;

GRANT SELECT(kid) ON TABLE threadguard.token_keys TO threadguard_admin;

GRANT SELECT(alg) ON TABLE threadguard.token_keys TO threadguard_admin;

GRANT SELECT(added_at) ON TABLE threadguard.token_keys TO threadguard_admin;

GRANT SELECT ON TABLE threadguard.token_settings TO threadguard_app;
GRANT SELECT ON TABLE threadguard.token_settings TO threadguard_admin;
GRANT SELECT ON TABLE threadguard.token_settings TO threadguard_operator;

GRANT UPDATE(issuer) ON TABLE threadguard.token_settings TO threadguard_operator;

GRANT UPDATE(audience) ON TABLE threadguard.token_settings TO threadguard_operator;

GRANT UPDATE(tenant_claim) ON TABLE threadguard.token_settings TO threadguard_operator;

GRANT UPDATE(user_claim) ON TABLE threadguard.token_settings TO threadguard_operator;

GRANT UPDATE(claims_as) ON TABLE threadguard.token_settings TO threadguard_operator;

GRANT UPDATE(leeway) ON TABLE threadguard.token_settings TO threadguard_operator;

GRANT DELETE ON TABLE threadguard.verified_tokens TO threadguard_operator;

ALTER DEFAULT PRIVILEGES FOR ROLE threadguard_owner REVOKE ALL ON FUNCTIONS  FROM PUBLIC;
