"""The signer that runs beside the followers: a thread that signs a tree head when one is due
(N events since the last head, or the last one older than the interval with events since).

It only ever signs what the tree already holds: the tree itself is extended under the writers'
lock with every insert, so no acknowledged event is left out of it, and ``GET /audit/head`` (or
an export) signs on demand whatever the loop has not signed yet.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)


class HeadSigningLoop:
    def __init__(self, sign_if_due: Callable[[], Any], *, poll_interval: float = 1.0) -> None:
        self.sign_if_due = sign_if_due
        self.poll_interval = poll_interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def step(self) -> None:
        try:
            self.sign_if_due()
        except Exception as error:  # the next pass tries again; the writers are not affected
            log.warning("signing a tree head failed: %s", error)

    def run_forever(self) -> None:
        while not self._stop.wait(self.poll_interval):
            self.step()

    def start(self) -> None:
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self.run_forever, name="tree-heads", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None
