"""`make demo`: migrate, then two tenants run a LangGraph conversation each through
the real saver, and keep a long-term memory per user in LangGraph's store, and every
cross-tenant read, write and delete comes back empty or refused. DATABASE_URL must name a superuser (or DBA) connection: the demo
migrates that database, creates the login role `threadguard_demo_app` (granted
threadguard_app), acts only through it, and deletes its conversations at the end.

    python -m threadguard.demo        (make demo runs it on a throwaway cluster)
"""

from __future__ import annotations

import argparse
import logging
import operator
import secrets
import sys
import uuid
from typing import Annotated, Any

import psycopg
from langchain_core.runnables import RunnableConfig
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo

import threadguard as tg
from threadguard import cli, runner
from threadguard.roles import app_role

DEMO_LOGIN = "threadguard_demo_app"


# --- the graph: deterministic, no model, no network ----------------------------


def chat_graph(checkpointer: Any, *, interrupt_before_reply: bool = False) -> Any:
    """user message -> one deterministic reply; the list state lives in checkpoint_blobs."""
    from langgraph.graph import END, START, StateGraph
    from typing_extensions import TypedDict

    class ChatState(TypedDict):
        messages: Annotated[list[str], operator.add]

    def reply(state: ChatState) -> dict[str, Any]:
        return {"messages": [f"assistant: I heard {state['messages'][-1]!r}"]}

    builder = StateGraph(ChatState)
    builder.add_node("reply", reply)
    builder.add_edge(START, "reply")
    builder.add_edge("reply", END)
    return builder.compile(checkpointer=checkpointer, interrupt_before=["reply"] if interrupt_before_reply else None)


def memory_graph(checkpointer: Any, store: Any) -> Any:
    """A chat that keeps a long-term memory per user in LangGraph's store: the user's last
    request, under threadguard.user_namespace("memories"), and recalls what it holds."""
    from langgraph.graph import END, START, StateGraph
    from langgraph.store.base import BaseStore
    from typing_extensions import TypedDict

    class ChatState(TypedDict):
        messages: Annotated[list[str], operator.add]

    def remember(state: ChatState, *, store: BaseStore) -> dict[str, Any]:
        mine = tg.user_namespace("memories")
        store.put(mine, "last_request", {"text": state["messages"][-1]})
        recalled = sorted(item.value["text"] for item in store.search(mine[:2]))
        return {"messages": [f"assistant: I remember {recalled}"]}

    builder = StateGraph(ChatState)
    builder.add_node("remember", remember)
    builder.add_edge(START, "remember")
    builder.add_edge("remember", END)
    return builder.compile(checkpointer=checkpointer, store=store)


def config(thread_id: str) -> RunnableConfig:
    return {"configurable": {"thread_id": thread_id}}


# --- the report ----------------------------------------------------------------


class Report:
    def __init__(self) -> None:
        self.failures: list[str] = []

    def say(self, text: str) -> None:
        print(text, flush=True)

    def check(self, ok: bool, text: str) -> None:
        print(f"   {'ok  ' if ok else 'FAIL'} {text}", flush=True)
        if not ok:
            self.failures.append(text)


def _demo_login(admin: str) -> str:
    """(Re)create the demo's login role with a fresh password; its conninfo."""
    password = secrets.token_urlsafe(18)
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("select 1 from pg_roles where rolname = %s", (DEMO_LOGIN,)).fetchone()
        verb = "alter" if exists else "create"
        conn.execute(
            sql.SQL("{} role {} login nosuperuser nobypassrls password {}").format(
                sql.SQL(verb), sql.Identifier(DEMO_LOGIN), sql.Literal(password)
            )
        )
        conn.execute(sql.SQL("grant {} to {}").format(sql.Identifier(app_role(conn)), sql.Identifier(DEMO_LOGIN)))
    return make_conninfo(admin, user=DEMO_LOGIN, password=password)


def _rows_of(admin: str, thread_id: str) -> tuple[int, int, int]:
    """What really is stored for a thread, counted as the DBA (bypassing RLS)."""
    with psycopg.connect(admin) as conn:
        row = conn.execute(
            "select (select count(*) from public.checkpoints where thread_id = %(t)s),"
            " (select count(*) from public.checkpoint_blobs where thread_id = %(t)s),"
            " (select count(*) from public.checkpoint_writes where thread_id = %(t)s)",
            {"t": thread_id},
        ).fetchone()
    if row is None:
        raise RuntimeError("count query returned no row")
    return (int(row[0]), int(row[1]), int(row[2]))


def _memories(report: Report, pool: Any, saver: Any, acme: tuple[uuid.UUID, uuid.UUID], globex: tuple[uuid.UUID, uuid.UUID]) -> None:
    from langgraph.store.postgres import PostgresStore

    store = PostgresStore(pool)
    graph = memory_graph(saver, store)
    carol = (acme[0], uuid.uuid4())  # alice's colleague at Acme
    people = (("alice@acme", acme, "a window seat"), ("carol@acme", carol, "an aisle seat"), ("bob@globex", globex, "the Q3 numbers"))
    report.say("7. long-term memory (LangGraph's PostgresStore, same pool): each user's own, the same key for all:")
    for name, who, request in people:
        with tg.acting_as(*who), pool.connection() as conn:
            thread = tg.create_conversation(conn, "memory").thread_id
            answer = graph.invoke({"messages": [request]}, config(thread))["messages"][-1]
            report.say(f"   {name:11} asks for {request!r:16} -> {answer}")
            report.check(answer == f"assistant: I remember [{request!r}]", f"{name} recalls exactly its own memory")
            tg.delete_conversation(conn, thread)
    with tg.acting_as(*acme):
        store.put(tg.tenant_namespace("policies"), "travel", {"text": "economy under 4 hours"})
    with tg.acting_as(*carol):
        report.check([i.key for i in store.search(tg.tenant_namespace("policies"))] == ["travel"],
                     "carol@acme reads the policy alice shared with Acme (tenant_namespace)")
    with tg.acting_as(*globex):
        found = store.search(())
        report.check(bool(found) and {i.namespace[0] for i in found} == {str(globex[0])},
                     f"bob@globex searches the whole store: {len(found)} item(s), all Globex's")
        alices = (str(acme[0]), str(acme[1]), "memories")
        report.check(store.get(alices, "last_request") is None, "bob@globex get of alice's memory: None")
        try:
            store.put(alices, "last_request", {"text": "bob was here"})
            report.check(False, "bob@globex overwriting alice's memory was refused")
        except tg.NamespaceNotOwnedError as exc:
            report.check(True, f"bob@globex put into alice's namespace: refused ({type(exc).__name__}, SQLSTATE {exc.sqlstate})")
    report.check(store.search(()) == [], "no identity: the store shows nothing")
    with tg.acting_as(*acme):
        report.check(store.get(tg.user_namespace("memories"), "last_request").value == {"text": "a window seat"},  # type: ignore[union-attr]
                     "alice's memory is intact")
        store.delete(tg.tenant_namespace("policies"), "travel")
    for _, who, _ in people:  # leave the database as we found it
        with tg.acting_as(*who):
            store.delete(tg.user_namespace("memories"), "last_request")


def run(admin: str) -> Report:
    from langgraph.checkpoint.postgres import PostgresSaver

    report = Report()
    target = conninfo_to_dict(admin)
    report.say(f"threadguard demo on database {target.get('dbname', '?')!r}")

    applied = runner.migrate(admin)
    problems = runner.verify(admin)
    report.say(f"1. migrate: {len(applied)} migration(s) applied; verify: {'ok' if not problems else problems}")
    app = _demo_login(admin)
    report.say(f"2. the app connects as {DEMO_LOGIN} (member of the database's app role: no superuser, no BYPASSRLS)")

    acme = (uuid.uuid4(), uuid.uuid4())  # tenant Acme, user alice
    globex = (uuid.uuid4(), uuid.uuid4())  # tenant Globex, user bob
    with tg.saver_pool(app, max_size=4) as pool:
        saver = PostgresSaver(pool)
        graph = chat_graph(saver)

        report.say("3. each tenant chats through LangGraph's PostgresSaver (a threadguard pool):")
        threads: dict[str, str] = {}
        for name, who, title, words in (
            ("alice@acme", acme, "Trip to Lisbon", ["book a hotel", "near the river"]),
            ("bob@globex", globex, "Quarterly report", ["summarise Q3"]),
        ):
            with tg.acting_as(*who), pool.connection() as conn:
                threads[name] = tg.create_conversation(conn, title).thread_id
                for text in words:
                    graph.invoke({"messages": [text]}, config(threads[name]))
                last = graph.get_state(config(threads[name])).values["messages"][-1]
            report.say(f"   {name:11} {title!r:20} thread {threads[name][:8]}…  last: {last}")

        report.say("4. each lists its own conversations (threadguard.list_conversations):")
        for name, who in (("alice@acme", acme), ("bob@globex", globex)):
            with tg.acting_as(*who), pool.connection() as conn:
                listed = tg.list_conversations(conn)
            titles = [f"{c.title!r} (checkpoint {c.checkpoint_id and c.checkpoint_id[:8]}…, step {c.metadata and c.metadata.get('step')})" for c in listed]
            report.say(f"   {name:11} sees {len(listed)}: {', '.join(titles)}")
            report.check([str(c.thread_id) for c in listed] == [threads[name]], f"{name} sees exactly its own thread")

        alice_thread = threads["alice@acme"]
        stored = _rows_of(admin, alice_thread)
        report.say(f"5. bob@globex goes after alice's thread {alice_thread[:8]}… ({sum(stored)} rows stored):")
        with tg.acting_as(*globex):
            with pool.connection() as conn:
                report.check(tg.get_conversation(conn, alice_thread) is None, "get_conversation: no row (same as a thread that does not exist)")
                report.check(tg.delete_conversation(conn, alice_thread) is False, "delete_conversation: false, nothing deleted")
            report.check(saver.get_tuple(config(alice_thread)) is None, "saver.get_tuple: None")
            report.check(graph.get_state(config(alice_thread)).values == {}, "graph.get_state: empty")
            try:
                graph.invoke({"messages": ["bob was here"]}, config(alice_thread))
                report.check(False, "graph.invoke into alice's thread was refused")
            except tg.ThreadNotOwnedError as exc:
                report.check(True, f"graph.invoke into it: refused ({type(exc).__name__}, SQLSTATE {exc.sqlstate})")
            saver.delete_thread(alice_thread)
        report.check(_rows_of(admin, alice_thread) == stored, f"saver.delete_thread: alice's {sum(stored)} rows are all still there")

        report.say("6. outside any tenant context (fail closed):")
        report.check(saver.get_tuple(config(alice_thread)) is None, "saver.get_tuple: None")
        with pool.connection() as conn:
            try:
                tg.list_conversations(conn)
                report.check(False, "list_conversations raised")
            except psycopg.errors.InsufficientPrivilege as exc:
                report.check(True, f"list_conversations: {exc.diag.message_primary}")

        _memories(report, pool, saver, acme, globex)

        report.say("8. alice deletes her conversation:")
        with tg.acting_as(*acme), pool.connection() as conn:
            report.check(tg.delete_conversation(conn, alice_thread) is True, "delete_conversation: true")
            try:
                graph.invoke({"messages": ["are you there?"]}, config(alice_thread))
                report.check(False, "a late LangGraph write was refused")
            except tg.ThreadNotOwnedError:
                report.check(True, "a late LangGraph write to it: refused (no resurrected thread)")
        left = _rows_of(admin, alice_thread)
        report.check(left == (0, 0, 0), f"rows left in checkpoints/blobs/writes: {left[0]}/{left[1]}/{left[2]}")

        with tg.acting_as(*globex), pool.connection() as conn:
            tg.delete_conversation(conn, threads["bob@globex"])  # leave the database as we found it
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m threadguard.demo",
        description="Migrate the database DATABASE_URL names (a superuser connection), then run two tenants' "
                    "LangGraph chats and try every cross-tenant attack. `make demo` runs it on a throwaway cluster.")
    parser.add_argument("--database", help="libpq connection string or URL (default: $DATABASE_URL)")
    args = parser.parse_args(argv)
    # psycopg logs "error ignored terminating <Pipeline>" whenever a pipelined
    # write is refused (plain LangGraph too); the demo reports refusals itself.
    logging.getLogger("psycopg").setLevel(logging.ERROR)
    try:
        admin = cli.conninfo(args.database)
        named = conninfo_to_dict(admin)
        print(f"threadguard demo: migrating and using database {named.get('dbname', '(PGDATABASE)')} on "
              f"{named.get('host', '(PGHOST)')}", file=sys.stderr)
        report = run(admin)
    except cli.UsageError as exc:
        print(f"threadguard demo: {exc}", file=sys.stderr)
        return 2
    except runner.MigrationError as exc:
        print(f"threadguard demo: {exc}", file=sys.stderr)
        return 1
    except psycopg.OperationalError as exc:
        print(f"threadguard demo: cannot connect ({str(exc).strip()}); set DATABASE_URL to a superuser connection, "
              "or run `make demo` to use a throwaway cluster", file=sys.stderr)
        return 2
    if report.failures:
        print(f"demo: {len(report.failures)} check(s) FAILED", file=sys.stderr)
        return 1
    print("demo: every check passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
