"""How operator tools turn the bytes a tenant stored into JSON-able values without running any of
them. LangGraph's default serializer imports and calls whatever module and name the bytes spell
(it only warns: CVE-2026-28277); this one admits LangGraph's own safe types only
(langgraph.checkpoint.serde._msgpack.SAFE_MSGPACK_TYPES: its messages, documents, Send, Command,
datetimes, uuids, ...), never pickle, and hands anything else back as its type tag and base64."""

from __future__ import annotations

import base64
from typing import Any

from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer

# allowed_msgpack_modules=None is LangGraph's strict mode, whatever LANGGRAPH_STRICT_MSGPACK says:
# a type outside its safe list comes back as the plain arguments it was stored with, never built.
_STRICT = JsonPlusSerializer(allowed_msgpack_modules=None)
_DECODED = frozenset({"null", "bytes", "bytearray", "json", "msgpack"})


def stored(type_: str, data: bytes | None) -> Any:
    """The value LangGraph stored as (type_, data), decoded by the strict serializer; or, for a
    type it does not decode that way (pickle, anything unknown) or bytes it cannot read,
    {"type": type_, "base64": ...}."""
    if data is None:
        return None
    if type_ in _DECODED:
        try:
            return _STRICT.loads_typed((type_, data))
        except Exception:  # malformed or refused: the bytes, not an error, are the export
            pass
    return {"type": type_, "base64": base64.b64encode(data).decode()}


def _text(raw: bytes) -> str:
    return raw.decode("utf-8")


def channel_values(checkpoint: dict[str, Any], blobs: list[list[bytes]] | None) -> dict[str, Any]:
    """A checkpoint's channel values: the primitives kept inline in its JSON, and its blobs
    (channel, type, bytes), as LangGraph's saver assembles them (type "empty" means no value)."""
    values = dict(checkpoint.get("channel_values") or {})
    for channel, type_, data in blobs or []:
        if _text(type_) != "empty":
            values[_text(channel)] = stored(_text(type_), data)
    return values


def pending_writes(writes: list[list[bytes]] | None) -> list[list[Any]]:
    """A checkpoint's pending writes (task_id, channel, type, bytes, task_path, idx) as
    [task_id, channel, value]."""
    return [[_text(w[0]), _text(w[1]), stored(_text(w[2]), w[3])] for w in writes or []]
