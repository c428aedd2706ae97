-- Rollback of 0022 activity from checkpoint ids: the column's earlier description
-- (the definitions in sql/ are those of the release rolled back to).

set local role threadguard_owner;
comment on column threadguard.conversations.updated_at is
    'Last activity: creation, or the last checkpoint LangGraph wrote to the thread (maintained by a trigger on public.checkpoints).';
reset role;
