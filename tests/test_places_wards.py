"""Ward polygons (fictional sample wards, reading a partnership's own) and the places CLI."""

from __future__ import annotations

import json

import numpy as np
import pytest
import shapely
import yaml
from click.testing import CliRunner

from graphmap.cli import cli
from graphmap.places import PlaceAnalysis, fictional_wards, read_wards, ward_of_places
from graphmap.places.wards import wards_geojson
from graphmap.store import open_store
from graphmap.window import Window
from tests.conftest import ROOT
from tests.places_fixture import AS_AT, DAYS, write_borough

BOROUGH = yaml.safe_load((ROOT / "sample_data" / "borough.yaml").read_text())
WARDS = ROOT / "sample_data" / "wards.geojson"


def test_sample_wards_tile_the_box_exactly():
    w = read_wards(WARDS)
    b = BOROUGH["box"]
    box = shapely.box(b["min_lon"], b["min_lat"], b["max_lon"], b["max_lat"])
    assert list(w["ward"]) == BOROUGH["wards"] and len(w) == 12
    assert w.geometry.is_valid.all()
    union = shapely.union_all(w.geometry.to_numpy())
    assert union.equals(box)  # no gaps, nothing outside the box
    assert abs(sum(g.area for g in w.geometry) - box.area) < 1e-12  # no overlaps
    for i in range(len(w)):
        for j in range(i + 1, len(w)):
            assert w.geometry.iat[i].intersection(w.geometry.iat[j]).area < 1e-15
    # not a plain chessboard: some wards have more than 4 corners off the straight grid
    assert any(len(g.exterior.coords) > 5 for g in w.geometry)
    # listed row by row from the north-west corner
    assert w.geometry.iat[0].contains(shapely.Point(b["min_lon"] + 1e-4, b["max_lat"] - 1e-4))
    assert w.geometry.iat[11].contains(shapely.Point(b["max_lon"] - 1e-4, b["min_lat"] + 1e-4))


def test_committed_wards_file_is_what_the_generator_makes():
    assert json.loads(WARDS.read_text()) == json.loads(json.dumps(wards_geojson(fictional_wards(BOROUGH))))


def test_places_are_put_in_the_ward_that_contains_them(tmp_path):
    w = read_wards(WARDS)
    with open_store(tmp_path / "g.db") as s:
        s.load([write_borough(tmp_path / "csv")])
        a = PlaceAnalysis(s, Window.ending(AS_AT, DAYS), wards=w)
    for p in a.places.itertuples():
        if not p.mapped:
            assert p.ward is None or (isinstance(p.ward, float) and np.isnan(p.ward))
            continue
        holders = [r.ward for r in w.itertuples() if r.geometry.covers(shapely.Point(p.lon, p.lat))]
        assert p.ward == holders[0]
    wards = a.hotspots("ward").set_index("unit")
    assert wards["incidents"].sum() == 10  # every mapped incident is in one ward; L4 is unmapped
    table, note = a.statistics("ward")
    assert len(table) == 12 and "queen contiguity of the ward polygons" in note["weights"]


def test_read_ons_style_wards_in_bng(tmp_path):
    """A GeoPackage with ONS column names in British National Grid is read and reprojected."""
    w = read_wards(WARDS).to_crs("EPSG:27700")
    w = w.rename(columns={"ward": "WD24NM", "ward_id": "WD24CD"})
    path = tmp_path / "wards.gpkg"
    w.to_file(path, driver="GPKG")
    back = read_wards(path)
    assert back.crs.to_epsg() == 4326 and list(back["ward"]) == BOROUGH["wards"]
    assert list(back["ward_id"]) == [f"W{i:02d}" for i in range(1, 13)]
    places = __import__("pandas").DataFrame({"location_id": ["X"], "mapped": [True], "lon": [-0.2], "lat": [51.41]})
    assert ward_of_places(places, back).iloc[0] == ward_of_places(places, read_wards(WARDS)).iloc[0]


def test_bad_wards_file(tmp_path):
    bad = tmp_path / "bad.geojson"
    bad.write_text('{"type": "FeatureCollection", "features": []}')
    with pytest.raises(ValueError, match="no ward polygons"):
        read_wards(bad)


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def test_cli_places_writes_geojson_a_gis_opens(tmp_path):
    import geopandas as gpd

    db = tmp_path / "g.db"
    assert run("load", write_borough(tmp_path / "csv"), "--db", db).exit_code == 0
    out = tmp_path / "places.geojson"
    r = run("places", "--db", db, "--as-at", AS_AT, "--window-days", DAYS, "--geojson", out, "--wards", WARDS)
    assert r.exit_code == 0, r.output
    assert "unmapped: 2 place(s)" in r.output and "4 place hotspot(s)" in r.output
    fc = json.loads(out.read_text())
    assert fc["type"] == "FeatureCollection" and fc["graphmap"]["unmapped"]["count"] == 2
    keys = {tuple(f["properties"]) for f in fc["features"]}
    assert len(keys) == 1  # the same flat keys on every feature
    for f in fc["features"]:
        assert all(not isinstance(v, (dict, list)) for v in f["properties"].values())
    layers = {f["properties"]["layer"] for f in fc["features"]}
    assert layers == {"place", "cell", "ward"}
    gdf = gpd.read_file(out)
    assert gdf.crs.to_epsg() == 4326
    b = BOROUGH["box"]
    pts = gdf[gdf["layer"] == "place"]
    assert pts.geometry.x.between(b["min_lon"], b["max_lon"]).all() and pts.geometry.y.between(b["min_lat"], b["max_lat"]).all()
    l1 = pts.set_index("id").loc["L1"]
    assert l1["rank"] == 1 and l1["score"] == 23 and l1["trend"] == "rising"
    assert "L2" in set(pts["id"]) and np.isnan(pts.set_index("id").loc["L2", "rank"])  # old hotspot: shown, not ranked
    cells = gdf[gdf["layer"] == "cell"]
    assert cells["incidents"].sum() == 10 and cells.geometry.geom_type.eq("Polygon").all()
    # 250 m x 250 m in BNG (coordinates are written to 6 decimals, about 0.1 m)
    assert ((cells.to_crs("EPSG:27700").area - 62500).abs() < 100).all()


def test_cli_places_empty_window_and_bad_input(tmp_path):
    db = tmp_path / "g.db"
    out = tmp_path / "p.geojson"
    r = run("places", "--db", db, "--as-at", "2026-01-01", "--geojson", out)
    assert r.exit_code == 0 and json.loads(out.read_text())["features"] == []
    r = CliRunner().invoke(cli, ["places", "--db", str(db), "--as-at", "2026-13-01", "--geojson", str(out)])
    assert r.exit_code == 1 and "--as-at" in r.output
    r = CliRunner().invoke(cli, ["places", "--db", str(db), "--geojson", str(out), "--wards", str(tmp_path / "none.geojson")])
    assert r.exit_code == 1 and "cannot read wards" in r.output
