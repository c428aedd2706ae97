-- Rule: LangGraph's tables are at the schema versions threadguard protects: checkpoint schema 9
-- (langgraph-checkpoint-postgres 3.1-3.2) and store schema 3. Policies written for other
-- columns would not hold.
select 'public.checkpoint_migrations' as object,
       'LangGraph checkpoint schema version is ' || coalesce((select max(v) from public.checkpoint_migrations)::text, 'none')
       || ', threadguard knows 9' as problem,
       'use the langgraph-checkpoint-postgres release threadguard supports (3.1-3.2)' as fix, false as repairable
 where (select max(v) from public.checkpoint_migrations) is distinct from 9
union all
select 'public.store_migrations',
       'LangGraph store schema version is ' || coalesce((select max(v) from public.store_migrations)::text, 'none') || ', threadguard knows 3',
       'use the langgraph-checkpoint-postgres release threadguard supports (3.1-3.2)', false
 where (select max(v) from public.store_migrations) is distinct from 3
