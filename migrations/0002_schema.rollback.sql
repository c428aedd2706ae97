-- Rollback of 0002 schema: drop the schema and everything the definition files put in it,
-- and restore PostgreSQL's built-in default privileges for threadguard_owner.

drop schema threadguard cascade;
alter default privileges for role threadguard_owner grant execute on functions to public;
