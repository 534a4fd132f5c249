"""Text helpers every survey reader shares."""

from __future__ import annotations

from pipeline.survey.base import clean_text, looks_mojibake


def test_text_helpers():
    assert clean_text(r"\U+5E7C\U+513F\U+56ED") == "幼儿园"
    assert clean_text("<b>幼儿园</b> &amp;  托儿所", html_markup=True) == "幼儿园 & 托儿所"
    assert clean_text("a<b") == "a<b"
    assert looks_mojibake(["Ó×¶ùÔ°"])
    assert not looks_mojibake(["幼儿园", "Café"])
