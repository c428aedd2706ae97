-- Loads what every pgTAP file needs into a freshly migrated test database:
-- the pgTAP extension and a small `tests` schema of persona and fixture helpers.
-- Run once per test database by tests/run.sh, with ON_ERROR_STOP.

\set ON_ERROR_STOP 1
create extension if not exists pgtap;
create schema tests;
grant usage on schema tests to threadguard_app, threadguard_owner, threadguard_admin, threadguard_support;

create function tests.id(p_name text)
returns uuid
language sql
immutable
as $$
    select case p_name
        when 'tenant_a' then 'aaaaaaaa-0000-4000-8000-000000000000'
        when 'user_a1' then 'a1a1a1a1-0000-4000-8000-000000000000'
        when 'user_a2' then 'a2a2a2a2-0000-4000-8000-000000000000'
        when 'tenant_b' then 'bbbbbbbb-0000-4000-8000-000000000000'
        when 'user_b1' then 'b1b1b1b1-0000-4000-8000-000000000000'
        when 'thread_a1' then '0a100000-0000-4000-8000-000000000000'
        when 'thread_a2' then '0a200000-0000-4000-8000-000000000000'
        when 'thread_b1' then '0b100000-0000-4000-8000-000000000000'
        when 'thread_new' then '0ee00000-0000-4000-8000-000000000000'
    end::uuid
$$;
comment on function tests.id(text) is
    'Fixed ids of the test world by name: tenant_a (users user_a1, user_a2), tenant_b (user_b1), and threads thread_a1 (user_a1), thread_a2 (user_a2), thread_b1 (user_b1); thread_new has no conversation.';

create function tests.t(p_name text)
returns text
language sql
immutable
as $$ select tests.id(p_name)::text $$;
comment on function tests.t(text) is 'tests.id as the text thread_id LangGraph stores.';

create function tests._become(p_tenant text, p_user text)
returns void
language plpgsql
as $$
declare
    v_rel regclass;
begin
    -- Back to the session's superuser, so that pgTAP's own temp tables can be
    -- shared with the runtime role (pgTAP writes its results into them).
    perform pg_catalog.set_config('role', 'none', true);
    for v_rel in
        select c.oid from pg_catalog.pg_class c
        where c.relnamespace = pg_catalog.pg_my_temp_schema() and c.relkind in ('r', 'S')
    loop
        execute format('grant all on %s to threadguard_app, threadguard_owner, threadguard_admin, threadguard_support', v_rel);
    end loop;
    if p_tenant is not null then
        perform pg_catalog.set_config('app.tenant_id', p_tenant, true);
        perform pg_catalog.set_config('app.user_id', p_user, true);
    end if;
    perform pg_catalog.set_config('role', 'threadguard_app', true);
end
$$;
comment on function tests._become(text, text) is
    'Switch to threadguard_app with the given raw context values (null: leave the context as it is).';

create function tests.as_user(p_tenant text, p_user text)
returns void
language sql
as $$ select tests._become(tests.id(p_tenant)::text, tests.id(p_user)::text) $$;
comment on function tests.as_user(text, text) is
    'Persona: threadguard_app acting for a named tenant and user, e.g. tests.as_user(''tenant_a'', ''user_a1'').';

create function tests.as_unset()
returns void
language sql
as $$ select tests._become(null, null) $$;
comment on function tests.as_unset() is
    'Persona: threadguard_app with the context never set (use before any other persona in the file).';

create function tests.as_empty()
returns void
language sql
as $$ select tests._become('', '') $$;
comment on function tests.as_empty() is
    'Persona: threadguard_app with an empty context, as after RESET or a transaction-local set that ended.';

create function tests.as_malformed()
returns void
language sql
as $$ select tests._become('not-a-uuid', 'a1a1a1a1') $$;
comment on function tests.as_malformed() is
    'Persona: threadguard_app with a context that is not a uuid.';

create function tests.as_owner()
returns void
language plpgsql
as $$
begin
    perform tests._become(null, null);
    perform pg_catalog.set_config('role', 'threadguard_owner', true);
end
$$;
comment on function tests.as_owner() is
    'Switch to threadguard_owner (table owner, subject to FORCEd RLS) keeping the context: reaches past column privileges to test WITH CHECK alone.';

create function tests.as_admin()
returns void
language plpgsql
as $$
begin
    perform tests._become(null, null);
    perform pg_catalog.set_config('role', 'threadguard_admin', true);
end
$$;
comment on function tests.as_admin() is
    'Persona: threadguard_admin, the operators'' group role (executes the operator functions, reads the audit log).';

create function tests.as_support()
returns void
language plpgsql
as $$
begin
    perform tests._become(null, null);
    perform pg_catalog.set_config('role', 'threadguard_support', true);
end
$$;
comment on function tests.as_support() is
    'Persona: threadguard_support, a support engineer (the session user is the access''s actor).';

create function tests.as_superuser()
returns void
language sql
as $$ select pg_catalog.set_config('role', 'none', true) $$;
comment on function tests.as_superuser() is
    'Back to the session''s superuser, to inspect what really is in the tables.';

create function tests.insert_sql(p_table text, p_thread text, p_key text default 'x')
returns text
language sql
immutable
as $$
    select case p_table
        when 'checkpoints' then format(
            $f$insert into public.checkpoints (thread_id, checkpoint_ns, checkpoint_id, checkpoint) values (%L, '', %L, '{}')$f$,
            p_thread, p_key)
        when 'checkpoint_blobs' then format(
            $f$insert into public.checkpoint_blobs (thread_id, checkpoint_ns, channel, version, type, blob) values (%L, '', 'messages', %L, 'msgpack', '\x00')$f$,
            p_thread, p_key)
        when 'checkpoint_writes' then format(
            $f$insert into public.checkpoint_writes (thread_id, checkpoint_ns, checkpoint_id, task_id, idx, channel, type, blob) values (%L, '', %L, 't', 0, 'messages', 'msgpack', '\x00')$f$,
            p_thread, p_key)
    end
$$;
comment on function tests.insert_sql(text, text, text) is
    'An INSERT of one minimal row into checkpoint table p_table for thread p_thread; p_key is its checkpoint_id or version.';

create function tests.upsert_sql(p_table text, p_thread text, p_key text default 'x')
returns text
language sql
immutable
as $$
    select tests.insert_sql(p_table, p_thread, p_key) || case p_table
        when 'checkpoints' then ' on conflict (thread_id, checkpoint_ns, checkpoint_id) do update set checkpoint = excluded.checkpoint'
        when 'checkpoint_blobs' then ' on conflict (thread_id, checkpoint_ns, channel, version) do update set blob = excluded.blob'
        when 'checkpoint_writes' then ' on conflict (thread_id, checkpoint_ns, checkpoint_id, task_id, idx) do update set blob = excluded.blob'
    end
$$;
comment on function tests.upsert_sql(text, text, text) is
    'tests.insert_sql with the ON CONFLICT ... DO UPDATE clause LangGraph''s saver uses.';

create function tests.token(p_name text)
returns text
language sql
immutable
as $$
    select case p_name
        when 'rs_a1' then 'eyJhbGciOiAiUlMyNTYiLCAidHlwIjogIkpXVCIsICJraWQiOiAicGd0YXAtcnMyNTYifQ.eyJpc3MiOiAiaHR0cHM6Ly9pc3N1ZXIudGVzdC8iLCAiYXVkIjogInRocmVhZGd1YXJkLXBndGFwIiwgInN1YiI6ICJhMWExYTFhMS0wMDAwLTQwMDAtODAwMC0wMDAwMDAwMDAwMDAiLCAidGVuYW50X2lkIjogImFhYWFhYWFhLTAwMDAtNDAwMC04MDAwLTAwMDAwMDAwMDAwMCIsICJpYXQiOiAxNzk2Njg1MDQ3LCAiZXhwIjogNDEwMjQ0NDgwMH0.DGdzEmUXpARiWj5xSaOtmoLo1YhBNzEXhTpvFPM9pUL-AyJ15wNULW7tgIpnv_K1_1ilhOGNs5LJVqt-ZgUTzu8J5LwRSuIHabK7WrxirBbkA3-NEUSXszG2td_0koFeMjU-rz1YV-e45M0lb9jV56B0YV07O6zUrVosMcTQwgJ1_TiywJ9ND30PeFS-0fJUGcbgBelyfrXD4IW1sgdvhnKSeMJorc4B52SUPoRKuFemiJXF-Tfg0XFOdv_p4T_XQAQTUZKa_eZnBGHSDkQpp4b0-fvwiHEWe8cwDyBJud2xrFI4TXrTop4y4poSVraCitksg9bLtclMbycr2aRUqQ'
        when 'hs_a2' then 'eyJhbGciOiAiSFMyNTYiLCAidHlwIjogIkpXVCIsICJraWQiOiAicGd0YXAtaHMyNTYifQ.eyJpc3MiOiAiaHR0cHM6Ly9pc3N1ZXIudGVzdC8iLCAiYXVkIjogInRocmVhZGd1YXJkLXBndGFwIiwgInN1YiI6ICJhMmEyYTJhMi0wMDAwLTQwMDAtODAwMC0wMDAwMDAwMDAwMDAiLCAidGVuYW50X2lkIjogImFhYWFhYWFhLTAwMDAtNDAwMC04MDAwLTAwMDAwMDAwMDAwMCIsICJpYXQiOiAxNzk2Njg1MDQ3LCAiZXhwIjogNDEwMjQ0NDgwMH0.r-ISw7FXIx7MWtEVG3zQ-RSca-jUo9E4HqaDxQbfre0'
        when 'rs_b1' then 'eyJhbGciOiAiUlMyNTYiLCAidHlwIjogIkpXVCIsICJraWQiOiAicGd0YXAtcnMyNTYifQ.eyJpc3MiOiAiaHR0cHM6Ly9pc3N1ZXIudGVzdC8iLCAiYXVkIjogInRocmVhZGd1YXJkLXBndGFwIiwgInN1YiI6ICJiMWIxYjFiMS0wMDAwLTQwMDAtODAwMC0wMDAwMDAwMDAwMDAiLCAidGVuYW50X2lkIjogImJiYmJiYmJiLTAwMDAtNDAwMC04MDAwLTAwMDAwMDAwMDAwMCIsICJpYXQiOiAxNzk2Njg1MDQ3LCAiZXhwIjogNDEwMjQ0NDgwMH0.malVTSXAMMj3ZobirQUqr6j1l5ddXsyqAUUWgzU6fMAxiea9m-k7XFDBVdFK9-VVqYay6A7KYkVdtKwScI_bFfnq4XywJka1KFn88vDV7zUoagl0Pd6jftaTaDmrMH1rtHfdFToeTag8rEADU8SAHhBWL14p3GVNBt6BXvKD-kj3h43kBfEc-LVGC3oC6SN0Fos2xgsmRaOsp4T6-GBlsmsf2_QNVAYW-DyOtgwWb11c3irtsIxcDkjPH1_XInNPL13j24bpMA143FH2kxHSZDaGIOG4ztKCqlsR6zweZ15hW2titAWI-6o0MPLJtpt9iIScpmJy1H8S2EyAQDOKNg'
        when 'expired' then 'eyJhbGciOiAiUlMyNTYiLCAidHlwIjogIkpXVCIsICJraWQiOiAicGd0YXAtcnMyNTYifQ.eyJpc3MiOiAiaHR0cHM6Ly9pc3N1ZXIudGVzdC8iLCAiYXVkIjogInRocmVhZGd1YXJkLXBndGFwIiwgInN1YiI6ICJhMWExYTFhMS0wMDAwLTQwMDAtODAwMC0wMDAwMDAwMDAwMDAiLCAidGVuYW50X2lkIjogImFhYWFhYWFhLTAwMDAtNDAwMC04MDAwLTAwMDAwMDAwMDAwMCIsICJpYXQiOiAxNzk2Njg1MDQ3LCAiZXhwIjogOTc4MzA3MjAwfQ.OjXB5tbbQtAQGXf6qKn9KvSIy3_bloT25A3kn-FB4vDOC6rwyVXCQQerphjI0k2WtfIfH2mVRUqcC-eXa6qNWebUXzrLaogA-FBng7cfXdpGftdwWJKngANeHANqH_2qJ5-Z_4Xp1oPI5c3q3VyMwPE9lzT2MVbgmuzGztSPJD1f2uPZzNlwMooInlWYlWEO2IUhNWvF7O_FWXJghUH9vTlZDpFBB1BY37toyNvQjxKLG3vLacxhAXsWnbdi7oaS3K6_yQNrTIX8TM_IEsP6Ubpa2VV4J9pmD8vQ3XgFFtoqwXk1i9CgQ_kMPvT9I4lRtoQ-vSfIM6AqXOa4twvzgg'
        when 'not_yet_valid' then 'eyJhbGciOiAiUlMyNTYiLCAidHlwIjogIkpXVCIsICJraWQiOiAicGd0YXAtcnMyNTYifQ.eyJpc3MiOiAiaHR0cHM6Ly9pc3N1ZXIudGVzdC8iLCAiYXVkIjogInRocmVhZGd1YXJkLXBndGFwIiwgInN1YiI6ICJhMWExYTFhMS0wMDAwLTQwMDAtODAwMC0wMDAwMDAwMDAwMDAiLCAidGVuYW50X2lkIjogImFhYWFhYWFhLTAwMDAtNDAwMC04MDAwLTAwMDAwMDAwMDAwMCIsICJpYXQiOiAxNzk2Njg1MDQ3LCAiZXhwIjogNDEwMjQ0NDgwMCwgIm5iZiI6IDQxMDI0NDQ3OTl9.W26iTnwcwGEkA4U5zOZcbuAR937FegB2su3ltr2o4N7nXaE1h_QuM4EFBUgSO4B6FRFMKXhlPiojGowoSjHqF7aRpc_BfCxakcujvqhkeS2-8CjOxwshtctKxDtuBoggJe0uHd77OBieFjh0QlMsTiS-M2DLMJEctJJdGOpsUp5OgId2N5_RPp_wbYmpfyVxYRKBhBMTVfFklnorJfJWvlx-nugU29DCmYECdTWzOt4nf4v3uGzmgFdRWx_BNKVY29vhc5KPtEiVCWogRu2Kt4B3nj183vQquTXuJc-xQkgkQRiRaXMZksPauoR2kJ5bfmkpYo_8Vy-CadDMS0PrRA'
        when 'other_audience' then 'eyJhbGciOiAiUlMyNTYiLCAidHlwIjogIkpXVCIsICJraWQiOiAicGd0YXAtcnMyNTYifQ.eyJpc3MiOiAiaHR0cHM6Ly9pc3N1ZXIudGVzdC8iLCAiYXVkIjogImFub3RoZXItYXBpIiwgInN1YiI6ICJhMWExYTFhMS0wMDAwLTQwMDAtODAwMC0wMDAwMDAwMDAwMDAiLCAidGVuYW50X2lkIjogImFhYWFhYWFhLTAwMDAtNDAwMC04MDAwLTAwMDAwMDAwMDAwMCIsICJpYXQiOiAxNzk2Njg1MDQ3LCAiZXhwIjogNDEwMjQ0NDgwMH0.db7YJs-EECMO20oVs6xvRyNE-6_T9f8uqhB3S7F5oNq4gutFGV8YFjE1Juu_rPHd7SNve7c_6vYkBybvQoERigXXA8GDbICVSOgsTaXe5lN17ZA4_svY6BheVgraMbhFGsFVx4IBbNOort658HP5GFw31xI3nHlv_ytK9ncMSaOvDsLRCu3mI4Iak3MtNrfRwTD6WKfPVnp_Nqf6H8lqcpLvIG8ye6-86jYj04N5dV_546RUmQNXsCcy8ParDms4PPvzPHYtOTMm1-NTQkt_33NuEUCk8FOeSKD_AZTqnm_ui39-DQuhapJYTFcoULhnLwnSZniQ6_VAj8492soVbQ'
        when 'other_issuer' then 'eyJhbGciOiAiUlMyNTYiLCAidHlwIjogIkpXVCIsICJraWQiOiAicGd0YXAtcnMyNTYifQ.eyJpc3MiOiAiaHR0cHM6Ly9ldmlsLnRlc3QvIiwgImF1ZCI6ICJ0aHJlYWRndWFyZC1wZ3RhcCIsICJzdWIiOiAiYTFhMWExYTEtMDAwMC00MDAwLTgwMDAtMDAwMDAwMDAwMDAwIiwgInRlbmFudF9pZCI6ICJhYWFhYWFhYS0wMDAwLTQwMDAtODAwMC0wMDAwMDAwMDAwMDAiLCAiaWF0IjogMTc5NjY4NTA0NywgImV4cCI6IDQxMDI0NDQ4MDB9.qFtNrm6sVM29cHZavnkObuQpAHh1HbR5krNpzvXrRlsJ11A4h58hUo9p-cn7dbVDJclXRPIQE0TcKUxRqKFVcnG1hhh9Hil3h-Yhsq76zrgpSa6RYAp3WuPhqtViz-Gxa33WXwuIALHuUAE0E6cCzuN62hUUSy0NgvGZpHAUtjyQvftRPgQc8vwW0UB3ajs6QAflPGhzfg7x7Oq8k3GK-BWa1z6oKbHHBzik4ctGf9WQjWN4DmvuvnIodZ_ciI7MIMXCJv9JhmJlwse67SuwgGeDcc4pdgktU3rKOUxN4KNuGeHwKtryeJLx-p58RNyGWVafK1dCQmQB60mJasOipw'
        when 'forged' then 'eyJhbGciOiAiUlMyNTYiLCAidHlwIjogIkpXVCIsICJraWQiOiAicGd0YXAtcnMyNTYifQ.eyJpc3MiOiAiaHR0cHM6Ly9pc3N1ZXIudGVzdC8iLCAiYXVkIjogInRocmVhZGd1YXJkLXBndGFwIiwgInN1YiI6ICJhMWExYTFhMS0wMDAwLTQwMDAtODAwMC0wMDAwMDAwMDAwMDAiLCAidGVuYW50X2lkIjogImFhYWFhYWFhLTAwMDAtNDAwMC04MDAwLTAwMDAwMDAwMDAwMCIsICJpYXQiOiAxNzk2Njg1MDQ3LCAiZXhwIjogNDEwMjQ0NDgwMH0.DGdzEmUXpAAiWj5xSaOtmoLo1YhBNzEXhTpvFPM9pUL-AyJ15wNULW7tgIpnv_K1_1ilhOGNs5LJVqt-ZgUTzu8J5LwRSuIHabK7WrxirBbkA3-NEUSXszG2td_0koFeMjU-rz1YV-e45M0lb9jV56B0YV07O6zUrVosMcTQwgJ1_TiywJ9ND30PeFS-0fJUGcbgBelyfrXD4IW1sgdvhnKSeMJorc4B52SUPoRKuFemiJXF-Tfg0XFOdv_p4T_XQAQTUZKa_eZnBGHSDkQpp4b0-fvwiHEWe8cwDyBJud2xrFI4TXrTop4y4poSVraCitksg9bLtclMbycr2aRUqQ'
        when 'other_key' then 'eyJhbGciOiAiUlMyNTYiLCAidHlwIjogIkpXVCIsICJraWQiOiAicGd0YXAtcnMyNTYifQ.eyJpc3MiOiAiaHR0cHM6Ly9pc3N1ZXIudGVzdC8iLCAiYXVkIjogInRocmVhZGd1YXJkLXBndGFwIiwgInN1YiI6ICJhMWExYTFhMS0wMDAwLTQwMDAtODAwMC0wMDAwMDAwMDAwMDAiLCAidGVuYW50X2lkIjogImFhYWFhYWFhLTAwMDAtNDAwMC04MDAwLTAwMDAwMDAwMDAwMCIsICJpYXQiOiAxNzk2Njg1MDQ3LCAiZXhwIjogNDEwMjQ0NDgwMH0.nOGDHE18QeC4nHbEnZbHagjpad-DifXrGCU9LOrh4JG0P2MtssfUZaWRBuxKvUarslnY82cBXRWsURaPbY8w17kU5T9kW-bZM10ESToMrl9zxrr3XAr_EFVNpYGwrZ6t24GyuhQcnPyJtqAn7pTa6NrTFG0swl5VozXr0iWR2lhi0ksqcnALc4eVdWWHS1U7LarO3vKTfI6OMw4XEgfeZWJVj-rhiukndS4JEhlAfGkTF7bAwf78afXQPtuEuOEreDrDP3LW_EmrynwObKrTJYc0tvxQ2k78RRxqixgMhujWbRs8hH7AkS1S5npigMatdKZTDjUzBb01Gl_1HwDavg'
    end
$$;
comment on function tests.token(text) is
    'Fixed JSON Web Tokens for the sealed files (tests/pgtap/sealed; keys in its jwks.json, iss https://issuer.test/, aud threadguard-pgtap, exp 2100): rs_a1, hs_a2, rs_b1 valid (RS256, HS256, RS256) for those users; expired, not_yet_valid, other_audience, other_issuer, forged and other_key (signed by a key not configured, same kid) for A1, each refused.';

create function tests.as_token(p_name text)
returns void
language plpgsql
as $$
begin
    perform tests._become(null, null);
    perform threadguard.present_token(tests.token(p_name));
end
$$;
comment on function tests.as_token(text) is
    'Persona (sealed database): threadguard_app having presented the named token of tests.token in this transaction.';

create function tests.seed_world()
returns void
language plpgsql
as $$
declare
    v_table text;
    v_thread record;
begin
    perform tests.as_superuser();
    insert into threadguard.conversations (id, tenant_id, user_id, title)
    values (tests.id('thread_a1'), tests.id('tenant_a'), tests.id('user_a1'), 'A1''s thread'),
           (tests.id('thread_a2'), tests.id('tenant_a'), tests.id('user_a2'), 'A2''s thread'),
           (tests.id('thread_b1'), tests.id('tenant_b'), tests.id('user_b1'), 'B1''s thread');
    for v_thread in select id, tenant_id, user_id from threadguard.conversations loop
        foreach v_table in array array['checkpoints', 'checkpoint_blobs', 'checkpoint_writes'] loop
            execute tests.insert_sql(v_table, v_thread.id::text, 'seed-1');
            execute tests.insert_sql(v_table, v_thread.id::text, 'seed-2');
            execute format('update public.%I set threadguard_tenant_id = %L, threadguard_user_id = %L where thread_id = %L',
                           v_table, v_thread.tenant_id, v_thread.user_id, v_thread.id::text);
        end loop;
    end loop;
    -- A row from before adoption: in A1's thread but stamped with no owner.
    execute tests.insert_sql('checkpoints', tests.t('thread_a1'), 'pre-adoption');
end
$$;
comment on function tests.seed_world() is
    'As superuser (bypassing RLS): three conversations with two rows each in every checkpoint table, owners stamped as the saver would, plus one unowned pre-adoption checkpoint in thread_a1.';

create function tests.row_counts(p_table text)
returns table (thread_id text, n bigint)
language plpgsql
as $$
begin
    return query execute format('select thread_id, count(*) from public.%I group by 1 order by 1', p_table);
end
$$;
comment on function tests.row_counts(text) is 'Rows per thread in a checkpoint table, as the current role sees them.';

create function tests.ns(p_owner text, p_user text, p_label text default 'memories')
returns text
language sql
immutable
as $$ select tests.t(p_owner) || '.' || coalesce(tests.t(p_user), p_user) || '.' || p_label $$;
comment on function tests.ns(text, text, text) is
    'A store prefix as LangGraph writes it: tests.ns(''tenant_a'', ''user_a1'') is A1''s own ''memories'' namespace, tests.ns(''tenant_a'', ''shared'') tenant A''s shared one.';

create function tests.store_insert_sql(p_prefix text, p_key text default 'k', p_value text default '{"v": "new"}')
returns text
language sql
immutable
as $$ select format('insert into public.store (prefix, key, value) values (%L, %L, %L)', p_prefix, p_key, p_value) $$;
comment on function tests.store_insert_sql(text, text, text) is
    'A plain INSERT of one store item (no ON CONFLICT, so no SELECT policy takes part): what only the INSERT policy refuses.';

create function tests.store_put_sql(p_prefix text, p_key text default 'k', p_value text default '{"v": "new"}')
returns text
language sql
immutable
as $$
    select format($f$insert into public.store (prefix, key, value, created_at, updated_at, expires_at, ttl_minutes)
                     values (%L, %L, %L, current_timestamp, current_timestamp, null, null)
                     on conflict (prefix, key) do update set value = excluded.value, updated_at = current_timestamp,
                        expires_at = excluded.expires_at, ttl_minutes = excluded.ttl_minutes$f$, p_prefix, p_key, p_value)
$$;
comment on function tests.store_put_sql(text, text, text) is
    'PostgresStore''s put of one item: its INSERT ... ON CONFLICT (prefix, key) DO UPDATE.';

create function tests.seed_store()
returns void
language plpgsql
as $$
begin
    perform tests.as_superuser();
    -- The same namespace label and key for A1, A2 and B1: LangGraph's (prefix, key) never meet.
    insert into public.store (prefix, key, value) values
        (tests.ns('tenant_a', 'user_a1'), 'k', '{"who": "a1"}'),
        (tests.ns('tenant_a', 'user_a2'), 'k', '{"who": "a2"}'),
        (tests.ns('tenant_b', 'user_b1'), 'k', '{"who": "b1"}'),
        (tests.ns('tenant_a', 'shared', 'kb'), 'k', '{"who": "tenant a"}'),
        (tests.ns('tenant_b', 'shared', 'kb'), 'k', '{"who": "tenant b"}'),
        ('memories', 'k', '{"who": "before adoption"}');
    insert into public.store (prefix, key, value, expires_at, ttl_minutes) values
        (tests.ns('tenant_a', 'user_a1'), 'expired', '{"who": "a1"}', now() - interval '1 hour', 1),
        (tests.ns('tenant_b', 'user_b1'), 'expired', '{"who": "b1"}', now() - interval '1 hour', 1);
end
$$;
comment on function tests.seed_store() is
    'As superuser: one item keyed k in the memories namespace of A1, A2 and B1, one in each tenant''s shared kb namespace, one from before adoption in namespace (memories), nobody''s, and an expired item keyed expired for A1 and B1.';

create function tests.store_as_superuser()
returns setof public.store
language sql
security definer  -- runs as the superuser that loads this file: what really is in the table
set search_path = pg_catalog, pg_temp
as $$ select * from public.store $$;
comment on function tests.store_as_superuser() is
    'Every row of public.store, read as the superuser that loaded the tests (bypassing RLS), from any persona: to check what a statement really changed.';

grant execute on all functions in schema tests to threadguard_app, threadguard_owner, threadguard_admin, threadguard_support;

create function tests.walk_pages(p_page_size integer)
returns setof uuid
language plpgsql
as $$
declare
    v_last_at timestamptz;
    v_last_id uuid;
    v_row record;
    v_seen integer;
begin
    loop
        v_seen := 0;
        for v_row in select * from threadguard.list_conversations(p_page_size, v_last_at, v_last_id) loop
            v_seen := v_seen + 1;
            v_last_at := v_row.updated_at;
            v_last_id := v_row.thread_id;
            return next v_row.thread_id;
        end loop;
        exit when v_seen < p_page_size;
    end loop;
end
$$;
comment on function tests.walk_pages(integer) is
    'Every thread id list_conversations returns, walking page after page of p_page_size with the keyset cursor, as the current role.';
grant execute on function tests.walk_pages(integer) to threadguard_app;

create function tests.uuid6(p_at timestamptz, p_node integer default 0)
returns text
language sql
immutable
as $$
    -- LangGraph's layout: 60 bits of 100 ns since 1582-10-15 (time_high, time_mid, version 6, time_low).
    select pg_catalog.substr(h, 1, 8) || '-' || pg_catalog.substr(h, 9, 4) || '-6' || pg_catalog.substr(h, 13, 3)
           || '-8000-' || pg_catalog.lpad(pg_catalog.to_hex(p_node), 12, '0')
    from (select pg_catalog.lpad(pg_catalog.to_hex(
              ((extract(epoch from p_at) * 1000000)::bigint + 12219292800000000) * 10), 15, '0') as h) as x
$$;
comment on function tests.uuid6(timestamptz, integer) is
    'A checkpoint id as LangGraph makes it (uuid6) for the time p_at; p_node tells ids of one instant apart.';

create function tests.bucket_start(p_at timestamptz)
returns timestamptz
language sql
immutable
as $$
    -- The first microsecond whose uuid6 has p_at's time_high (its first 8 hex digits): buckets are 2^28 x 100 ns.
    select pg_catalog.to_timestamp(0) + interval '1 microsecond' * (
        ceil(((((extract(epoch from p_at) * 1000000)::bigint + 12219292800000000) * 10 / 268435456) * 268435456) / 10.0)
        - 12219292800000000)
$$;
comment on function tests.bucket_start(timestamptz) is
    'The start of the ~27 s of uuid6 time (one value of its first 8 hex digits) that p_at falls in.';
grant execute on function tests.uuid6(timestamptz, integer), tests.bucket_start(timestamptz) to threadguard_app;
