-- Protection of public.store_migrations (LangGraph's store schema version table).
-- It holds no tenant data, so no RLS: the application may read it and may not change it.

revoke all on table public.store_migrations from public, threadguard_app, threadguard_admin;
grant select on table public.store_migrations to threadguard_app;
