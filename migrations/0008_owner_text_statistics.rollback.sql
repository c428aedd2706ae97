-- Rollback of 0008 owner text statistics: 0006's statistics on public.checkpoints' owner
-- columns come back (what the view-based read policies of 0007's time need).

drop statistics public.checkpoints_owner_text_stats;

create statistics public.checkpoints_owner_stats (dependencies)
    on thread_id, threadguard_tenant_id, threadguard_user_id from public.checkpoints;
comment on statistics public.checkpoints_owner_stats is
    'threadguard: a thread''s rows share one owner; keeps RLS from skewing the planner''s row estimates.';
alter statistics public.checkpoints_owner_stats owner to threadguard_owner;

analyze public.checkpoints;
