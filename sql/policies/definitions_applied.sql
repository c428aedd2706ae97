-- Protection of threadguard.definitions_applied (which sql/ the database carries): only the
-- owner role, which `threadguard migrate` and `verify` act as, reads or writes it.

alter table threadguard.definitions_applied enable row level security;
alter table threadguard.definitions_applied force row level security;
revoke all on table threadguard.definitions_applied from public, threadguard_app, threadguard_admin, threadguard_operator, threadguard_support;

drop policy if exists definitions_applied_owner_all on threadguard.definitions_applied;
create policy definitions_applied_owner_all on threadguard.definitions_applied
    for all to threadguard_owner
    using (true)
    with check (true);
comment on policy definitions_applied_owner_all on threadguard.definitions_applied is
    'The owner role (migrate, verify) reads and rewrites the record of what it applied; no other role reaches it.';
