"""A survey result: its report, and writing it to a GeoPackage."""

from __future__ import annotations

import numpy as np
import pyogrio
import pytest
import shapely

from pipeline.core import schema as S
from pipeline.core.errors import InputFileError
from pipeline.survey.read import read_survey
from pipeline.survey.result import write_survey
from tests.helpers.survey_files import write_dxf, write_geojson


def test_write_survey_gpkg_with_report(tmp_path):
    result = read_survey(write_dxf(tmp_path / "a.dxf"), crs="EPSG:4548")
    out = write_survey(result, tmp_path / "out" / "survey.gpkg")
    layers = dict(pyogrio.list_layers(out))
    assert set(layers) == {"survey", "survey_report"}
    back = pyogrio.read_dataframe(out, layer="survey")
    assert sorted(back[S.NAME].fillna("")) == sorted(result.features[S.NAME])
    report = pyogrio.read_dataframe(out, layer="survey_report")
    assert set(report["section"]) == {"read", "not_read", "crs"}
    assert sorted(p.name for p in out.parent.iterdir()) == ["survey.gpkg"]
    with pytest.raises(InputFileError, match="GeoPackage"):
        write_survey(result, tmp_path / "x.shp")


def test_report_frame_and_text_are_consistent(tmp_path):
    result = read_survey(write_geojson(tmp_path / "pts.geojson"))
    frame = result.report_frame()
    assert list(frame.columns) == ["section", "what", "count", "note"]
    text = result.report()
    for what in frame.loc[frame["section"] != "crs", "what"]:
        assert what in text
    assert result.counts() == {"asset": 4}
    assert np.all(shapely.is_valid(result.features.geometry.to_numpy()))
