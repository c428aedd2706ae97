-- Rollback of 0004 conversations: drop the ownership table and what sql/ built
-- on it that PostgreSQL tracks as dependent: the trigger hung on LangGraph's
-- checkpoints, and create_conversation, which returns the table's row type.

drop trigger if exists checkpoints_touch_conversation on public.checkpoints;
drop function if exists threadguard.create_conversation(text, uuid);
drop table threadguard.conversations;
