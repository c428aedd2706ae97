"""A FastAPI + LangGraph service under threadguard, to copy from.

    DATABASE_URL=postgresql://my_app_login@host/db uvicorn examples.service.app:app
    (make serve runs it on a throwaway database)

DATABASE_URL names the application's login, granted threadguard_app (never a superuser).
The graph has no model, so it is deterministic: replace chat_graph with yours.
"""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from uuid import UUID

from fastapi import FastAPI, Request
from fastapi.responses import Response, StreamingResponse
from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
from pydantic import BaseModel, Field

import threadguard as tg
from threadguard.demo import chat_graph
from threadguard.fastapi import IdentityMiddleware, bearer_token, install_error_handlers, not_found


def principal(request: Request) -> tuple[str, str] | None:
    """WHO IS ASKING. A real application verifies a signed token (its auth) here and returns
    the (tenant_id, user_id) it names; this example trusts two headers. None: no identity."""
    tenant, user = request.headers.get("x-tenant-id"), request.headers.get("x-user-id")
    return (tenant, user) if tenant and user else None


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    # Pooler-safe default (no named prepared statement); direct connection: kwargs={"prepare_threshold": 0}.
    async with tg.async_saver_pool(os.environ["DATABASE_URL"], max_size=10) as pool:
        app.state.pool = pool
        app.state.graph = chat_graph(AsyncPostgresSaver(pool))
        yield


app = FastAPI(title="threadguard reference service", lifespan=lifespan)
app.add_middleware(IdentityMiddleware, principal=principal,  # the whole request, streams included
                   token=bearer_token if os.environ.get("THREADGUARD_SEALED") else None)  # docs/sealed.md
install_error_handlers(app)  # 404 / 422 / 401, never a 500 or database text


class NewConversation(BaseModel):
    title: str | None = Field(default=None, min_length=1, max_length=200)


class Message(BaseModel):
    text: str = Field(min_length=1, max_length=10_000)


def config(thread_id: UUID) -> dict[str, dict[str, str]]:
    return {"configurable": {"thread_id": str(thread_id)}}  # the canonical spelling LangGraph stores


@app.post("/conversations", status_code=201)
async def create(body: NewConversation, request: Request) -> dict[str, object]:
    async with request.app.state.pool.connection() as conn:
        c = await tg.acreate_conversation(conn, body.title)
    return {"thread_id": c.id, "title": c.title, "created_at": c.created_at}


@app.post("/conversations/{thread_id}/messages")
async def post_message(thread_id: UUID, body: Message, request: Request) -> dict[str, str]:
    # A thread that is not the caller's conversation raises ThreadNotOwnedError: 404.
    state = await request.app.state.graph.ainvoke({"messages": [body.text]}, config(thread_id))
    return {"reply": state["messages"][-1]}


@app.post("/conversations/{thread_id}/stream")
async def stream(thread_id: UUID, body: Message, request: Request) -> StreamingResponse:
    async with request.app.state.pool.connection() as conn:
        if await tg.aget_conversation(conn, thread_id) is None:
            raise not_found()  # before the stream starts: a 404, not a broken stream

    async def events() -> AsyncIterator[str]:  # runs after this handler returns, still as the caller
        try:
            async for update in request.app.state.graph.astream({"messages": [body.text]}, config(thread_id),
                                                                stream_mode="updates"):
                yield f"data: {json.dumps(update)}\n\n"
        except tg.ThreadNotOwnedError:  # deleted while the reply streamed: the status (200) is already sent
            yield 'event: error\ndata: {"detail": "conversation not found"}\n\n'
            return
        yield "event: end\ndata: {}\n\n"

    return StreamingResponse(events(), media_type="text/event-stream")


# The rest of the API (the README's excerpt ends above): list, fetch, rename, delete, history.


@app.get("/conversations")
async def list_(request: Request, limit: int = 50, before_updated_at: datetime | None = None,
                before_id: UUID | None = None) -> list[dict[str, object]]:
    before = tg.ConversationSummary(before_id, None, before_updated_at, before_updated_at, None, None) \
        if before_id and before_updated_at else None
    async with request.app.state.pool.connection() as conn:
        rows = await tg.alist_conversations(conn, limit, before)
    return [{"thread_id": r.thread_id, "title": r.title, "updated_at": r.updated_at} for r in rows]


@app.get("/conversations/{thread_id}")
async def get(thread_id: UUID, request: Request) -> dict[str, object]:
    async with request.app.state.pool.connection() as conn:
        c = await tg.aget_conversation(conn, thread_id)
    if c is None:
        raise not_found()
    return {"thread_id": c.thread_id, "title": c.title, "updated_at": c.updated_at, "checkpoint_id": c.checkpoint_id}


@app.patch("/conversations/{thread_id}")
async def rename(thread_id: UUID, body: NewConversation, request: Request) -> dict[str, object]:
    async with request.app.state.pool.connection() as conn:
        if not await tg.arename_conversation(conn, thread_id, body.title):
            raise not_found()
    return {"thread_id": thread_id, "title": body.title}


@app.delete("/conversations/{thread_id}", status_code=204)
async def delete(thread_id: UUID, request: Request) -> Response:
    async with request.app.state.pool.connection() as conn:
        if not await tg.adelete_conversation(conn, thread_id):
            raise not_found()
    return Response(status_code=204)


@app.get("/conversations/{thread_id}/history")
async def history(thread_id: UUID, request: Request) -> list[str]:
    async with request.app.state.pool.connection() as conn:
        if await tg.aget_conversation(conn, thread_id) is None:
            raise not_found()  # a foreign thread's state reads as empty: say 404, not []
    state = await request.app.state.graph.aget_state(config(thread_id))
    return list(state.values.get("messages", []))





@app.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}
