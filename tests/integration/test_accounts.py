"""Accounts and console sessions on both databases: the one-time link, argon2 passwords,
sessions, slowed then locked sign-ins, disabling."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest

from application.access.accounts import (
    LinkInvalid,
    PasswordTooWeak,
    SignInLocked,
    SignInRefused,
)
from application.context import Caller
from domain.access.api_key import Role
from infrastructure.settings import Settings
from partnerlab.bootstrap import Runtime, build_runtime

ADMIN = Caller(lab="alsace", actor="cli:root")
PASSWORD = "correct horse battery staple"


@pytest.fixture
def runtime(settings: Settings, today: date) -> Iterator[Runtime]:
    fast = Settings(**(settings.model_dump() | {"fast_password_hashing": True}))
    runtime = build_runtime(fast, clock=lambda: today)
    runtime.app.accounts.sleep = lambda seconds: None
    try:
        yield runtime
    finally:
        runtime.close()


def test_a_password_set_through_the_link_opens_a_session_whose_actor_is_the_email(
    runtime: Runtime,
) -> None:
    accounts = runtime.app.accounts
    created = accounts.create_account(ADMIN, email=" Claire.Martin@Labo.example ", role=Role.STAFF)
    assert created.account.email == "claire.martin@labo.example"
    assert created.account.created_by == "cli:root"
    assert accounts.password_link_account(created.link_token).email == created.account.email
    with pytest.raises(PasswordTooWeak):
        accounts.set_password(created.link_token, "short")
    accounts.set_password(created.link_token, PASSWORD)
    with pytest.raises(LinkInvalid):  # the link works once
        accounts.set_password(created.link_token, PASSWORD + "!")

    opened = accounts.sign_in("claire.martin@labo.example", PASSWORD)
    user = accounts.session_user(opened.token)
    assert user is not None
    assert user.caller == Caller(lab="alsace", actor="claire.martin@labo.example")
    assert user.role is Role.STAFF
    assert accounts.session_user(opened.token + "x") is None
    accounts.sign_out(opened.token)
    assert accounts.session_user(opened.token) is None

    runtime.followers.catch_up()
    listed = accounts.list_accounts(ADMIN)
    assert [(a.email, a.role, a.password_set) for a in listed] == [
        ("claire.martin@labo.example", Role.STAFF, True)
    ]


def test_an_expired_or_forged_link_is_refused(runtime: Runtime) -> None:
    accounts = runtime.app.accounts
    created = accounts.create_account(ADMIN, email="paul@labo.example", role=Role.VIEWER)
    account_hex, _, secret = created.link_token.partition(".")
    with pytest.raises(LinkInvalid):
        accounts.set_password(f"{account_hex}.{secret[::-1]}", PASSWORD)
    accounts.clock = lambda: datetime.now(UTC) + timedelta(hours=49)
    with pytest.raises(LinkInvalid):
        accounts.set_password(created.link_token, PASSWORD)


def test_failed_sign_ins_are_slowed_then_lock_the_address(runtime: Runtime) -> None:
    accounts = runtime.app.accounts
    slept: list[float] = []
    accounts.sleep = slept.append
    created = accounts.create_account(ADMIN, email="lea@labo.example", role=Role.STAFF)
    accounts.set_password(created.link_token, PASSWORD)
    for _ in range(4):
        with pytest.raises(SignInRefused) as refused:
            accounts.sign_in("lea@labo.example", "not the password")
        assert not isinstance(refused.value, SignInLocked)
    assert slept == [0.5, 1.0], "from the third failure on, each answer is slower"
    with pytest.raises(SignInLocked):
        accounts.sign_in("lea@labo.example", "not the password")
    with pytest.raises(SignInLocked):  # even the right password, while locked
        accounts.sign_in("lea@labo.example", PASSWORD)
    accounts.clock = lambda: datetime.now(UTC) + timedelta(minutes=16)
    assert accounts.sign_in("lea@labo.example", PASSWORD).user.email == "lea@labo.example"


def test_an_unknown_address_is_refused_like_a_wrong_password(runtime: Runtime) -> None:
    with pytest.raises(SignInRefused) as refused:
        runtime.app.accounts.sign_in("nobody@labo.example", PASSWORD)
    assert refused.value.message == "the e-mail address or the password is wrong"


def test_disabling_an_account_ends_its_sessions_and_role_changes_apply_at_once(
    runtime: Runtime,
) -> None:
    accounts = runtime.app.accounts
    created = accounts.create_account(ADMIN, email="marc@labo.example", role=Role.STAFF)
    accounts.set_password(created.link_token, PASSWORD)
    opened = accounts.sign_in("marc@labo.example", PASSWORD)
    accounts.change_role(ADMIN, created.account.id, role=Role.VIEWER)
    user = accounts.session_user(opened.token)
    assert user is not None
    assert user.role is Role.VIEWER
    accounts.disable_account(ADMIN, created.account.id, reason="left the lab")
    assert accounts.session_user(opened.token) is None
    with pytest.raises(SignInRefused):
        accounts.sign_in("marc@labo.example", PASSWORD)
    history = [type(e).__name__ for e in runtime.app.log.stored_events(created.account.id)]
    assert history == ["Created", "PasswordSet", "RoleChanged", "Disabled"]
