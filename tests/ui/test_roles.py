"""Planners signed in with Streamlit's OIDC: only the e-mails of MAPPER_PLANNER_EMAILS are planners."""

from __future__ import annotations

from types import SimpleNamespace
from unittest import mock

import pytest

from store import Planner
from ui import roles


class FakeUser(dict):
    is_logged_in = True


@pytest.mark.parametrize(
    ("email", "allowed", "expected"),
    [
        ("Wang@Example.org", "li@example.org, wang@example.org", Planner("wang@example.org")),
        ("zhao@example.org", "li@example.org, wang@example.org", None),
        ("wang@example.org", "", None),
    ],
)
def test_an_oidc_user_is_a_planner_when_listed(monkeypatch, email, allowed, expected):
    monkeypatch.setenv("MAPPER_PLANNER_EMAILS", allowed)
    fake = SimpleNamespace(secrets={"auth": {}}, user=FakeUser(email=email), session_state={})
    with mock.patch.object(roles, "st", fake):
        assert roles.planner() == expected
