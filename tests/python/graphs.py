"""A small deterministic LangGraph graph (no model, no network) for the tests and the demo."""

from __future__ import annotations

import operator
from typing import Annotated, Any

from langgraph.graph import END, START, StateGraph
from typing_extensions import TypedDict


class ChatState(TypedDict):
    messages: Annotated[list[str], operator.add]


def _reply(state: ChatState) -> dict[str, Any]:
    last = state["messages"][-1]
    return {"messages": [f"assistant: I heard {last!r}"]}


def chat_graph(checkpointer: Any, *, interrupt_before_reply: bool = False) -> Any:
    """user message -> one deterministic reply; list state lives in checkpoint_blobs."""
    builder = StateGraph(ChatState)
    builder.add_node("reply", _reply)
    builder.add_edge(START, "reply")
    builder.add_edge("reply", END)
    return builder.compile(
        checkpointer=checkpointer,
        interrupt_before=["reply"] if interrupt_before_reply else None,
    )


def config(thread_id: str) -> dict[str, Any]:
    return {"configurable": {"thread_id": thread_id}}
