"""The ``survey`` command: what it prints, what it writes, and that a failure writes nothing."""

from __future__ import annotations

import argparse

import pyogrio
import pytest

from pipeline.cli.survey import add_parser, parse_layers
from pipeline.core.errors import CRSError, InputFileError
from tests.helpers.survey_files import control_points_for, write_csv, write_dxf


def _cli(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    add_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(argv)
    return args.run(args)


def test_cli_prints_what_it_read_and_writes(tmp_path, capsys):
    path = write_dxf(tmp_path / "a.dxf", epsg=None, angle_deg=5, scale=1)
    cp = tmp_path / "cp.csv"
    control_points_for(angle_deg=5, scale=1).to_csv(cp, index=False)
    out = tmp_path / "a.gpkg"
    assert (
        _cli(
            [
                "survey",
                str(path),
                "--control-points",
                str(cp),
                "--layers",
                "^配电$=substation",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    text = capsys.readouterr().out
    assert "已读取：" in text and "未读取：" in text and "Read:" in text and "Not read:" in text
    assert "layer TK: 1 (ignored by the layer mapping)" in text
    assert "RMS" in text and "东南角" in text
    assert f"写入 Wrote 9 features to {out}" in text
    assert len(pyogrio.read_dataframe(out, layer="survey")) == 9


def test_cli_failure_writes_nothing(tmp_path):
    path = write_csv(tmp_path / "a.csv", system="gcj02", encoding="utf-8")
    out = tmp_path / "a.gpkg"
    with pytest.raises(CRSError):
        _cli(["survey", str(path), "--out", str(out)])
    with pytest.raises(InputFileError, match="must be a GeoPackage"):
        _cli(["survey", str(path), "--crs", "gcj02", "--out", str(tmp_path / "a.shp")])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.csv"]


def test_cli_layers_option():
    assert parse_layers("YEY=kindergarten，WQ=boundary") == {"YEY": "kindergarten", "WQ": "boundary"}
    assert parse_layers(None) is None
    with pytest.raises(InputFileError, match="neither a TOML file nor"):
        parse_layers("kindergarten")
    with pytest.raises(InputFileError, match="does not exist"):
        parse_layers("missing.toml")


def test_main_cli_runs_the_survey_command(tmp_path, capsys):
    from pipeline.cli.main import main

    path = write_csv(tmp_path / "a.csv", system="bd09", encoding="gbk")
    assert main(["survey", str(path), "--crs", "bd09", "--out", str(tmp_path / "a.gpkg")]) == 0
    assert main(["survey", str(path), "--out", str(tmp_path / "b.gpkg")]) == 2
    err = capsys.readouterr().err
    assert "does not say which coordinate system" in err
    assert not (tmp_path / "b.gpkg").exists()
