"""The ``number`` command: any assets file numbered clockwise from a gate, its other columns kept."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from pipeline.cli.main import main


def test_number_command_keeps_columns_and_agrees_across_crs(tmp_path, demo_inventory):
    inv = demo_inventory
    assets = inv.assets[["source_id", "name", "category", "kind", "geometry"]].assign(note="x")
    shuffled = assets.sample(frac=1, random_state=3)
    gate = inv.gates[inv.gates["is_main"]][["source_id", "geometry"]]
    for crs, suffix in ((inv.crs, "gpkg"), ("EPSG:4326", "geojson")):
        paths = {}
        for name, frame in (("assets", shuffled), ("boundary", inv.boundary), ("gate", gate)):
            paths[name] = tmp_path / f"{name}-{suffix}.{suffix}"
            frame.to_crs(crs).to_file(paths[name])
        out = tmp_path / f"out-{suffix}.gpkg"
        assert main(["number", "--assets", str(paths["assets"]), "--boundary", str(paths["boundary"]),
                     "--gate", str(paths["gate"]), "--out", str(out)]) == 0
        numbered = gpd.read_file(out)
        assert list(numbered["source_id"]) == list(inv.assets["source_id"])
        assert (numbered["note"] == "x").all()
        assert numbered.crs == gpd.GeoSeries(crs=crs).crs
    csv_out = tmp_path / "out.csv"
    assert main(["number", "--assets", str(paths["assets"]), "--boundary", str(paths["boundary"]),
                 "--gate", str(paths["gate"]), "--scheme", "category", "--out", str(csv_out)]) == 0
    table = pd.read_csv(csv_out, encoding="utf-8-sig")
    assert table["label"].iloc[0][0] in "ABC" and {"lon", "lat", "note"} <= set(table.columns)
    assert table["lon"].between(116.34, 116.36).all() and table["lat"].between(39.99, 40.01).all()  # WGS-84


def test_number_command_numbers_a_file_of_names_and_points(tmp_path):
    """No source_id, no category: the README's promise, `number` any assets file."""
    import shapely

    utm = "EPSG:32650"
    points = {"南": (444050, 4427010), "西": (444010, 4427050), "北": (444050, 4427090), "东": (444090, 4427050)}
    assets = gpd.GeoDataFrame({"name": list(points)}, geometry=[shapely.Point(p) for p in points.values()], crs=utm)
    boundary = gpd.GeoDataFrame(geometry=[shapely.box(444000, 4427000, 444100, 4427100)], crs=utm)
    gate = gpd.GeoDataFrame(geometry=[shapely.Point(444050, 4427000)], crs=utm)
    paths = {}
    for name, frame in (("assets", assets), ("boundary", boundary), ("gate", gate)):
        paths[name] = tmp_path / f"{name}.geojson"
        frame.to_crs("EPSG:4326").to_file(paths[name])
    out = tmp_path / "numbered.csv"
    assert main(["number", "--assets", str(paths["assets"]), "--boundary", str(paths["boundary"]),
                 "--gate", str(paths["gate"]), "--out", str(out)]) == 0
    table = pd.read_csv(out, encoding="utf-8-sig")
    assert list(table["name"]) == ["南", "西", "北", "东"]
    assert list(table["label"]) == [1, 2, 3, 4]
