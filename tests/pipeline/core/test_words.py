"""The catalogue of words: every entry in both languages, formatting, look-ups, and no words elsewhere."""

from __future__ import annotations

import ast
import subprocess

import pytest

from pipeline.core import errors
from pipeline.core.errors import CLI_ONLY, ERROR_PREFIX
from pipeline.core.taxonomy import load_taxonomy
from pipeline.core.words import (
    LANGS,
    catalogue,
    gate_rule_text,
    has_word,
    placeholders,
    reason_text,
    uses_text,
    word,
)
from pipeline.sites.standards import read_standards
from tests.helpers.testdata import ROOT

ENTRIES = sorted(catalogue().items())
#: The one module allowed to hold a ``{"zh": ..., "en": ...}`` literal (it reads the facility table).
WORDS_MODULE = "pipeline/core/words.py"


def _python_files() -> list[str]:
    """The project's Python files, tracked or new (what git would commit), not the virtualenv or builds."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "*.py"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return [p for p in listed if (ROOT / p).is_file()]


def test_the_catalogue_is_grouped_and_large():
    groups = {key.split(".")[0] for key, _ in ENTRIES}
    assert {"app", "map", "figure", "vote", "spot", "city", "survey", "gate", "site", "category"} <= groups
    assert len(ENTRIES) > 450


@pytest.mark.parametrize(("key", "entry"), ENTRIES, ids=[k for k, _ in ENTRIES])
def test_every_entry_has_both_languages_and_the_same_placeholders(key, entry):
    assert set(entry) == set(LANGS), f"[{key}] needs exactly zh and en"
    assert all(isinstance(v, str) and v for v in entry.values()), key
    # values only the command line shows (a library's English, a server's file) the Chinese leaves out
    assert placeholders(entry["zh"]) - CLI_ONLY == placeholders(entry["en"]) - CLI_ONLY, key
    assert "default" not in placeholders(entry["zh"]), "`default` is word()'s own argument"
    values = dict.fromkeys(placeholders(entry["en"]), 1234.5)
    for lang in LANGS:
        assert word(key, lang, **values)


def test_formatting_and_languages():
    assert word("spot.n_spots", "zh", n=3) == "此处 3 个问题点"
    assert word("spot.n_spots", "en", n=3) == "3 spots here"
    assert word("spot.blurred", "en", m=50.0) == "Location blurred to a 50 m grid"
    assert word("app.layout") == "布局"  # Chinese by default
    assert word("figure.scale", "en", scale=2500, paper="A3") == "Scale 1:2,500 (A3 print)"


def test_unknown_keys_missing_values_and_languages_raise():
    with pytest.raises(KeyError, match="app.no_such_word"):
        word("app.no_such_word", "zh")
    with pytest.raises(KeyError, match="kind.no_such_kind"):
        word("kind.no_such_kind", "en")
    with pytest.raises(KeyError, match="spot.n_spots.*'n'"):
        word("spot.n_spots", "zh")
    with pytest.raises(ValueError, match="fr"):
        word("app.layout", "fr")
    assert (
        word("city.column.coverage_playground", "zh", default="coverage_playground") == "coverage_playground"
    )
    assert not has_word("app.no_such_word") and has_word("app.layout")


def test_kinds_and_facilities_are_read_from_their_data_files():
    for kind in load_taxonomy().kinds.values():
        assert (word(f"kind.{kind.key}", "zh"), word(f"kind.{kind.key}", "en")) == (kind.zh, kind.en)
    for kind, row in read_standards().iterrows():
        assert word(f"facility.{kind}", "zh") == row["facility_zh"]
        assert word(f"facility.{kind}", "en") == row["facility_en"]


def test_structured_values_are_said_in_both_languages():
    assert gate_rule_text("southernmost", "zh") == "未标注出入口和道路：边界最南点"
    assert (
        gate_rule_text("gate_road:tertiary", "en")
        == "the gate facing the highest-class road (a tertiary road)"
    )
    assert gate_rule_text("gate_road:tertiary", "zh") == "面向最高等级道路（支路）的出入口"
    parts = {"fills": "", "type": "green", "name": "畅乐园", "spots": 3, "area_m2": 1520.4}
    assert reason_text(parts, "en") == "upgrade: lawn 畅乐园; 3 spots nearby; 1,520 m²"
    assert reason_text(parts, "zh") == "提升：绿地 畅乐园；附近3个问题点；1,520平方米"
    more = {"fills": "clinic", "radius_m": 500, "buildings": 4, "spots": 0, "area_m2": 300.0}
    assert reason_text(more, "zh").startswith("补缺：")
    assert reason_text(more, "en").startswith(
        "fills: "
    ) and "for 4 more buildings within 500 m" in reason_text(more, "en")
    uses = {"kinds": [], "upgrade": "parking", "classes": ["improvement"]}
    assert uses_text(uses, "en") == "orderly parking and e-bike charging (improvement)"
    assert uses_text(uses, "zh") == "停车秩序与电动车充电（完善类）"


def _zh_en_dicts(tree: ast.AST) -> list[int]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Dict):
            keys = {k.value for k in node.keys if isinstance(k, ast.Constant) and isinstance(k.value, str)}
            if {"zh", "en"} <= keys:
                found.append(node.lineno)
    return found


def test_no_module_but_the_catalogue_holds_words():
    """A ``{"zh": ..., "en": ...}`` literal anywhere else is a second catalogue; put the words in words.toml."""
    offenders = []
    for path in _python_files():
        if path == WORDS_MODULE:
            continue
        lines = _zh_en_dicts(ast.parse((ROOT / path).read_text(encoding="utf-8"), path))
        offenders += [f"{path}:{line}" for line in lines]
    assert offenders == []


def _literal_lookups(tree: ast.AST) -> list[tuple[str, str, set[str], bool, int]]:
    """Calls ``word("key", ...)`` and ``t("key", ...)``: (function, key, keyword names, has **kwargs, line)."""
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        name = node.func.id if isinstance(node.func, ast.Name) else None
        first = node.args[0]
        if (
            name is not None
            and name.endswith(("Error", "Words"))
            and isinstance(first, ast.Constant)
            and str(first.value).startswith(ERROR_PREFIX)
        ):
            name = "word"  # an error said through the catalogue: MapperError(key, **values)
        if name in ("word", "t") and isinstance(first, ast.Constant) and isinstance(first.value, str):
            names = {k.arg for k in node.keywords if k.arg is not None}
            spread = any(k.arg is None for k in node.keywords)
            found.append((name, first.value, names, spread, node.lineno))
    return found


def test_every_word_the_code_names_is_in_the_catalogue_with_its_values():
    """Each literal key the code looks up exists, and is given exactly the values its words need."""
    problems = []
    for path in _python_files():
        if not path.startswith(("app.py", "pipeline/", "layers/", "ui/", "views/", "store/")):
            continue
        tree = ast.parse((ROOT / path).read_text(encoding="utf-8"), path)
        for function, key, names, spread, line in _literal_lookups(tree):
            full = f"app.{key}" if function == "t" else key
            if not has_word(full):
                problems.append(f"{path}:{line} `{full}` is not in the catalogue")
                continue
            needed = placeholders(catalogue()[full]["en"]) if full in catalogue() else set()
            given = names - {"default"}
            if not spread and needed != given:
                problems.append(f"{path}:{line} `{full}` needs {sorted(needed)}, is given {sorted(given)}")
    assert problems == []


def _mapper_error_names() -> set[str]:
    return {n for n, c in vars(errors).items() if isinstance(c, type) and issubclass(c, errors.MapperError)}


def _plain_errors(tree: ast.AST, names: set[str]) -> list[int]:
    """Lines that raise a mapper error with a sentence of its own rather than a catalogue key."""
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
        first = node.args[0]
        keyed = isinstance(first, ast.Constant) and str(first.value).startswith(ERROR_PREFIX)
        if name in names and not keyed:
            found.append(node.lineno)
    return found


def test_every_error_a_user_can_meet_is_said_through_the_catalogue():
    """A mapper error raised with an English sentence reads in English on a Chinese page; with a catalogue key
    it reads in the page's language. Only the command line's own modules print English alone, and the
    catalogue's loader cannot use the catalogue it failed to load."""
    names = _mapper_error_names()
    offenders = []
    for path in _python_files():
        if not path.startswith(("app.py", "pipeline/", "layers/", "ui/", "views/", "store/")):
            continue
        if path.startswith("pipeline/cli/") or path == WORDS_MODULE:
            continue
        lines = _plain_errors(ast.parse((ROOT / path).read_text(encoding="utf-8"), path), names)
        offenders += [f"{path}:{line}" for line in lines]
    assert offenders == []
