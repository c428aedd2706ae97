"""The reference service (examples/service) over real HTTP: uvicorn on a free loopback
port, the application's login, two tenants and two users of one tenant on every route.
Every cross-identity attempt is a 404 that reads exactly like an absent id, never a 500;
malformed input is a 422; a streamed reply completes; hundreds of concurrent requests
from both tenants never cross."""

from __future__ import annotations

import hashlib
import operator
import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Annotated, Any

import httpx
import pytest
from fastapi import BackgroundTasks, FastAPI
from fastapi.responses import StreamingResponse
from fastapi.testclient import TestClient
from typing_extensions import TypedDict

import threadguard as tg
from threadguard.fastapi import IdentityMiddleware

ROOT = Path(__file__).resolve().parents[2]
Who = dict[str, str]


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def service(app_db: str) -> Iterator[str]:
    port = _port()
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "examples.service.app:app", "--host", "127.0.0.1", "--port", str(port),
         "--log-level", "warning"],
        cwd=ROOT, env={**os.environ, "DATABASE_URL": app_db}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:  # readiness poll, not timing
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                break
        except httpx.TransportError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"the service did not start: {process.stderr.read() if process.stderr else ''}")
        time.sleep(0.05)
    yield base
    process.terminate()
    process.wait(timeout=10)


def person(tenant: uuid.UUID | None = None) -> Who:
    return {"x-tenant-id": str(tenant or uuid.uuid4()), "x-user-id": str(uuid.uuid4())}


def test_every_route_for_its_owner_and_404_for_everyone_else(service: str) -> None:
    alice = person()
    colleague = person(uuid.UUID(alice["x-tenant-id"]))  # same tenant, other user
    mallory = person()
    with httpx.Client(base_url=service, timeout=30) as http:
        thread = http.post("/conversations", json={"title": "Trip"}, headers=alice).json()["thread_id"]
        assert http.post(f"/conversations/{thread}/messages", json={"text": "hello"}, headers=alice).json() == \
            {"reply": "assistant: I heard 'hello'"}
        assert http.get(f"/conversations/{thread}/history", headers=alice).json() == ["hello", "assistant: I heard 'hello'"]
        assert [c["thread_id"] for c in http.get("/conversations", headers=alice).json()] == [thread]
        assert http.patch(f"/conversations/{thread}", json={"title": "Lisbon"}, headers=alice).json()["title"] == "Lisbon"
        absent = str(uuid.uuid4())
        for intruder in (colleague, mallory):
            for target in (thread, absent, thread.upper()):
                answers = [
                    http.get(f"/conversations/{target}", headers=intruder),
                    http.patch(f"/conversations/{target}", json={"title": "x"}, headers=intruder),
                    http.post(f"/conversations/{target}/messages", json={"text": "intrusion"}, headers=intruder),
                    http.get(f"/conversations/{target}/history", headers=intruder),
                    http.post(f"/conversations/{target}/stream", json={"text": "intrusion"}, headers=intruder),
                    http.delete(f"/conversations/{target}", headers=intruder),
                ]
                for answer in answers:
                    assert (answer.status_code, answer.json()) == (404, {"detail": "conversation not found"}), answer.text
            assert http.get("/conversations", headers=intruder).json() == []
        assert http.get(f"/conversations/{thread.upper()}", headers=alice).status_code == 200, "any spelling of one's own id"
        assert http.get(f"/conversations/{thread}/history", headers=alice).json() == ["hello", "assistant: I heard 'hello'"]
        assert http.delete(f"/conversations/{thread}", headers=alice).status_code == 204
        deleted = http.post(f"/conversations/{thread}/messages", json={"text": "again"}, headers=alice)
        assert (deleted.status_code, deleted.json()) == (404, {"detail": "conversation not found"})


def test_malformed_input_is_422_and_no_identity_is_401(service: str) -> None:
    alice = person()
    with httpx.Client(base_url=service, timeout=30) as http:
        for answer in (
            http.get("/conversations/not-a-uuid", headers=alice),
            http.post("/conversations", json={"title": ""}, headers=alice),
            http.post("/conversations", json={"title": "x" * 201}, headers=alice),
            http.get("/conversations", params={"limit": 0}, headers=alice),
            http.get("/conversations", params={"limit": 2**31}, headers=alice),
            http.post("/conversations", json={"title": "nul \u0000 byte"}, headers=alice),  # psycopg refuses it client-side
        ):
            assert answer.status_code == 422, answer.text
            assert "threadguard" not in answer.text and "psycopg" not in answer.text
        thread = http.post("/conversations", json={}, headers=alice).json()["thread_id"]
        for headers in ({}, {"x-tenant-id": "tenant-1", "x-user-id": "user-1"}):
            # Every route, the graph's writes included, answers 401 without identity (not a 404 for a write).
            for answer in (http.get("/conversations", headers=headers),
                           http.get(f"/conversations/{thread}", headers=headers),
                           http.post("/conversations", json={}, headers=headers),
                           http.post(f"/conversations/{thread}/messages", json={"text": "hi"}, headers=headers)):
                assert (answer.status_code, answer.json()) == (401, {"detail": "no identity"}), (answer.request.url, answer.text)


def test_a_streamed_reply_completes_as_the_caller(service: str) -> None:
    alice = person()
    with httpx.Client(base_url=service, timeout=30) as http:
        thread = http.post("/conversations", json={}, headers=alice).json()["thread_id"]
        with http.stream("POST", f"/conversations/{thread}/stream", json={"text": "streamed"}, headers=alice) as response:
            assert response.status_code == 200
            body = "".join(response.iter_text())
        assert "I heard 'streamed'" in body and body.rstrip().endswith("data: {}")
        assert http.get(f"/conversations/{thread}/history", headers=alice).json()[-1] == "assistant: I heard 'streamed'"


def test_concurrent_requests_from_two_tenants_never_cross(service: str) -> None:
    people = [person(), person()]
    with httpx.Client(base_url=service, timeout=60, limits=httpx.Limits(max_connections=16)) as http:
        threads = [http.post("/conversations", json={"title": f"t{i}"}, headers=p).json()["thread_id"] for i, p in enumerate(people)]

        def turn(i: int) -> tuple[int, list[str], list[str]]:
            who = i % 2
            http.post(f"/conversations/{threads[who]}/messages", json={"text": f"{who}:{i}"}, headers=people[who]).raise_for_status()
            listed = [c["thread_id"] for c in http.get("/conversations", headers=people[who]).json()]
            history = http.get(f"/conversations/{threads[who]}/history", headers=people[who]).json()
            return who, listed, history

        with ThreadPoolExecutor(max_workers=12) as pool:
            results = list(pool.map(turn, range(200)))
    for who, listed, history in results:
        assert listed == [threads[who]]
        assert all(m.startswith(f"{who}:") or m.startswith(f"assistant: I heard '{who}:") for m in history)


def _readme_app() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Running LangGraph under threadguard (Python)"):]
    start = section.index("```python\n") + len("```python\n")
    return section[start:section.index("\n```\n", start)]


def test_the_readme_shows_the_top_of_the_service_verbatim() -> None:
    source = (ROOT / "examples" / "service" / "app.py").read_text(encoding="utf-8")
    block = _readme_app()
    assert block.startswith("import json\n") and "async def stream(" in block
    assert block + "\n\n\n# The rest of the API" in source, "the README's app is not the top of examples/service/app.py"


def test_an_app_built_from_the_readme_alone_runs_with_only_its_install_line(app_db: str, tmp_path: Path) -> None:
    """A virtualenv of its own, the README's install line (the checkout's path for
    /path/to/threadguard), the README's block saved as app.py, served by uvicorn as the README
    says: it creates a conversation, answers a message and streams a reply, as the application's
    login. The virtualenv is made fresh on a clean checkout and kept in .tmp/ for the same
    pyproject.toml; a warm run runs the install line again in it, which reinstalls this checkout."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Running LangGraph under threadguard (Python)"):]
    install, serve = section[section.index("```sh\n") + len("```sh\n"):section.index("\n```\n", section.index("```sh\n"))].splitlines()
    assert install == 'pip install "/path/to/threadguard[fastapi]"' and serve.endswith("uvicorn app:app")
    key = hashlib.sha256((ROOT / "pyproject.toml").read_bytes() + install.encode()).hexdigest()[:12]
    venv = ROOT / ".tmp" / f"readme-venv-{key}"
    for stale in (ROOT / ".tmp").glob("readme-venv-*"):
        if stale != venv:
            shutil.rmtree(stale, ignore_errors=True)
    if not (venv / ".installed").exists():
        shutil.rmtree(venv, ignore_errors=True)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", f"{ROOT}[fastapi]"]
    done = subprocess.run(pip, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    (venv / ".installed").touch()
    (tmp_path / "app.py").write_text(_readme_app() + "\n", encoding="utf-8")
    port = _port()
    process = subprocess.Popen([str(venv / "bin" / "uvicorn"), "app:app", "--port", str(port), "--log-level", "warning"],
                               cwd=tmp_path, env={"PATH": os.environ["PATH"], "DATABASE_URL": app_db},
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        base, deadline = f"http://127.0.0.1:{port}", time.monotonic() + 60
        alice = person()
        while True:  # readiness poll, not timing
            try:
                created = httpx.post(f"{base}/conversations", json={"title": "from the README"}, headers=alice, timeout=5)
                break
            except httpx.TransportError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"the README's app did not start: {process.stderr.read() if process.stderr else ''}")
                time.sleep(0.05)
        assert created.status_code == 201, created.text
        thread = created.json()["thread_id"]
        reply = httpx.post(f"{base}/conversations/{thread}/messages", json={"text": "hi"}, headers=alice, timeout=30)
        assert reply.json() == {"reply": "assistant: I heard 'hi'"}, reply.text
        streamed = httpx.post(f"{base}/conversations/{thread}/stream", json={"text": "again"}, headers=alice, timeout=30)
        assert "I heard 'again'" in streamed.text and streamed.text.endswith("event: end\ndata: {}\n\n")
        assert httpx.post(f"{base}/conversations/{thread}/messages", json={"text": "x"}, headers=person(), timeout=30).status_code == 404
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_the_middleware_holds_the_identity_for_streams_and_background_tasks() -> None:
    """What runs after a handler returns (a streamed body, a background task) still acts
    for the request's principal; a request without one acts for nobody."""
    seen: list[object] = []
    app = FastAPI()
    app.add_middleware(IdentityMiddleware, principal=lambda r: (r.headers["x-tenant-id"], r.headers["x-user-id"])
                       if "x-tenant-id" in r.headers else None)

    @app.get("/stream")
    async def stream(tasks: BackgroundTasks) -> StreamingResponse:
        tasks.add_task(lambda: seen.append(("background", tg.current_identity())))

        async def body() -> Any:
            seen.append(("stream", tg.current_identity()))
            yield "x"

        return StreamingResponse(body(), background=tasks)

    tenant, user = uuid.uuid4(), uuid.uuid4()
    with TestClient(app) as client:
        assert client.get("/stream", headers={"x-tenant-id": str(tenant), "x-user-id": str(user)}).text == "x"
        assert client.get("/stream").text == "x"
    assert seen == [("stream", tg.Identity(tenant, user)), ("background", tg.Identity(tenant, user)),
                    ("stream", None), ("background", None)]


def test_the_curl_make_serve_suggests_creates_a_conversation(service: str) -> None:
    import shlex
    import uuid

    from examples.service.serve import CURL_HINT

    hint = CURL_HINT.format(port=service.rsplit(":", 1)[1]).replace("<uuid>", str(uuid.uuid4()), 1).replace("<uuid>", str(uuid.uuid4()), 1)
    done = subprocess.run([*shlex.split(hint), "-s", "-o", "/dev/null", "-w", "%{http_code}"], capture_output=True, text=True, timeout=30)
    assert done.stdout == "201", (hint, done.stdout, done.stderr)


class _Chat(TypedDict):
    messages: Annotated[list[str], operator.add]


async def test_a_stream_racing_the_deletion_of_its_conversation_ends_with_an_error_event(
        app_db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The reference service streams a reply while the same user deletes the conversation: the
    graph's next write is refused, and the stream ends with `event: error` (a 404's body), not cut
    mid-body with a traceback. Deterministic: the graph's node waits until the deletion is done."""
    import asyncio

    from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
    from langgraph.graph import END, START, StateGraph

    monkeypatch.setenv("DATABASE_URL", app_db)
    from examples.service import app as service

    entered, release = asyncio.Event(), asyncio.Event()

    async def slow_reply(state: _Chat) -> dict[str, Any]:
        entered.set()
        await release.wait()
        return {"messages": ["assistant: too late"]}

    builder = StateGraph(_Chat)
    builder.add_node("reply", slow_reply)
    builder.add_edge(START, "reply")
    builder.add_edge("reply", END)
    alice = person()
    async with service.app.router.lifespan_context(service.app):
        service.app.state.graph = builder.compile(checkpointer=AsyncPostgresSaver(service.app.state.pool))
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=service.app), base_url="http://service") as http:
            thread = (await http.post("/conversations", json={}, headers=alice)).json()["thread_id"]
            streaming = asyncio.create_task(http.post(f"/conversations/{thread}/stream", json={"text": "hi"}, headers=alice))
            await asyncio.wait_for(entered.wait(), 30)
            assert (await http.delete(f"/conversations/{thread}", headers=alice)).status_code == 204
            release.set()
            answer = await asyncio.wait_for(streaming, 30)
    assert answer.status_code == 200
    assert answer.text.endswith('event: error\ndata: {"detail": "conversation not found"}\n\n'), answer.text
