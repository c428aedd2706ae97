-- 0016 retention policies: per tenant, after how many idle days a conversation is
-- deleted and how many root checkpoints each thread keeps; the row of the nil tenant
-- is the default for tenants without one. Applied by threadguard.apply_retention.
-- depends: 0015_support_access

set local role threadguard_owner;
create table threadguard.retention_policies (
    tenant_id uuid primary key,
    idle_days integer,
    keep_checkpoints integer,
    updated_at timestamptz not null default pg_catalog.clock_timestamp(),
    constraint retention_policies_idle_days check (idle_days is null or idle_days >= 1),
    constraint retention_policies_keep_checkpoints check (keep_checkpoints is null or keep_checkpoints >= 1)
);
comment on table threadguard.retention_policies is
    'Retention per tenant (the nil tenant''s row is the default for tenants without one): what threadguard.apply_retention deletes.';
comment on column threadguard.retention_policies.tenant_id is 'The tenant; 00000000-0000-0000-0000-000000000000 for the default.';
comment on column threadguard.retention_policies.idle_days is 'Conversations with no activity (updated_at) for this many days are deleted; null: never.';
comment on column threadguard.retention_policies.keep_checkpoints is 'Each thread keeps its latest N root checkpoints (with the blobs and writes they need); null: all.';
comment on column threadguard.retention_policies.updated_at is 'When the policy was last set.';
comment on constraint retention_policies_idle_days on threadguard.retention_policies is 'At least one idle day, or none.';
comment on constraint retention_policies_keep_checkpoints on threadguard.retention_policies is 'At least one checkpoint is kept, or all.';
reset role;
