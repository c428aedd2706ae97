-- 0011 app creates nothing: the application's role may create no object anywhere.
-- CREATE on schema public (granted by 0003 so that PostgresSaver.setup() could run
-- its CREATE TABLE IF NOT EXISTS) let an injected statement plant functions,
-- aggregates or operators that the DBA's commands or other tenants' queries would
-- resolve. TEMPORARY on the database, which PUBLIC has by default, let it plant a
-- temporary table named like a LangGraph table: behind a transaction pooler the
-- server session keeps it, and every later client's unqualified query uses it.
-- Other roles that need temporary tables get TEMPORARY granted by name.
-- depends: 0010_validate_ownership

revoke create on schema public from threadguard_app;
do $$
begin
    execute pg_catalog.format('revoke temporary on database %I from public', pg_catalog.current_database());
    execute pg_catalog.format('revoke temporary, create on database %I from threadguard_app', pg_catalog.current_database());
end
$$;
