"""Fixtures of the app tests: a runtime folder per test, a stand-in for the map component, and, for the
browser tests, the seeded spots scene served by the real app and a headless Chromium per module."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from unittest import mock

import pytest

from pipeline.inventory.build import Inventory
from tests.helpers.app import FakeMap, chromium, seeded_app
from tests.helpers.spots_scene import Scene, seed_spots


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


@pytest.fixture(scope="module")
def scene(tmp_path_factory: pytest.TempPathFactory, demo_inventory: Inventory) -> Iterator[Scene]:
    """The real app on a free port, on a store seeded with the spots scene (its own per module)."""
    folder = tmp_path_factory.mktemp("spots_scene")
    with seeded_app(folder, lambda db_url: seed_spots(db_url, demo_inventory)) as (
        url,
        db_url,
        (spots, empty),
    ):
        yield Scene(url=url, spots=spots, empty=empty, db_url=db_url)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with chromium() as launched:
        yield launched
