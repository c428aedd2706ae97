-- Rollback of 0018 database roles: PUBLIC may connect again. The roles keep their
-- per-database names (an install converted from the shared roles does not go back to them), and
-- PUBLIC does not get CREATE on schema public back.

do $$
declare
    v_db text := pg_catalog.current_database();
    v_role text;
begin
    execute pg_catalog.format('grant connect on database %I to public', v_db);
    foreach v_role in array array['threadguard_app', 'threadguard_admin', 'threadguard_operator', 'threadguard_support'] loop
        execute pg_catalog.format('revoke connect on database %I from %I', v_db, v_role);
    end loop;
end
$$;
