"""A raw asyncio TCP server on loopback that runs one script per connection.

The base of the lab's hand-rolled SMTP servers (``RawSmtpServer``, ``HostileSmtpServer``):
binding to 127.0.0.1 on a free (or a given) port with a deep accept queue, tracking connections,
and stopping cleanly.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Self

# Pending connections the kernel queues before accept() (capped by net.core.somaxconn). asyncio's
# default of 100 makes a classroom's burst of connections wait for SYN retries, or time out.
LISTEN_BACKLOG = 4096


class LoopbackServer:
    """Subclasses implement :meth:`_script`; a client hanging up ends it quietly."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.host = host
        self.port = port
        self._server: asyncio.base_events.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    async def _script(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        raise NotImplementedError

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
        try:
            await self._script(reader, writer)
        except asyncio.CancelledError:
            return  # the lab is shutting down; ending quietly keeps asyncio from logging it
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError,
                TimeoutError):
            return  # the client went away (or never spoke): nothing left to serve
        finally:
            writer.close()
            if task is not None:
                self._tasks.discard(task)

    async def start(self) -> Self:
        self._server = await asyncio.start_server(self._serve, self.host, self.port,
                                                  backlog=LISTEN_BACKLOG)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            for task in list(self._tasks):
                task.cancel()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._server.wait_closed(), 2)
            self._server = None

    async def __aenter__(self) -> Self:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()
