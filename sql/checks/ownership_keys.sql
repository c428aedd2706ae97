-- Rule: every checkpoint table has its owner columns, its validated ON DELETE CASCADE ownership
-- key to threadguard.conversations (who may write into a thread) and its owner statistics.
select t as object, t || ' lacks the threadguard owner columns' as problem,
       'restore them as migrations/0005_checkpoint_owner_columns.sql made them' as fix, false as repairable
  from unnest(array['public.checkpoints', 'public.checkpoint_blobs', 'public.checkpoint_writes']) as t
 where (select count(*) from pg_attribute as a where a.attrelid = to_regclass(t)
         and a.attname in ('threadguard_tenant_id', 'threadguard_user_id') and not a.attisdropped) <> 2
union all
select t, t || ' lacks its ownership foreign key to threadguard.conversations',
       'restore it as migrations/0009_ownership_constraint.sql made it', false
  from unnest(array['public.checkpoints', 'public.checkpoint_blobs', 'public.checkpoint_writes']) as t
 where not exists (select from pg_constraint as k where k.conrelid = to_regclass(t) and k.contype = 'f'
                    and k.conname = split_part(t, '.', 2) || '_thread_owner_fkey'
                    and k.confrelid = 'threadguard.conversations'::regclass)
union all
select t, t || '''s ownership foreign key is not validated or not ON DELETE CASCADE',
       'alter table ' || t || ' validate constraint ' || split_part(t, '.', 2) || '_thread_owner_fkey', false
  from unnest(array['public.checkpoints', 'public.checkpoint_blobs', 'public.checkpoint_writes']) as t
  join pg_constraint as k on k.conrelid = to_regclass(t) and k.contype = 'f'
   and k.conname = split_part(t, '.', 2) || '_thread_owner_fkey' and k.confrelid = 'threadguard.conversations'::regclass
 where not k.convalidated or k.confdeltype <> 'c'
union all
select t, t || ' lacks its owner dependency statistics, which keep RLS from skewing plans',
       'restore them as migrations/0006_thread_text_and_statistics.sql made them', false
  from unnest(array['public.checkpoints', 'public.checkpoint_blobs', 'public.checkpoint_writes']) as t
 where not exists (select from pg_statistic_ext as s where s.stxrelid = to_regclass(t)
                    and s.stxname = split_part(t, '.', 2) || '_owner_stats')
