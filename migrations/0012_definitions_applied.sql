-- 0012 definitions applied: which version of sql/ (functions, policies) the database
-- carries and what it left in the catalog, so that `threadguard migrate` re-applies
-- the definitions only when they changed (instead of taking ACCESS EXCLUSIVE locks on
-- LangGraph's tables every run) and `threadguard verify` sees any change made by hand.
-- depends: 0011_app_creates_nothing

set local role threadguard_owner;
create table threadguard.definitions_applied (
    sha256 text not null,
    catalog jsonb not null,
    applied_at timestamptz not null default pg_catalog.now()
);
comment on table threadguard.definitions_applied is
    'One row: the digest of the sql/ definitions threadguard migrate last applied, and when. Only the migrating role reads or writes it.';
comment on column threadguard.definitions_applied.sha256 is 'SHA-256 of every sql/ definition file (path and content), in the order migrate applies them.';
comment on column threadguard.definitions_applied.catalog is
    'What they left in the catalog, object by object (policies with their expressions, functions, triggers and rules, grants, defaults): threadguard verify reports any object changed, added or removed since.';
comment on column threadguard.definitions_applied.applied_at is 'When they were applied.';
alter table threadguard.definitions_applied enable row level security;
alter table threadguard.definitions_applied force row level security;
revoke all on table threadguard.definitions_applied from public;
reset role;
