"""One settings object: every MAPPER_* variable read in one place, defaults rooted at the project folder."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pipeline.core.errors import DataError
from pipeline.core.settings import PROJECT_ROOT, VARIABLES, Settings
from tests.helpers.testdata import ROOT


def test_defaults_root_at_the_project_folder():
    s = Settings.from_env({})
    assert PROJECT_ROOT == ROOT
    assert s.root == ROOT
    assert s.data_dir == ROOT / "data" / "osm"
    assert s.runtime_dir == ROOT / "runtime"
    assert s.build_dir == ROOT / "build"
    assert s.db_url == f"sqlite:///{ROOT / 'runtime' / 'mapper.sqlite3'}"
    assert s.osmnx_cache == ROOT / "runtime" / "osmnx-cache"
    assert (s.max_upload_mb, s.online_timeout_s) == (50, 180)
    assert (s.planners, s.planners_file, s.planner_emails) == ("", None, frozenset())
    assert s.overpass_url == "https://overpass-api.de/api"
    assert s.nominatim_url == "https://nominatim.openstreetmap.org/"


def test_every_variable_is_read_from_the_environ_given(tmp_path):
    env = {
        "MAPPER_DATA_DIR": str(tmp_path / "osm"),
        "MAPPER_RUNTIME_DIR": str(tmp_path / "rt"),
        "MAPPER_BUILD_DIR": str(tmp_path / "b"),
        "MAPPER_MAX_UPLOAD_MB": "7",
        "MAPPER_DB_URL": " postgresql+psycopg://u@h/d ",
        "MAPPER_PLANNERS": "wang=scrypt$1;li=scrypt$2",
        "MAPPER_PLANNERS_FILE": str(tmp_path / "planners.toml"),
        "MAPPER_PLANNER_EMAILS": "Wang@Example.org, li@example.org,,",
        "MAPPER_OVERPASS_URL": "http://127.0.0.1:1/api",
        "MAPPER_NOMINATIM_URL": "http://127.0.0.1:1/",
        "MAPPER_ONLINE_TIMEOUT_S": "9",
        "MAPPER_OSMNX_CACHE": str(tmp_path / "cache"),
    }
    assert set(env) == set(VARIABLES)
    s = Settings.from_env(env)
    assert (s.data_dir, s.runtime_dir, s.build_dir) == (tmp_path / "osm", tmp_path / "rt", tmp_path / "b")
    assert (s.max_upload_mb, s.online_timeout_s) == (7, 9)
    assert s.db_url == "postgresql+psycopg://u@h/d"
    assert s.planners == "wang=scrypt$1;li=scrypt$2"
    assert s.planners_file == tmp_path / "planners.toml"
    assert s.planner_emails == {"wang@example.org", "li@example.org"}
    assert (s.overpass_url, s.nominatim_url) == ("http://127.0.0.1:1/api", "http://127.0.0.1:1/")
    assert s.osmnx_cache == tmp_path / "cache"


def test_one_runtime_folder_holds_the_store_and_the_cache(tmp_path):
    s = Settings.from_env({"MAPPER_RUNTIME_DIR": str(tmp_path), "MAPPER_DATA_DIR": "  "})
    assert s.db_url == f"sqlite:///{tmp_path / 'mapper.sqlite3'}"
    assert s.osmnx_cache == tmp_path / "osmnx-cache"
    assert s.data_dir == ROOT / "data" / "osm"  # blank is unset


def test_the_defaults_follow_the_root_given(tmp_path):
    s = Settings.from_env({}, root=tmp_path)
    assert (s.data_dir, s.runtime_dir, s.build_dir) == (tmp_path / "data" / "osm", tmp_path / "runtime", tmp_path / "build")


def test_a_number_that_is_not_one_names_the_variable():
    with pytest.raises(DataError, match="MAPPER_ONLINE_TIMEOUT_S.*not a whole number"):
        Settings.from_env({"MAPPER_ONLINE_TIMEOUT_S": "3 minutes"})


def test_settings_are_frozen():
    s = Settings.from_env({})
    with pytest.raises(AttributeError):
        s.runtime_dir = Path("/tmp")  # type: ignore[misc]


def test_the_readers_take_their_values_from_settings(tmp_path, monkeypatch):
    from pipeline.osm.read import OnlineSettings
    from store.auth import load_planners
    from store.settings import default_db_url
    from ui.settings import load_settings

    env = {"MAPPER_RUNTIME_DIR": str(tmp_path), "MAPPER_PLANNERS": "wang=h1", "MAPPER_ONLINE_TIMEOUT_S": "5"}
    assert default_db_url(env) == f"sqlite:///{tmp_path / 'mapper.sqlite3'}"
    assert load_planners(env=env) == {"wang": "h1"}
    online = OnlineSettings.from_env(env)
    assert (online.timeout_s, online.cache_folder) == (5, str(tmp_path / "osmnx-cache"))
    for name, value in {**env, "MAPPER_BUILD_DIR": str(tmp_path / "b"), "MAPPER_MAX_UPLOAD_MB": "900"}.items():
        monkeypatch.setenv(name, value)
    app = load_settings(server_limit_mb=200)
    assert (app.runtime_dir, app.build_dir, app.max_upload_mb) == (tmp_path, tmp_path / "b", 200)


def test_no_other_module_names_a_mapper_variable():
    """Only pipeline/core/settings.py names the MAPPER_* variables as strings; the others ask Settings."""
    found = []
    for folder in ("pipeline", "layers", "store", "ui", "views"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            if path == ROOT / "pipeline" / "core" / "settings.py":
                continue
            text = path.read_text(encoding="utf-8")
            found += [f"{path.relative_to(ROOT)}: {m}" for m in re.findall(r"[\"']MAPPER_[A-Z_]*[\"']", text)]
    assert "os.environ" not in (ROOT / "app.py").read_text(encoding="utf-8")
    assert found == []


def test_the_readme_lists_every_variable():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"^\| `(MAPPER_[A-Z_]+)` \|", readme, re.MULTILINE))
    assert listed == set(VARIABLES)


def test_a_number_that_is_not_one_is_refused_in_chinese():
    with pytest.raises(DataError) as info:
        Settings.from_env({"MAPPER_ONLINE_TIMEOUT_S": "3 minutes"})
    assert info.value.text("zh") == (
        "环境变量 `MAPPER_ONLINE_TIMEOUT_S` 的值 `3 minutes` 不是整数：请设为整数，例如 MAPPER_ONLINE_TIMEOUT_S=180。"
    )
    assert str(info.value) == (
        "`MAPPER_ONLINE_TIMEOUT_S` is `3 minutes`, not a whole number; set e.g. MAPPER_ONLINE_TIMEOUT_S=180."
    )
