"""Helpers of the app tests: a stand-in for the map component and readers of the drawn map."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import folium
from branca.element import Element

from layers.web import DivMarkers

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")
PARK = "way/595098643"  # 畅乐园, number 9 from the detected gate
SOUTH_EAST_GATE = "node/5671590330"  # 东南门, not the detected main gate


@dataclass
class FakeMap:
    """Stands in for ``streamlit_folium.st_folium``: keeps the maps drawn and returns set clicks."""

    maps: list[folium.Map] = field(default_factory=list)
    returns: dict[str, Any] = field(default_factory=dict)

    def __call__(self, fig: folium.Map, **kwargs: Any) -> dict[str, Any]:
        self.maps.append(fig)
        return {k: v for k, v in self.returns.items() if k in kwargs.get("returned_objects", [])}


def markers(m: folium.Map, role: str) -> list[list[Any]]:
    """The rows of the map's :class:`DivMarkers` of one role (``assets`` or ``gates``)."""

    def walk(element: Element) -> Iterator[Element]:
        yield element
        for child in element._children.values():
            yield from walk(child)

    return [row for e in walk(m) if isinstance(e, DivMarkers) and e.role == role for row in e.rows]


def marker_labels(m: folium.Map) -> dict[str, str]:
    """``source_id`` → the number on its marker."""
    labels = {}
    for row in markers(m, "assets"):
        sid = row[2].split('data-sid="')[1].split('"')[0]
        labels[sid] = row[2].rsplit("</div>", 1)[0].rsplit(">", 1)[1]
    return labels
