"""threadguard: tenant and user isolation for LangGraph's Postgres checkpoints and store.

Bind an identity with `acting_as(tenant_id, user_id)`, give LangGraph's saver and
store a `connect(...)` connection or a `saver_pool(...)` pool, keep store items under
`user_namespace(...)` / `tenant_namespace(...)`, and call the SQL API through
`create_conversation`, `list_conversations`, `get_conversation`,
`delete_conversation`, `rename_conversation`, `copy_conversation`, `delete_runs`,
`set_conversation_metadata`, `search_conversations` (and their `a`-prefixed async twins).
`PostgresSaver` / `AsyncPostgresSaver` are LangGraph's own savers plus `copy_thread` and
`delete_for_runs` through that API.

The names load on first use: `threadguard` the command (migrations, verify, operations) never
imports LangGraph.
"""

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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

_EXPORTS = {
    "AsyncBoundConnection": "threadguard.binding",
    "AsyncPostgresSaver": "threadguard.saver",
    "AsyncStore": "threadguard.store",
    "BoundConnection": "threadguard.binding",
    "Conversation": "threadguard.api",
    "ConversationDetail": "threadguard.api",
    "ConversationMatch": "threadguard.api",
    "ConversationSummary": "threadguard.api",
    "Identity": "threadguard.binding",
    "NamespaceNotOwnedError": "threadguard.binding",
    "PostgresSaver": "threadguard.saver",
    "SetLocalBoundConnection": "threadguard.binding",
    "SetupBelongsToMigrateError": "threadguard.binding",
    "SharedBatcherError": "threadguard.binding",
    "ThreadNotOwnedError": "threadguard.binding",
    "VectorSearchUnsupportedError": "threadguard.binding",
    "aconnect": "threadguard.binding",
    "acopy_conversation": "threadguard.api",
    "acreate_conversation": "threadguard.api",
    "acting_as": "threadguard.binding",
    "adelete_conversation": "threadguard.api",
    "adelete_namespace": "threadguard.api",
    "adelete_runs": "threadguard.api",
    "aget_conversation": "threadguard.api",
    "alist_conversations": "threadguard.api",
    "arename_conversation": "threadguard.api",
    "asearch_conversations": "threadguard.api",
    "aset_conversation_metadata": "threadguard.api",
    "async_saver_pool": "threadguard.binding",
    "async_store": "threadguard.store",
    "connect": "threadguard.binding",
    "copy_conversation": "threadguard.api",
    "create_conversation": "threadguard.api",
    "current_identity": "threadguard.binding",
    "delete_conversation": "threadguard.api",
    "delete_namespace": "threadguard.api",
    "delete_runs": "threadguard.api",
    "get_conversation": "threadguard.api",
    "list_conversations": "threadguard.api",
    "rename_conversation": "threadguard.api",
    "saver_pool": "threadguard.binding",
    "search_conversations": "threadguard.api",
    "set_conversation_metadata": "threadguard.api",
    "tenant_namespace": "threadguard.store",
    "user_namespace": "threadguard.store",
}


def __getattr__(name: str) -> Any:
    """The public name `name`, imported from its module the first time it is asked for."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'threadguard' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value

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
