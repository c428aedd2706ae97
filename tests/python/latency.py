"""A loopback link that holds back each Flush message a client sends (and what follows it) by
`delay` seconds: a client descheduled between its Sync and its Flush, as on a loaded host. psycopg
sends a Flush after the Sync that ends a pipeline when the results are not in yet; arriving after
the server's ReadyForQuery, it makes PgBouncer 1.18 keep the server connection linked to that
client until its next message (pgbouncer#759). Answers come back 2 ms late, so no pipeline's
results are in when it ends. Through this link that happens on every such pipeline, so a test
meets it at once instead of in a few runs out of many under CPU load."""

from __future__ import annotations

import asyncio
import struct
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

_UNTYPED_FIRST = {80877103, 80877104}  # SSLRequest, GSSENCRequest: the startup message follows


class _Frontend:
    """Splits the client's byte stream into protocol messages (startup packets first)."""

    def __init__(self) -> None:
        self.buffer = b""
        self.started = False

    def messages(self, data: bytes) -> Iterator[tuple[bytes, bytes]]:
        self.buffer += data
        while True:
            if not self.started:
                if len(self.buffer) < 8:
                    return
                length, code = struct.unpack("!ii", self.buffer[:8])
                if len(self.buffer) < length:
                    return
                message, self.buffer = self.buffer[:length], self.buffer[length:]
                self.started = code not in _UNTYPED_FIRST
                yield b"", message
                continue
            if len(self.buffer) < 5:
                return
            length = struct.unpack("!i", self.buffer[1:5])[0]
            if len(self.buffer) < 1 + length:
                return
            message, self.buffer = self.buffer[:1 + length], self.buffer[1 + length:]
            yield message[:1], message


@contextmanager
def late_flush_link(port: int, delay: float = 0.02, answer_delay: float = 0.002) -> Iterator[int]:
    """A listening loopback port that reaches 127.0.0.1:`port`, each Flush `delay` s late and
    every answer `answer_delay` s late (so a pipeline's results are never in when it ends)."""
    loop = asyncio.new_event_loop()
    started = threading.Event()
    listen: list[int] = []
    server_box: list[asyncio.Server] = []

    async def pump(reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                   pieces: Callable[[bytes], Iterator[tuple[float, bytes]]]) -> None:
        """Copy reader to writer, each piece `pieces` cuts from the data sent once its delay has passed
        (a piece never overtakes the one before it)."""
        queue: asyncio.Queue[tuple[float, bytes]] = asyncio.Queue()

        async def deliver() -> None:
            while (item := await queue.get())[1]:
                when, piece = item
                if when > loop.time():
                    await asyncio.sleep(when - loop.time())  # the link's latency, not a wait for an event
                writer.write(piece)
                await writer.drain()

        sender, due = asyncio.create_task(deliver()), 0.0
        try:
            while data := await reader.read(65536):
                for wait, piece in pieces(data):
                    due = max(due, loop.time() + wait)
                    queue.put_nowait((due, piece))
        finally:
            queue.put_nowait((0.0, b""))
            await sender
            writer.close()

    async def handle(client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        server_r, server_w = await asyncio.open_connection("127.0.0.1", port)
        frontend = _Frontend()
        await asyncio.gather(
            pump(client_r, server_w, lambda data: ((delay if kind == b"H" else 0.0, m) for kind, m in frontend.messages(data))),
            pump(server_r, client_w, lambda data: iter([(answer_delay, data)])),
            return_exceptions=True)

    async def serve() -> None:
        server_box.append(await asyncio.start_server(handle, "127.0.0.1", 0))
        listen.append(server_box[0].sockets[0].getsockname()[1])
        started.set()

    def run() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(serve())
        loop.run_forever()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    if not started.wait(10):
        raise RuntimeError("the link did not start listening within 10 s")
    try:
        yield listen[0]
    finally:
        async def stop() -> None:
            server_box[0].close()
            tasks = [t for t in asyncio.all_tasks(loop) if t is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

        asyncio.run_coroutine_threadsafe(stop(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()
