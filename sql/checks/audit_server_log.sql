-- Rule: the server log takes the audit lines (RAISE LOG, trigger audit_log_to_server_log): they
-- are the record of reads and grants whose transaction rolled back, and log_min_messages set to
-- FATAL or PANIC would drop them.
select 'log_min_messages' as object,
       'log_min_messages is ' || current_setting('log_min_messages') || ': the server log drops the audit lines that outlive a rollback' as problem,
       'set log_min_messages to warning (its default) or lower, in the server''s configuration' as fix, false as repairable
 where current_setting('log_min_messages') in ('fatal', 'panic')
union all
select 'trigger audit_log_to_server_log', 'threadguard.audit_log has no enabled trigger audit_log_to_server_log',
       'run `threadguard migrate`', true
 where not exists (select from pg_trigger as t
                    where t.tgrelid = 'threadguard.audit_log'::regclass and t.tgname = 'audit_log_to_server_log' and t.tgenabled <> 'D')
