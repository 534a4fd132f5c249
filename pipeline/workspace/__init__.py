"""The files the app keeps per compound: a planner's edits, the compound's profile, accepted surveys."""

from pipeline.workspace.edits import Edits, apply_edits, read_edits, write_edits
from pipeline.workspace.profile import Profile, read_profile, write_profile

__all__ = [
    "Edits",
    "Profile",
    "apply_edits",
    "read_edits",
    "read_profile",
    "write_edits",
    "write_profile",
]
