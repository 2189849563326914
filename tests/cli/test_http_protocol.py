"""``partnerlab serve --workers N`` serves with a protocol that turns Nagle's algorithm off on
each connection (uvicorn's own socket for workers leaves it on: 40 ms a keep-alive request)."""

from __future__ import annotations

import asyncio
import socket
from typing import Any

from uvicorn.config import Config
from uvicorn.server import ServerState

from partnerlab.http_protocol import NoDelayH11Protocol


class Transport:
    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return {"socket": self.sock}.get(name, default)

    def __getattr__(self, name: str) -> Any:
        return lambda *args, **kwargs: None


def test_a_connection_gets_tcp_nodelay() -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:  # pragma: no cover
        raise AssertionError

    config = Config(app=app)
    config.load()
    loop = asyncio.new_event_loop()
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM, 0) as sock:
            assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 0
            protocol = NoDelayH11Protocol(
                config=config, server_state=ServerState(), app_state={}, _loop=loop
            )
            protocol.connection_made(Transport(sock))  # type: ignore[arg-type]
            assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 1
    finally:
        loop.close()
