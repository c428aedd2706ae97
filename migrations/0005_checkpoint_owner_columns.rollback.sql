-- Rollback of 0005 checkpoint owner columns: take the application's rights away
-- first (fail closed), then drop the policies, RLS and the owner columns.
-- The checkpoint rows themselves are kept.

do $$
declare
    v_table text;
    v_policy name;
begin
    foreach v_table in array array['checkpoints', 'checkpoint_blobs', 'checkpoint_writes'] loop
        execute format('revoke all on table public.%I from threadguard_app, threadguard_admin', v_table);
        for v_policy in
            select policyname from pg_catalog.pg_policies
            where schemaname = 'public' and tablename = v_table
        loop
            execute format('drop policy %I on public.%I', v_policy, v_table);
        end loop;
        execute format('alter table public.%I no force row level security', v_table);
        execute format('alter table public.%I disable row level security', v_table);
        execute format('alter table public.%I drop column threadguard_tenant_id, drop column threadguard_user_id', v_table);
    end loop;
end
$$;
