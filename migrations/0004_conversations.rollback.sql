-- Rollback of 0004 conversations: drop the ownership table and the triggers
-- that sql/functions hung on LangGraph's tables because of it.

drop trigger if exists checkpoints_touch_conversation on public.checkpoints;
drop table threadguard.conversations;
