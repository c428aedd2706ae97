-- scans: data
-- Rule: every LangGraph thread belongs to someone. Rows written before adoption have no owner and
-- are invisible to every identity until `threadguard adopt` gives their threads owners; verify
-- counts those threads (threadguard.unowned_threads, run as the install's admin role).
select 'public.checkpoints' as object,
       n.threads || ' LangGraph thread(s) have checkpoints nobody owns (written before adoption): no identity can read them'
           as problem,
       'give them owners: threadguard adopt --owners "select thread_id, tenant_id, user_id[, title] from <your records>" '
           '(a thread id that is not a canonical uuid cannot become a conversation: delete its rows)' as fix,
       false as repairable
  from (select threadguard.unowned_threads() as threads) as n
 where n.threads > 0
