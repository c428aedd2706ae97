-- 0008 owner text statistics: public.checkpoints' read policies now compare the
-- owner stamps as text with the context settings (sql/policies/checkpoints.sql,
-- bench/ATTEMPTS.md step 17), so the planner must know that a thread's rows share
-- one owner *text*: without that it takes the two text comparisons for independent
-- 0.5% filters, estimates one row per thread and trades the primary-key scan of
-- get_tuple and list for a scan of the whole thread and a sort. Dependency statistics on the
-- expressions exactly as the policies spell them replace 0006's on the columns,
-- which no policy of that table compares any more (blobs and writes keep theirs).
-- depends: 0007_write_claims

-- As 0006 did: created by the migrating superuser, then given to threadguard_owner.
drop statistics public.checkpoints_owner_stats;

create statistics public.checkpoints_owner_text_stats (dependencies)
    on thread_id, (cast(threadguard_tenant_id as pg_catalog.text)), (cast(threadguard_user_id as pg_catalog.text))
    from public.checkpoints;
comment on statistics public.checkpoints_owner_text_stats is
    'threadguard: a thread''s rows share one owner, in the text form the read policies compare; keeps RLS from skewing the planner''s row estimates.';
alter statistics public.checkpoints_owner_text_stats owner to threadguard_owner;

-- Sampled, so seconds even on large tables; autovacuum would get there later.
analyze public.checkpoints;
