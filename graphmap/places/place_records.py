"""The records the place analyses read, and where each place is on the map.

Place analyses need only a few columns of six record types. :class:`PlaceRecords` holds them
as plain DataFrames of strings, read once from a store (or given directly, e.g. by a benchmark
or by the network package that already has them). People are reduced to ``person_id`` and
``role`` at read time: names and dates of birth never enter the place analyses, so they cannot
leak into a Locations Board view.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

import numpy as np
import pandas as pd

from .. import schema
from .crs import to_bng

_COLUMNS = {
    "locations": ["location_id", "name", "type", "latitude", "longitude", "postcode", "ward"],
    "incidents": ["incident_id", "type", "start", "location_id"],
    "involvements": ["incident_id", "person_id", "role"],
    "people": ["person_id", "role"],
    "presence": ["person_id", "location_id", "kind", "first_seen", "last_seen"],
    "memberships": ["person_id", "group_id", "first_seen", "last_seen"],
}


def _frame(df: pd.DataFrame | None, cols: list[str]) -> pd.DataFrame:
    if df is None or len(df) == 0:
        return pd.DataFrame({c: pd.Series([], dtype=object) for c in cols})
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise ValueError(f"missing column(s) {', '.join(missing)}")
    return df[cols].fillna("").reset_index(drop=True)


@dataclass
class PlaceRecords:
    """The columns place analyses use, one DataFrame per record type (all values strings)."""

    locations: pd.DataFrame
    incidents: pd.DataFrame
    involvements: pd.DataFrame
    people: pd.DataFrame
    presence: pd.DataFrame
    memberships: pd.DataFrame
    _cache: dict = field(default_factory=dict, repr=False, compare=False)

    def located(self) -> pd.DataFrame:
        """:func:`located_places` of these records, worked out once (a place's coordinates do
        not depend on the window: the app keeps one PlaceRecords per store version and asks
        it for every window). A copy each time, so callers may add columns."""
        if "located" not in self._cache:
            self._cache["located"] = located_places(self.locations)
        return self._cache["located"].copy()

    @classmethod
    def from_frames(cls, frames: Mapping[str, pd.DataFrame]) -> "PlaceRecords":
        """From a mapping of record type to DataFrame (missing types are empty)."""
        return cls(**{name: _frame(frames.get(name), cols) for name, cols in _COLUMNS.items()})

    @classmethod
    def from_store(cls, store, window=None, *, records=None) -> "PlaceRecords":
        """Read the needed columns of every record type from a store.

        With ``window`` only the incidents (and their involvements) that one window's place
        analysis reads are taken: those starting in it or in the window before it (the trend),
        cut by the store's engine (:meth:`Store.window_records`), not five years of a region.
        ``records``: that read already made (the first two items are used).
        """
        frames = {name: store.table(name) for name in _COLUMNS if window is None or name not in
                  ("incidents", "involvements")}
        if window is not None:
            if records is None:
                records = store.window_records(window.previous().start_iso, window.end_iso, first=False)
            frames["incidents"], frames["involvements"] = records[0], records[1]
        return cls.from_frames(frames)


def place_records(source: Any) -> PlaceRecords:
    """A :class:`PlaceRecords` from a store, a mapping of frames, or one already built."""
    if isinstance(source, PlaceRecords):
        return source
    if isinstance(source, Mapping):
        return PlaceRecords.from_frames(source)
    if hasattr(source, "table"):
        return PlaceRecords.from_store(source)
    raise TypeError(f"expected a store, a PlaceRecords or a mapping of frames, not {type(source).__name__}")


def located_places(locations: pd.DataFrame) -> pd.DataFrame:
    """Every place with its coordinates in WGS84 and BNG, and whether it is on the map.

    Returns one row per location: ``location_id, name, type, postcode, recorded_ward, lon,
    lat, x, y, mapped`` and ``unmapped_reason`` ("postcode only", "online space", "free text
    only" or ""). A place without a coordinate pair keeps all its records: it still counts in
    place hotspots, it just cannot be put in a grid cell or a ward.
    """
    locs = _frame(locations, _COLUMNS["locations"])
    lat = pd.to_numeric(locs["latitude"], errors="coerce").to_numpy(float)
    lon = pd.to_numeric(locs["longitude"], errors="coerce").to_numpy(float)
    mapped = np.isfinite(lat) & np.isfinite(lon)
    x = np.full(len(locs), np.nan)
    y = np.full(len(locs), np.nan)
    if mapped.any():
        x[mapped], y[mapped] = to_bng(lon[mapped], lat[mapped])
    reason = np.where(mapped, "",
                      np.where(locs["type"].to_numpy(object) == "online_space", "online space",
                               np.where(locs["postcode"].astype(str).str.strip().to_numpy(object) != "",
                                        "postcode only", "free text only")))
    return pd.DataFrame({
        "location_id": locs["location_id"].to_numpy(object),
        "name": locs["name"].to_numpy(object),
        "type": locs["type"].to_numpy(object),
        "postcode": locs["postcode"].to_numpy(object),
        "recorded_ward": locs["ward"].to_numpy(object),
        "lon": lon, "lat": lat, "x": x, "y": y,
        "mapped": mapped,
        "unmapped_reason": reason,
    })


def unmapped_report(places: pd.DataFrame) -> dict:
    """How many places are not on the map, and why (their records are kept and still count)."""
    off = places[~places["mapped"]]
    by_reason = off["unmapped_reason"].value_counts().to_dict()
    return {
        "count": int(len(off)),
        "by_reason": {str(k): int(v) for k, v in sorted(by_reason.items())},
        "location_ids": sorted(off["location_id"].astype(str)),
    }


def setting(name: str) -> Any:
    """One ``places.*`` setting from schema/settings.yaml."""
    return schema.setting(f"places.{name}")
