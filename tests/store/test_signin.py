"""Planner sign-in failures counted in the store, per account and per address, across tabs and processes."""

from __future__ import annotations

import uuid

import pytest

from store import AuthError, hash_password, list_audit, sign_in
from store.auth import signin_delay
from tests.helpers.db import store_with

PASSWORD = "correct horse"


@pytest.fixture(scope="module")
def planners():
    return {"王规划": hash_password(PASSWORD)}


def _tab(db_url, clock):
    """A new tab: another Store object on the same database (as another server process would be)."""
    return store_with(db_url, clock=clock)


def _signin_audit(store, account):
    return [
        e for e in list_audit(store, object_type="signin", limit=1000) if e.detail.get("account") == account
    ]


def test_five_failures_then_a_growing_delay_across_tabs(db_url, clock, planners):
    client = f"10.0.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}"
    account = f"王规划{uuid.uuid4().hex[:6]}"
    planners = {**planners, account: planners["王规划"]}
    for i in range(5):
        with _tab(db_url, clock) as tab, pytest.raises(AuthError, match="^Planner name or password is wrong"):
            sign_in(tab, account, f"wrong {i}", planners, client=client)
        clock.advance(seconds=1)
    # The sixth attempt, in yet another tab, waits even with the right password.
    with _tab(db_url, clock) as tab:
        with pytest.raises(
            AuthError, match=r"^5 failed sign-ins for this planner or this address: try again in 29 s\.$"
        ):
            sign_in(tab, account, PASSWORD, planners, client=client)
        clock.advance(seconds=30)
        with pytest.raises(AuthError, match="^Planner name or password is wrong"):
            sign_in(tab, account, "wrong again", planners, client=client)
        with pytest.raises(AuthError, match="^6 failed sign-ins .*: try again in 60 s"):
            sign_in(tab, account, PASSWORD, planners, client=client)
        clock.advance(seconds=60)
        assert sign_in(tab, account, PASSWORD, planners, client=client).name == account
        entries = _signin_audit(tab, account)
    assert [e.action for e in reversed(entries)] == ["signin.fail"] * 5 + [
        "signin.throttled",
        "signin.fail",
        "signin.throttled",
    ]
    assert all(e.detail["client"] == client for e in entries)
    assert all(PASSWORD not in str(e.detail) and "wrong" not in str(e.detail) for e in entries)


def test_failures_count_per_address_across_accounts(db_url, clock, planners):
    client = f"192.168.{uuid.uuid4().int % 250}.7"
    with _tab(db_url, clock) as tab:
        for _ in range(5):
            with pytest.raises(AuthError, match="wrong"):
                sign_in(tab, f"guess{uuid.uuid4().hex[:8]}", "x" * 9, planners, client=client)
        with pytest.raises(AuthError, match="try again in 30 s"):
            sign_in(tab, "王规划", PASSWORD, planners, client=client)
        # The same account from another address is not held up by this address's failures.
        assert sign_in(tab, "王规划", PASSWORD, planners, client=f"{client}9").name == "王规划"


def test_failures_count_per_account_across_addresses(db_url, clock, planners):
    account = f"李{uuid.uuid4().hex[:6]}"
    with _tab(db_url, clock) as tab:
        for i in range(5):
            with pytest.raises(AuthError, match="wrong"):
                sign_in(tab, account, "x" * 9, planners, client=f"172.16.0.{i}")
        with pytest.raises(AuthError, match="try again in 30 s"):
            sign_in(tab, account, "x" * 9, planners, client="172.16.9.9")
        assert len([e for e in _signin_audit(tab, account) if e.action == "signin.fail"]) == 5


def test_failures_older_than_an_hour_are_forgotten(db_url, clock, planners):
    account = f"周{uuid.uuid4().hex[:6]}"
    with _tab(db_url, clock) as tab:
        for _ in range(5):
            with pytest.raises(AuthError, match="wrong"):
                sign_in(tab, account, "x" * 9, planners, client="10.9.9.9")
        clock.advance(hours=1, seconds=1)
        with pytest.raises(AuthError, match="^Planner name or password is wrong"):
            sign_in(tab, account, "x" * 9, planners, client="10.9.9.8")
        # Only that last failure counts now: the next attempt is checked at once.
        with pytest.raises(AuthError, match="^Planner name or password is wrong"):
            sign_in(tab, account, "x" * 9, planners, client="10.9.9.8")


def test_a_successful_sign_in_clears_the_accounts_failures(db_url, clock, planners):
    account = f"吴{uuid.uuid4().hex[:6]}"
    planners = {**planners, account: planners["王规划"]}
    with _tab(db_url, clock) as tab:
        for i in range(4):
            with pytest.raises(AuthError, match="wrong"):
                sign_in(tab, account, "x" * 9, planners, client=f"10.8.0.{i}")
        assert sign_in(tab, account, PASSWORD, planners, client="10.8.1.1").name == account
        for i in range(2):
            with pytest.raises(AuthError, match="^Planner name or password is wrong"):
                sign_in(tab, account, "x" * 9, planners, client=f"10.8.2.{i}")


def test_the_delay_doubles_up_to_an_hour():
    assert [signin_delay(n).total_seconds() for n in (0, 4, 5, 6, 7, 30)] == [0, 0, 30, 60, 120, 3600]
