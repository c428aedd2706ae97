-- Protection of threadguard.token_settings (sealed identity's mode and claim mapping): the
-- operator functions write it (configure_tokens), the owner role seals; anyone of
-- threadguard's roles may read it (it holds no secret).

alter table threadguard.token_settings enable row level security;
alter table threadguard.token_settings force row level security;
revoke all on table threadguard.token_settings from public, threadguard_app, threadguard_admin, threadguard_operator, threadguard_support;
grant select on table threadguard.token_settings to threadguard_app, threadguard_admin, threadguard_operator;
grant update (issuer, audience, tenant_claim, user_claim, claims_as, leeway) on table threadguard.token_settings to threadguard_operator;

drop policy if exists token_settings_all_select on threadguard.token_settings;
create policy token_settings_all_select on threadguard.token_settings
    for select
    using (true);
comment on policy token_settings_all_select on threadguard.token_settings is
    'Whether the database is sealed and how tokens map to identities is no secret: the API reads it to say why it refuses.';

drop policy if exists token_settings_operator_update on threadguard.token_settings;
create policy token_settings_operator_update on threadguard.token_settings
    for update to threadguard_operator
    using (true) with check (true);
comment on policy token_settings_operator_update on threadguard.token_settings is
    'threadguard.configure_tokens sets how tokens are checked (not whether the database is sealed: its column is not granted).';

drop policy if exists token_settings_owner_update on threadguard.token_settings;
create policy token_settings_owner_update on threadguard.token_settings
    for update to threadguard_owner
    using (true) with check (true);
comment on policy token_settings_owner_update on threadguard.token_settings is
    'threadguard seal / unseal (run as the owner role, with the definitions that follow from it).';
