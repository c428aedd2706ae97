-- Protection of public.checkpoint_migrations (LangGraph's schema version table).
-- It holds no tenant data, so no RLS: the application may read it, so that
-- PostgresSaver.setup() finds every migration applied, and may not change it.

revoke all on table public.checkpoint_migrations from public, threadguard_app, threadguard_admin;
grant select on table public.checkpoint_migrations to threadguard_app;
