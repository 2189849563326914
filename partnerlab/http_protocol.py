"""uvicorn's HTTP/1.1 protocol with Nagle's algorithm off on every connection.

With ``--workers N`` uvicorn binds the listening socket itself and hands it to the worker
processes; on Linux the connections accepted from that socket do not get ``TCP_NODELAY``
(asyncio sets it only when the socket reports ``IPPROTO_TCP``, and uvicorn's socket reports
0), so every keep-alive request after the first waits about 40 ms for the client's delayed
ACK (uvicorn issue 3149). ``partnerlab serve --workers N`` serves with this protocol, which
sets the option itself when a connection is made.
"""

from __future__ import annotations

import asyncio
import socket
from contextlib import suppress

from uvicorn.protocols.http.h11_impl import H11Protocol

NO_DELAY_PROTOCOL = "partnerlab.http_protocol:NoDelayH11Protocol"
"""What ``uvicorn.run(http=...)`` and ``uvicorn --http`` take."""


class NoDelayH11Protocol(H11Protocol):
    def connection_made(  # type: ignore[override]
        self, transport: asyncio.Transport
    ) -> None:
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            with suppress(OSError):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().connection_made(transport)
