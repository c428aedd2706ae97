-- Rule: a sealed database has at least one key to verify tokens with (else nothing opens for anyone),
-- and its threadguard.context reads the verified token (threadguard seal re-applies sql/ to make it so).
select 'threadguard.token_keys' as object,
       'the database is sealed but no key is configured: every token is refused, so no identity sees or writes anything' as problem,
       'add the identity provider''s keys: threadguard keys add jwks.json (or threadguard unseal)' as fix, false as repairable
  from threadguard.token_settings as s
 where s.sealed and not exists (select from threadguard.token_keys)
union all
select 'threadguard.context',
       case when s.sealed then 'the database is sealed but threadguard.context reads app.tenant_id/app.user_id, not the verified token'
            else 'the database is not sealed but threadguard.context reads the verified token' end,
       'threadguard migrate (re-applies sql/, which reads threadguard.token_settings.sealed)', true
  from threadguard.token_settings as s
 where s.sealed <> (pg_get_viewdef('threadguard.context'::regclass) like '%authenticated_identity%')
