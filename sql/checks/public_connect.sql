-- Rule: only this database's roles (and the logins 0018 kept) may connect to it: PUBLIC may not,
-- or any login of the cluster reaches it.
select current_database()::text as object, 'PUBLIC may connect to this database: any login of the cluster reaches it' as problem,
       'revoke connect on database ' || quote_ident(current_database()) || ' from public (as its owner)' as fix, false as repairable
 where has_database_privilege('public', current_database(), 'CONNECT')
