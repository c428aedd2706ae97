-- 0013 previous grants: who had which rights on LangGraph's tables before 0003 adopted
-- them (and revoked them), so that rolling back gives them back. The runner reads the
-- grants before 0003 runs and records them here when both are applied in one migrate;
-- installations adopted by an earlier version have nothing recorded.
-- depends: 0012_definitions_applied

alter table threadguard.langgraph_tables add column previous_acl aclitem[];
comment on column threadguard.langgraph_tables.previous_acl is
    'The table''s grants before adoption (pg_class.relacl), restored by the rollback of migration 0013; null when unknown.';
