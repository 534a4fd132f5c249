"""Planners' hashed passwords from a TOML file or the environment."""

from __future__ import annotations

import hashlib

import pytest

from store import AuthError, DataError, authenticate, hash_password, load_planners, verify_password


def test_hash_and_verify():
    stored = hash_password("长城饭店 2025")
    assert stored.startswith("scrypt$16384$8$1$") and "长城" not in stored
    assert verify_password("长城饭店 2025", stored)
    assert not verify_password("长城饭店 2024", stored)
    assert hash_password("长城饭店 2025") != stored  # salted


def test_pbkdf2_hashes_are_read_too():
    salt = bytes(range(16))
    key = hashlib.pbkdf2_hmac("sha256", b"password123", salt, 100_000)
    assert verify_password("password123", f"pbkdf2_sha256$100000${salt.hex()}${key.hex()}")


def test_short_passwords_and_unknown_formats_are_refused():
    with pytest.raises(DataError, match="The password has 5 characters: use at least 8"):
        hash_password("abcde")
    with pytest.raises(DataError, match="Stored password hash 'md5\\$abc' is not in a known format"):
        verify_password("x", "md5$abc")


def test_planners_from_file_and_environment(tmp_path):
    wang, li = hash_password("wang-password"), hash_password("li-password")
    path = tmp_path / "planners.toml"
    path.write_text(f'[planners]\n"王规划" = "{wang}"\n', encoding="utf-8")
    env = {"MAPPER_PLANNERS_FILE": str(path), "MAPPER_PLANNERS": f"li={li}; "}
    planners = load_planners(env=env)
    assert planners == {"王规划": wang, "li": li}
    assert authenticate("王规划", "wang-password", planners).name == "王规划"
    assert authenticate(" li ", "li-password", planners).actor == "planner:li"
    with pytest.raises(AuthError, match="Planner name or password is wrong"):
        authenticate("li", "wang-password", planners)
    with pytest.raises(AuthError, match="Planner name or password is wrong"):
        authenticate("nobody", "li-password", planners)


def test_no_planners_configured_or_malformed_config(tmp_path):
    assert load_planners(env={}) == {}
    with pytest.raises(AuthError, match="No planners are configured: add hashed passwords"):
        authenticate("wang", "whatever1", {})
    with pytest.raises(DataError, match="Entry 'wang' of `MAPPER_PLANNERS` is not `name=hash`"):
        load_planners(env={"MAPPER_PLANNERS": "wang"})
    with pytest.raises(DataError, match=r"Planners file `.*missing\.toml` does not exist"):
        load_planners(tmp_path / "missing.toml", env={})
    bad = tmp_path / "bad.toml"
    bad.write_text("[planners]\nwang = 3\n", encoding="utf-8")
    with pytest.raises(DataError, match='needs a \\[planners\\] table of name = "hash" lines'):
        load_planners(bad, env={})
