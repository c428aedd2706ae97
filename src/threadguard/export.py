"""`threadguard export`: one JSON line per conversation of a user or a tenant, with its
latest state and its history decoded without running anything the tenant stored
(threadguard.decoding), then one line per item of theirs in LangGraph's store, streamed:
memory grows with the largest conversation, not with the tenant."""

from __future__ import annotations

import base64
import dataclasses
import datetime
import json
import uuid
from collections.abc import Iterator
from typing import Any, TextIO

import psycopg
from psycopg.rows import dict_row

from threadguard import decoding
from threadguard.roles import acting_as, required

_CONVERSATIONS = "select * from threadguard.export_conversations(%s::uuid, %s::uuid, %s)"
_CHECKPOINTS = "select * from threadguard.export_checkpoints(%s::uuid, %s::uuid, %s)"
_STORE_ITEMS = "select * from threadguard.export_store_items(%s::uuid, %s::uuid, %s)"


def jsonable(value: Any) -> Any:
    """What json.dumps cannot write, in a form a reader can: models and dataclasses as
    dicts, bytes as base64, the rest as text."""
    if hasattr(value, "model_dump"):
        return value.model_dump()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    if isinstance(value, bytes | bytearray):
        return {"base64": base64.b64encode(bytes(value)).decode()}
    if isinstance(value, datetime.datetime | datetime.date | uuid.UUID):
        return str(value)
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    return repr(value)


def conversations(conninfo: str, tenant_id: str, user_id: str | None, reason: str) -> Iterator[dict[str, Any]]:
    """Each conversation with its decoded history, newest checkpoint first."""
    with psycopg.connect(conninfo, autocommit=True, row_factory=dict_row) as conn:
        # One transaction as the install's admin role; the histories are read beside the open cursor.
        with acting_as(conn, required(conn), "admin"), conn.cursor(name="threadguard_export") as cur:
            cur.itersize = 100
            cur.execute(_CONVERSATIONS, (tenant_id, user_id, reason))
            for conversation in cur:
                history = []
                for row in conn.execute(_CHECKPOINTS, (tenant_id, conversation["thread_id"], reason)):
                    history.append({
                        "checkpoint_id": row["checkpoint_id"],
                        "parent_checkpoint_id": row["parent_checkpoint_id"],
                        "metadata": row["metadata"],
                        "values": decoding.channel_values(row["checkpoint"], row["channel_values"]),
                        "pending_writes": decoding.pending_writes(row["pending_writes"]),
                    })
                yield {
                    **{k: conversation[k] for k in ("thread_id", "user_id", "title", "created_at", "updated_at")},
                    "state": history[0]["values"] if history else None,
                    "history": history,
                }


def store_items(conninfo: str, tenant_id: str, user_id: str | None, reason: str) -> Iterator[dict[str, Any]]:
    """Each store item in the user's namespaces (the whole tenant's, shared ones included,
    without a user), by namespace and key, marked as a store item."""
    with psycopg.connect(conninfo, autocommit=True, row_factory=dict_row) as conn, \
            acting_as(conn, required(conn), "admin"), conn.cursor(name="threadguard_export_store") as cur:
        cur.itersize = 500
        cur.execute(_STORE_ITEMS, (tenant_id, user_id, reason))
        for item in cur:
            yield {"store_item": item}


def _write(lines: Iterator[dict[str, Any]], out: TextIO) -> int:
    n = 0
    for line in lines:
        out.write(json.dumps(line, default=jsonable, ensure_ascii=False) + "\n")
        n += 1
    return n


def export(conninfo: str, tenant_id: str, user_id: str | None, reason: str, out: TextIO) -> tuple[int, int]:
    """Write the JSON lines: conversations, then store items; returns how many of each."""
    return (_write(conversations(conninfo, tenant_id, user_id, reason), out),
            _write(store_items(conninfo, tenant_id, user_id, reason), out))
