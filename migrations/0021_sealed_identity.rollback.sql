-- Rollback of 0021 sealed identity: the tables go, with the functions of this release
-- that read them; the context is then read from the settings alone, as before.

set local role threadguard_owner;
create or replace view threadguard.context as
select
    nullif(cast(nullif(pg_catalog.current_setting('app.tenant_id', true), '') as pg_catalog.uuid),
           '00000000-0000-0000-0000-000000000000') as tenant_id,
    nullif(cast(nullif(pg_catalog.current_setting('app.user_id', true), '') as pg_catalog.uuid),
           '00000000-0000-0000-0000-000000000000') as user_id;
drop function if exists threadguard.present_token(text);
drop function if exists threadguard.authenticated_identity();
drop function if exists threadguard.verify_token(text);
drop function if exists threadguard.add_token_keys(jsonb);
drop function if exists threadguard.remove_token_key(text);
drop function if exists threadguard.configure_tokens(text, text, text, text, text, interval);
drop function if exists threadguard.seal_database(boolean);
drop function if exists threadguard.rsa_public(numeric, numeric, numeric);
drop function if exists threadguard.octets_to_numeric(bytea);
drop function if exists threadguard.base64url_decode(text);
drop table threadguard.verified_tokens;
drop table threadguard.token_keys;
drop table threadguard.token_settings;
reset role;
