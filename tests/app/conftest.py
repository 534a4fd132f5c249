"""Fixtures of the app tests: a runtime folder per test and a stand-in for the map component."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from unittest import mock

import pytest

from tests.helpers.app import FakeMap


@pytest.fixture
def fake_map() -> Iterator[FakeMap]:
    """``streamlit_folium.st_folium`` replaced, since AppTest cannot run custom components."""
    fake = FakeMap()
    with mock.patch("streamlit_folium.st_folium", fake):
        yield fake


@pytest.fixture(autouse=True)
def runtime(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Edits, profiles and uploads of each test go to its own folder."""
    folder = tmp_path / "runtime"
    monkeypatch.setenv("MAPPER_RUNTIME_DIR", str(folder))
    return folder
