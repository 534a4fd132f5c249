"""The walking network: footways, paths and roads, entering or leaving a walled compound only through its gates."""

from pipeline.walk.graph import WalkNetwork, distances_from
from pipeline.walk.network import build_network, walkable_lines

__all__ = [
    "WalkNetwork",
    "build_network",
    "distances_from",
    "walkable_lines",
]
