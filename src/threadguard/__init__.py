"""threadguard: tenant and user isolation for LangGraph's Postgres checkpoints and store.

Bind an identity with `acting_as(tenant_id, user_id)`, give LangGraph's saver and
store a `connect(...)` connection or a `saver_pool(...)` pool, keep store items under
`user_namespace(...)` / `tenant_namespace(...)`, and call the SQL API through
`create_conversation`, `list_conversations`, `get_conversation`,
`delete_conversation` (and their `a`-prefixed async twins).
"""

from threadguard.api import (
    Conversation,
    ConversationDetail,
    ConversationSummary,
    acreate_conversation,
    adelete_conversation,
    adelete_namespace,
    aget_conversation,
    alist_conversations,
    arename_conversation,
    create_conversation,
    delete_conversation,
    delete_namespace,
    get_conversation,
    list_conversations,
    rename_conversation,
)
from threadguard.binding import (
    AsyncBoundConnection,
    BoundConnection,
    Identity,
    NamespaceNotOwnedError,
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
from threadguard.store import AsyncStore, async_store, tenant_namespace, user_namespace

__version__ = "0.1.0"

__all__ = [
    "AsyncBoundConnection",
    "AsyncStore",
    "BoundConnection",
    "Conversation",
    "ConversationDetail",
    "ConversationSummary",
    "Identity",
    "NamespaceNotOwnedError",
    "SharedBatcherError",
    "SetupBelongsToMigrateError",
    "ThreadNotOwnedError",
    "VectorSearchUnsupportedError",
    "acreate_conversation",
    "acting_as",
    "aconnect",
    "adelete_conversation",
    "adelete_namespace",
    "aget_conversation",
    "alist_conversations",
    "arename_conversation",
    "async_saver_pool",
    "async_store",
    "connect",
    "create_conversation",
    "current_identity",
    "delete_conversation",
    "delete_namespace",
    "get_conversation",
    "list_conversations",
    "rename_conversation",
    "saver_pool",
    "tenant_namespace",
    "user_namespace",
]
