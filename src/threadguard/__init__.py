"""threadguard: tenant and user isolation for LangGraph's Postgres checkpoints and store.

Bind an identity with `acting_as(tenant_id, user_id)`, give LangGraph's saver and
store a `connect(...)` connection or a `saver_pool(...)` pool, keep store items under
`user_namespace(...)` / `tenant_namespace(...)`, and call the SQL API through
`create_conversation`, `list_conversations`, `get_conversation`,
`delete_conversation`, `rename_conversation`, `copy_conversation`, `delete_runs`,
`set_conversation_metadata`, `search_conversations` (and their `a`-prefixed async twins).
`PostgresSaver` / `AsyncPostgresSaver` are LangGraph's own savers plus `copy_thread` and
`delete_for_runs` through that API.
"""

from threadguard.api import (
    Conversation,
    ConversationDetail,
    ConversationMatch,
    ConversationSummary,
    acopy_conversation,
    acreate_conversation,
    adelete_conversation,
    adelete_namespace,
    adelete_runs,
    aget_conversation,
    alist_conversations,
    arename_conversation,
    asearch_conversations,
    aset_conversation_metadata,
    copy_conversation,
    create_conversation,
    delete_conversation,
    delete_namespace,
    delete_runs,
    get_conversation,
    list_conversations,
    rename_conversation,
    search_conversations,
    set_conversation_metadata,
)
from threadguard.binding import (
    AsyncBoundConnection,
    BoundConnection,
    Identity,
    NamespaceNotOwnedError,
    SetLocalBoundConnection,
    SetupBelongsToMigrateError,
    SharedBatcherError,
    ThreadNotOwnedError,
    VectorSearchUnsupportedError,
    aconnect,
    acting_as,
    async_saver_pool,
    connect,
    current_identity,
    saver_pool,
)
from threadguard.saver import AsyncPostgresSaver, PostgresSaver
from threadguard.store import AsyncStore, async_store, tenant_namespace, user_namespace

__version__ = "0.1.0"

__all__ = [
    "AsyncBoundConnection",
    "AsyncPostgresSaver",
    "AsyncStore",
    "BoundConnection",
    "Conversation",
    "ConversationDetail",
    "ConversationMatch",
    "ConversationSummary",
    "Identity",
    "NamespaceNotOwnedError",
    "PostgresSaver",
    "SetLocalBoundConnection",
    "SharedBatcherError",
    "SetupBelongsToMigrateError",
    "ThreadNotOwnedError",
    "VectorSearchUnsupportedError",
    "acopy_conversation",
    "acreate_conversation",
    "acting_as",
    "aconnect",
    "adelete_conversation",
    "adelete_namespace",
    "adelete_runs",
    "aget_conversation",
    "alist_conversations",
    "arename_conversation",
    "asearch_conversations",
    "aset_conversation_metadata",
    "async_saver_pool",
    "async_store",
    "connect",
    "copy_conversation",
    "create_conversation",
    "current_identity",
    "delete_conversation",
    "delete_namespace",
    "delete_runs",
    "get_conversation",
    "list_conversations",
    "rename_conversation",
    "saver_pool",
    "search_conversations",
    "set_conversation_metadata",
    "tenant_namespace",
    "user_namespace",
]
