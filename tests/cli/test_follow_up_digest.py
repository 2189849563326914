"""``partnerlab follow-ups send-digest`` against a real SMTP server (aiosmtpd, started here):
each staff member receives their open items once a week, however often it runs."""

from __future__ import annotations

import email
import socket
from collections.abc import Iterator
from datetime import date
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from typer.testing import CliRunner

from application.context import Caller
from application.partnerships.views import PartnershipFilter
from application.results import PageRequest
from infrastructure.settings import Settings
from partnerlab.bootstrap import build_runtime
from partnerlab.cli import cli
from partnerlab.demo import DEMO_LAB, load_demo
from tests.cli.test_cli import clean_environment, sqlite_file  # noqa: F401

runner = CliRunner()


class Inbox:
    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"


@pytest.fixture
def smtp(monkeypatch: pytest.MonkeyPatch) -> Iterator[Inbox]:
    inbox = Inbox()
    with socket.socket() as probe:  # a free port (aiosmtpd checks it can connect to it)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        monkeypatch.setenv("PARTNERLAB_SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("PARTNERLAB_SMTP_PORT", str(port))
        monkeypatch.setenv("PARTNERLAB_STAFF_MAIL_DOMAIN", "lab.example")
        yield inbox
    finally:
        controller.stop()


def test_the_digest_mails_each_staff_member_once_a_week(
    sqlite_file: Path,  # noqa: F811
    smtp: Inbox,
) -> None:
    runtime = build_runtime(Settings(sqlite_path=sqlite_file), run_projections=False)
    try:
        load_demo(runtime.app)
        runtime.followers.catch_up()
        caller = Caller(DEMO_LAB, "claire")
        listed = runtime.app.partnerships.list_partnerships(
            caller, PartnershipFilter(), PageRequest(limit=1000)
        ).items
        for n, p in enumerate(listed):
            staff = "anne" if n % 2 else "marc@elsewhere.example"
            runtime.app.partnerships.assign_staff(
                caller, p.id, staff=staff, from_on=date(2024, 1, 1)
            )
        runtime.followers.catch_up()
        owned = {i.owner: 0 for i in runtime.app.follow_ups.list_follow_ups(caller) if i.owner}
        for i in runtime.app.follow_ups.list_follow_ups(caller):
            if i.owner:
                owned[i.owner] += 1
    finally:
        runtime.close()
    assert owned, "the demo has follow-ups to mail"

    first = runner.invoke(cli, ["follow-ups", "send-digest"])
    assert first.exit_code == 0, first.output
    recipients = sorted(m["To"] for m in smtp.messages)
    expected = sorted(s if "@" in s else f"{s}@lab.example" for s in owned)
    assert recipients == expected
    for message in smtp.messages:
        staff = message["To"].removesuffix("@lab.example")
        body = message.get_payload(decode=True).decode()  # type: ignore[union-attr]
        assert body.count("\n- ") == owned[staff]
        assert f"{owned[staff]} follow-up(s)" in message["Subject"]

    second = runner.invoke(cli, ["follow-ups", "send-digest"])
    assert second.exit_code == 0, second.output
    assert len(smtp.messages) == len(expected), "nothing is mailed twice in one week"
    assert "0 item(s) mailed" in second.output
