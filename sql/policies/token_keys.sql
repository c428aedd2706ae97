-- Protection of threadguard.token_keys (HS256 secrets, RS256 public keys): the operator
-- functions add and remove keys, the owner role's verify_token reads them; no
-- application, admin or support role reads a secret (admins see kid, alg and date).

alter table threadguard.token_keys enable row level security;
alter table threadguard.token_keys force row level security;
revoke all on table threadguard.token_keys from public, threadguard_app, threadguard_admin, threadguard_operator, threadguard_support;
grant select, insert, delete on table threadguard.token_keys to threadguard_operator;
grant select (kid, alg, added_at) on table threadguard.token_keys to threadguard_admin;

drop policy if exists token_keys_operator_all on threadguard.token_keys;
create policy token_keys_operator_all on threadguard.token_keys
    for all to threadguard_operator
    using (true) with check (true);
comment on policy token_keys_operator_all on threadguard.token_keys is
    'add_token_keys and remove_token_key (audited) change the keys.';

drop policy if exists token_keys_owner_select on threadguard.token_keys;
create policy token_keys_owner_select on threadguard.token_keys
    for select to threadguard_owner
    using (true);
comment on policy token_keys_owner_select on threadguard.token_keys is
    'verify_token checks signatures with them.';

drop policy if exists token_keys_admin_select on threadguard.token_keys;
create policy token_keys_admin_select on threadguard.token_keys
    for select to threadguard_admin
    using (true);
comment on policy token_keys_admin_select on threadguard.token_keys is
    'Admins list the keys (kid, alg, added_at: the only columns granted to them).';
