-- 0008 require_context returns the identity: the API functions' guard now hands
-- back the tenant and user it validated, so that each API call reads the context
-- once (they read it into their variables, then the guard read it again). Its
-- return type changes, which CREATE OR REPLACE cannot do: it goes here, and
-- sql/functions/require_context.sql creates it again right after this migration
-- (until then the API functions fail with "function does not exist": closed).
-- depends: 0007_write_claims

drop function if exists threadguard.require_context();
