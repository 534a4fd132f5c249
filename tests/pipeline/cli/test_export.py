"""The ``export`` and ``figure`` commands on the demo inventory folder, and their one-line errors."""

from __future__ import annotations

import pytest

from pipeline.cli.main import main
from pipeline.inventory.build import build_inventory, write_inventory
from tests.helpers.testdata import DEMO_ASSETS, DEMO_ID


@pytest.fixture(scope="module")
def inventory_dir(tmp_path_factory, demo_features):
    """The demo inventory folder, built and written as `python -m pipeline build` does."""
    return write_inventory(
        build_inventory(demo_features, compound=DEMO_ID), tmp_path_factory.mktemp("inv") / "shikeyuan"
    )



def test_cli_export_and_figure(inventory_dir, tmp_path, capsys):
    assert (
        main(
            [
                "-q",
                "export",
                "--inventory",
                str(inventory_dir),
                "--out",
                str(tmp_path / "a.dxf"),
                "--crs",
                "EPSG:4548",
            ]
        )
        == 0
    )
    assert f"{DEMO_ASSETS} assets exported as dxf" in capsys.readouterr().out
    assert (
        main(
            [
                "-q",
                "export",
                "--inventory",
                str(inventory_dir),
                "--out",
                str(tmp_path / "a.dxf"),
                "--crs",
                "EPSG:4326",
            ]
        )
        == 2
    )
    assert "DXF needs a projected CRS" in capsys.readouterr().err
    assert (
        main(
            [
                "-q",
                "figure",
                "--inventory",
                str(inventory_dir),
                "--out",
                str(tmp_path / "f.png"),
                "--paper",
                "a4",
                "--dpi",
                "40",
            ]
        )
        == 0
    )
    from PIL import Image

    assert Image.open(tmp_path / "f.png").size == (467, 330)  # A4 landscape at 40 dpi
    assert (
        main(["-q", "figure", "--inventory", str(tmp_path / "none"), "--out", str(tmp_path / "g.pdf")]) == 2
    )
    assert "No inventory" in capsys.readouterr().err


def test_cli_export_format_overrides_the_suffix(inventory_dir, tmp_path, capsys):
    out = tmp_path / "assets.txt"
    assert main(["-q", "export", "--inventory", str(inventory_dir), "--format", "csv", "--out", str(out)]) == 0
    assert f"{DEMO_ASSETS} assets exported as csv" in capsys.readouterr().out
    assert out.read_text(encoding="utf-8-sig").startswith("seq,label,category")
