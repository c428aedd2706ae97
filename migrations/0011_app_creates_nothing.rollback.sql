-- Rollback of 0011 app creates nothing: PUBLIC gets TEMPORARY on the database back
-- (PostgreSQL's default) and the application's role CREATE on schema public, as 0003 left them.

do $$
begin
    execute pg_catalog.format('grant temporary on database %I to public', pg_catalog.current_database());
end
$$;
grant create on schema public to threadguard_app;
