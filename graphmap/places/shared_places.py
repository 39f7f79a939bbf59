"""Places that matter because of who uses them, not only how many incidents they have.

* **shared places**: used by young people of two or more peer groups (a possible ground for
  conflict or recruitment);
* **places linked to adults of concern**: an adult of concern named on an incident there in
  the window, or recorded as present there;
* **places where children were found when missing**.

Each row lists the numbers and the record ids behind them (people as pseudonymous ids, never
names).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .activity import CURRENT
from .analysis import PlaceAnalysis


def _place_person_pairs(a: PlaceAnalysis) -> pd.DataFrame:
    act = a.activity
    lu = np.concatenate([act.named_location, act.present_location])
    pp = np.concatenate([act.named_person, act.present_person])
    ok = (lu >= 0) & (pp >= 0)
    return pd.DataFrame({"loc": lu[ok], "person": pp[ok]}).drop_duplicates()


def _place_info(a: PlaceAnalysis, loc_codes: np.ndarray) -> pd.DataFrame:
    p = a.places.iloc[loc_codes]
    cur = a.counts("place").set_index("unit")
    return pd.DataFrame({
        "location_id": p["location_id"].to_numpy(), "name": p["name"].to_numpy(),
        "type": p["type"].to_numpy(), "ward": p["ward"].to_numpy(), "mapped": p["mapped"].to_numpy(),
        "incidents": cur["incidents"].reindex(p["location_id"]).fillna(0).astype(int).to_numpy(),
    })


def shared_places(a: PlaceAnalysis, *, min_groups: int = 2) -> list[dict]:
    """Places used by young people of at least ``min_groups`` peer groups in the window."""
    act = a.activity
    pairs = _place_person_pairs(a)
    pairs = pairs[act.is_young[pairs["person"].to_numpy()]]
    ug = act.unit_groups(pairs["loc"].to_numpy(), pairs["person"].to_numpy())
    if not len(ug):
        return []
    g = pd.DataFrame(ug, columns=["loc", "group", "young_people"])
    n = g.groupby("loc")["group"].nunique()
    locs = n[n >= min_groups].index.to_numpy()
    if not len(locs):
        return []
    info = _place_info(a, locs).set_index("location_id")
    out = []
    for loc in locs:
        lid = a.places["location_id"].iat[loc]
        rows = g[g["loc"] == loc].sort_values(["young_people", "group"], ascending=[False, True])
        out.append({**{"location_id": lid}, **info.loc[lid].to_dict(),
                    "groups": [{"group_id": str(act.group_ids[r.group]), "young_people": int(r.young_people)}
                               for r in rows.itertuples()],
                    "young_people": int(pairs[pairs["loc"] == loc]["person"].nunique()),
                    "incident_ids": act.incidents_at([loc], CURRENT)})
    out.sort(key=lambda d: (-len(d["groups"]), -d["young_people"], d["location_id"]))
    for d in out:
        d["incidents"] = int(d["incidents"])
        d["mapped"] = bool(d["mapped"])
    return out


def adult_places(a: PlaceAnalysis) -> list[dict]:
    """Places linked to adults of concern in the window, with the young people linked there."""
    act = a.activity
    pairs = _place_person_pairs(a)
    persons = pairs["person"].to_numpy()
    adults = pairs[act.is_adult[persons]]
    young = pairs[act.is_young[persons]]
    if adults.empty:
        return []
    locs = np.unique(adults["loc"].to_numpy())
    info = _place_info(a, locs).set_index("location_id")
    out = []
    for loc in locs:
        lid = a.places["location_id"].iat[loc]
        ad = adults[adults["loc"] == loc]["person"].to_numpy()
        out.append({"location_id": lid, **info.loc[lid].to_dict(),
                    "adults_of_concern": int(len(ad)),
                    "adult_ids": sorted(a.activity.person_ids[ad]),
                    "young_people": int((young["loc"] == loc).sum()),
                    "incident_ids": act.incidents_at([loc], CURRENT)})
    for d in out:
        d["incidents"] = int(d["incidents"])
        d["mapped"] = bool(d["mapped"])
    out.sort(key=lambda d: (-d["adults_of_concern"], -d["young_people"], d["location_id"]))
    return out


def found_missing_places(a: PlaceAnalysis) -> list[dict]:
    """Places where young people were found when missing in the window (episodes and presence)."""
    act = a.activity
    loc_unit = np.arange(len(act.location_ids))
    pairs = act._found_pairs(loc_unit)
    if not len(pairs):
        return []
    df = pd.DataFrame(pairs, columns=["loc", "person"])
    locs = np.unique(df["loc"].to_numpy())
    info = _place_info(a, locs).set_index("location_id")
    inc_type = np.asarray(act.types)[np.maximum(act.inc_type, 0)]
    out = []
    for loc in locs:
        lid = a.places["location_id"].iat[loc]
        mask = (act.inc_location == loc) & (act.period == CURRENT) & (inc_type == "missing")
        out.append({"location_id": lid, **info.loc[lid].to_dict(),
                    "children_found": int((df["loc"] == loc).sum()),
                    "missing_episode_ids": sorted(act.incident_ids[mask])})
    for d in out:
        d["incidents"] = int(d["incidents"])
        d["mapped"] = bool(d["mapped"])
    out.sort(key=lambda d: (-d["children_found"], d["location_id"]))
    return out
