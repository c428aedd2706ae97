-- 0005 checkpoint owner columns: stamp every checkpoint, blob and write row
-- with the tenant and user that wrote it, so that reading a row is checked
-- against two columns instead of a join to conversations on every row.
-- Adding nullable columns with no default is instant on a large table; rows
-- written before adoption stay null, which no context matches (fail closed).
-- The defaults and the policies that check them live in sql/policies/.
-- depends: 0004_conversations

-- Everything below is created as, and owned by, threadguard_owner.
set local role threadguard_owner;

alter table public.checkpoints
    add column threadguard_tenant_id uuid,
    add column threadguard_user_id uuid;
alter table public.checkpoint_blobs
    add column threadguard_tenant_id uuid,
    add column threadguard_user_id uuid;
alter table public.checkpoint_writes
    add column threadguard_tenant_id uuid,
    add column threadguard_user_id uuid;

comment on column public.checkpoints.threadguard_tenant_id is
    'threadguard: tenant that wrote the row (defaults to app.tenant_id); RLS shows the row only to that tenant.';
comment on column public.checkpoints.threadguard_user_id is
    'threadguard: user that wrote the row (defaults to app.user_id); RLS shows the row only to that user.';
comment on column public.checkpoint_blobs.threadguard_tenant_id is
    'threadguard: tenant that wrote the row (defaults to app.tenant_id); RLS shows the row only to that tenant.';
comment on column public.checkpoint_blobs.threadguard_user_id is
    'threadguard: user that wrote the row (defaults to app.user_id); RLS shows the row only to that user.';
comment on column public.checkpoint_writes.threadguard_tenant_id is
    'threadguard: tenant that wrote the row (defaults to app.tenant_id); RLS shows the row only to that tenant.';
comment on column public.checkpoint_writes.threadguard_user_id is
    'threadguard: user that wrote the row (defaults to app.user_id); RLS shows the row only to that user.';
