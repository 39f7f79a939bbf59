"""What each app page and meeting pack shows, as plain data: one function per view.

The app (``graphmap/app/``) and the packs (``graphmap/packs/``, ``graphmap pack``) both call
these, so a page and its pack carry the same content. This is the one place where the
analyses (network, places, risk) are wired in: until one lands, its view says so in
``awaiting`` rather than showing a number nobody computed. Every number here is a count of
stored records, with the record ids behind it.

No Streamlit here: caching lives in ``graphmap/app/state.py``.
"""

from __future__ import annotations

import functools
import json
import math
import os
from collections import defaultdict
from datetime import date
from itertools import combinations

import networkx as nx
import pandas as pd

from . import schema
from .store import Store
from .window import Window

#: What a view waits for, by analysis. Views name the parts still missing as
#: ``awaiting = {what: analysis key}``; pages and packs say so instead of showing numbers.
AWAITING = {
    "network": "the network analyses (issue 4: peer groups, bridges, recruiters, co-missing)",
    "places": "the places analyses (issue 5: hotspot scores, trend, time profile, Gi*)",
    "risk": "the risk matrix and person profiles (issue 6)",
    "ingest": "source mappings and identity resolution (issue 3)",
    "governance": "roles, redaction rules and the audit log (issue 8)",
    "app": "the app's next step (issue 7)",
}

ROLE_COLOURS = {"young_person": "#1f77b4", "associate": "#7f7f7f", "adult_of_concern": "#d62728"}


def redaction_levels() -> list[str]:
    return list(schema.setting("app.redaction_levels"))


def row_dicts(df: pd.DataFrame) -> list[dict]:
    """``df.to_dict("records")``, column by column: to_dict walks Arrow-backed string columns
    value by value (a borough's people and places: 1.5 s CPU; this: 0.2 s).

    >>> row_dicts(pd.DataFrame({"a": ["x", "y"], "b": ["1", ""]}))
    [{'a': 'x', 'b': '1'}, {'a': 'y', 'b': ''}]
    """
    cols = list(df.columns)
    return [dict(zip(cols, row)) for row in zip(*(df[c].tolist() for c in cols))]


def isin(series: pd.Series, values) -> pd.Series:
    """``series.isin(values)``, with Arrow's own ``is_in`` for Arrow-backed strings: pandas 3.1
    turns each value into an Arrow scalar first (60,000 incident ids: 0.8 s CPU; this: 0.02 s).
    ``values``: a set, list, Series or Index; anything else than strings goes to pandas.

    >>> isin(pd.Series(["a", "b", "c"], dtype="str"), {"a", "c"}).tolist()
    [True, False, True]
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    arr = getattr(series.array, "_pa_array", None)
    if arr is None or not pa.types.is_string(arr.type) and not pa.types.is_large_string(arr.type):
        return series.isin(values)
    held = getattr(getattr(values, "array", None), "_pa_array", None)
    try:
        value_set = held if held is not None else pa.array(list(values), type=arr.type)
        value_set = value_set.cast(arr.type) if value_set.type != arr.type else value_set
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # values that are not all strings
        return series.isin(values)
    if isinstance(value_set, pa.ChunkedArray):
        value_set = value_set.combine_chunks()
    found = pc.is_in(arr, value_set=value_set).to_numpy(zero_copy_only=False)
    return pd.Series(found, index=series.index, name=series.name, dtype=bool)


def person_label(row: dict | pd.Series, redaction: str, *, centre: str | None = None) -> str:
    """How a person is named at a redaction level.

    Until the governance rules land: ``family-present`` shows only the pseudonym (the id) of
    everyone but the child the meeting is about; other levels show the recorded name.
    """
    pid = str(row["person_id"])
    if redaction == "family-present" and pid != centre:
        return pid
    name = f"{row.get('forename', '') or ''} {row.get('surname', '') or ''}".strip()
    return name or pid


def identity_pairs(links: pd.DataFrame, store: Store, role: str, redaction: str) -> pd.DataFrame:
    """Identity-resolution pairs (:func:`graphmap.identity.candidates`, ``merges_in_force``) with
    both people shown as every other page shows people: as role ``role`` may see them
    (:func:`graphmap.access.reader_store`: a role without names or dates of birth gets neither,
    and pseudonyms for ids) and at the redaction level (:func:`person_label`: at family-present
    only ids, no names or dates of birth). ``store`` is the store itself (the pseudonyms' key).
    The ``person`` / ``same_as_person`` columns hold the labels; ``link_id`` is kept as is."""
    from . import access

    r = access.role(role)
    names = r.identity == "names" and redaction != "family-present"
    dobs = names and r.dates_of_birth
    out = links.copy()
    if len(out) and not (names and dobs):
        people = store.get("people", set(out["person_id"]) | set(out["same_as"])).set_index("person_id")

        def label(pid: str) -> str:
            if not names or pid not in people.index:
                return pid
            row = people.loc[pid]
            return f"{row['forename']} {row['surname']} ({row['source']})".strip()

        out["person"] = out["person_id"].map(label)
        out["same_as_person"] = out["same_as"].map(label)
    if len(out) and not access.sees_everything(r):
        secret = access.store_secret(store) if r.identity == "pseudonyms" else None
        ids = set(out["person_id"]) | set(out["same_as"])
        # ``same_as`` under a name the redaction knows as a person id (roles.yaml fields).
        out = access.redact(out.rename(columns={"same_as": "person_id_b"}), r, secret=secret, person_ids=ids)
        out = out.rename(columns={"person_id_b": "same_as"})
        if r.identity != "names":
            out["person"], out["same_as_person"] = out["person_id"], out["same_as"]
    return out


def age_on(dob: str, when: date) -> int | None:
    """Whole years from an ISO date of birth to ``when`` (None when unknown)."""
    if not dob:
        return None
    b = date.fromisoformat(dob[:10])
    return when.year - b.year - ((when.month, when.day) < (b.month, b.day))


# --- Overview ----------------------------------------------------------------------------------
def overview(store: Store) -> dict:
    """What is loaded: counts, incidents by type, sources, date range, load history."""
    data = store.info()
    loads = store.loads()
    if len(loads):
        loads = loads.tail(20).iloc[::-1].reset_index(drop=True)
        # File names only: where a file sat on someone's machine is not the meeting's business.
        loads["files"] = loads["files"].map(lambda f: ", ".join(os.path.basename(x) for x in json.loads(f)))
    data["loads"] = loads
    data["awaiting"] = {}  # new links to adults of concern and rising places: see the functions below
    return data


def meeting_period(as_at: date | str) -> Window:
    """"Since the last meeting": the ``app.meeting_interval_days`` days up to and including
    the as-at date (a monthly panel: 28), as a window."""
    return Window.ending(as_at, int(schema.setting("app.meeting_interval_days", 28)))


def new_adult_links(store: Store, window: Window, *, redaction: str = "professionals-only",
                    frames=None, graph=None) -> dict:
    """Ties between a young person and an adult of concern that are new since the last meeting.

    A tie (asserted or derived, as the network analyses build them: named together, found
    together, missing together, at the same place, recorded association) is *new* when its
    earliest evidence in ``window`` falls within :func:`meeting_period` (an association counts
    from its first-seen date). Evidence from before the window is not looked at: widen the
    window to look further back.

    Returns
    -------
    dict
        ``since`` (first day of the meeting period), ``definition`` (in words) and ``links``:
        one dict per tie, newest first: ``young_person``, ``young_person_name``,
        ``adult``, ``adult_name``, ``first`` (date), ``evidence`` (tie, records, date, source,
        grading), ``records`` (the record ids behind it). ``frames`` / ``graph``: the window's
        frames and person graph when the caller already has them (the app shares them).
    """
    from .network.graphs import edge_evidence, edge_records, load_frames, person_graph

    period = meeting_period(window.as_at)
    since = max(period.start_iso, window.start_iso)
    frames = frames if frames is not None else load_frames(store, window)
    G = graph if graph is not None else person_graph(frames)
    names = {r["person_id"]: person_label(r, redaction) for r in row_dicts(frames.people)}
    links = []
    for u, v, d in G.edges(data=True):
        roles = {G.nodes[u].get("role"): u, G.nodes[v].get("role"): v}
        if set(roles) != {"young_person", "adult_of_concern"} or not d.get("first") or d["first"] < since:
            continue
        yp, adult = roles["young_person"], roles["adult_of_concern"]
        links.append({"young_person": yp, "young_person_name": names.get(yp, yp), "adult": adult,
                      "adult_name": names.get(adult, adult), "first": d["first"],
                      "evidence": edge_evidence(G, u, v), "records": edge_records(G, u, v)})
    links.sort(key=lambda x: (x["first"], x["young_person"], x["adult"]), reverse=True)
    return {"since": since, "period_days": period.days, "links": links,
            "definition": (f"ties between a young person and an adult of concern whose earliest evidence in the "
                           f"window ({window.start_iso} to {window.as_at.isoformat()}) is on or after {since}: "
                           f"the {period.days} days up to the as-at date (app.meeting_interval_days)")}


def rising_places(store: Store, window: Window, *, analysis=None) -> dict:
    """Places whose incidents rose against the window before (:mod:`graphmap.places.trend`).

    ``rising`` as the trend rule says (``places.trend``: at least ``ratio`` times as many and
    at least ``min_change`` more), and ``new`` places (none before) with at least
    ``min_change`` incidents, so one stray incident is not news. Biggest rise first, each with
    the rule in words and the incident ids behind both counts. ``analysis``: the window's
    :class:`graphmap.places.PlaceAnalysis` when the caller already has one.
    """
    from .places import PlaceAnalysis
    from .places.place_records import setting as place_setting
    from .places.trend import trend_reason

    analysis = analysis if analysis is not None else PlaceAnalysis(store, window)
    counts = analysis.counts("place")
    min_change = int(place_setting("trend.min_change"))
    up = counts[(counts["trend"] == "rising") | ((counts["trend"] == "new") & (counts["incidents"] >= min_change))]
    info = {r["location_id"]: r for r in row_dicts(analysis.places)}
    codes = pd.Index(analysis.activity.location_ids)
    # Each place's incident ids in both windows in one pass (what activity.incidents_at gives
    # per place: a scan of every incident for each of a borough's 2,700 rising places, 1.2 s CPU).
    act = analysis.activity
    ids_at: dict[tuple, list] = defaultdict(list)
    for code, period, iid in zip(act.inc_location.tolist(), act.period.tolist(), act.incident_ids.tolist()):
        ids_at[(code, period)].append(iid)
    out = []
    for r in up.to_dict("records"):
        lid = str(r["unit"])
        code = codes.get_loc(lid)
        row = info.get(lid)
        out.append({"location_id": lid, "name": str(row["name"]) if row else "",
                    "type": str(row["type"]) if row else "",
                    "ward": (row["ward"] or "") if row else "",
                    "incidents": int(r["incidents"]), "previous": int(r["previous"]), "trend": r["trend"],
                    "reason": trend_reason(r["trend"], int(r["incidents"]), int(r["previous"])),
                    "incident_ids": sorted(ids_at.get((code, 0), [])),
                    "previous_incident_ids": sorted(ids_at.get((code, 1), []))})
    out.sort(key=lambda x: (-(x["incidents"] - x["previous"]), -x["incidents"], x["location_id"]))
    return {"places": out, "previous_window": {"start": window.previous().start_iso,
                                               "end": window.previous().end_iso[:10]}}


# --- Networks ------------------------------------------------------------------------------------
def _evidence_line(kind: str, ref: str, when: str, source: str, grading: str) -> str:
    parts = [kind, ref, when[:10] if when else "", source, f"grading {grading}" if grading else ""]
    return " · ".join(p for p in parts if p)


def ego_network(store: Store, window: Window, person_id: str, *, hops: int = 1,
                redaction: str = "professionals-only") -> dict:
    """A person's network within ``hops`` links in the window, with the evidence on each tie.

    Ties are asserted associations active in the window and being named on the same incident
    in the window (people who only reported an incident are not tied by it).

    Returns
    -------
    dict
        ``nodes`` (id, label, role, colour, title text, hops), ``edges`` (source, target,
        weight = pieces of evidence, evidence lines, title text), ``legend`` and ``awaiting``.
    """
    sub = store.subgraph(person_id, hops, window.start, window.as_at)
    nodes = []
    for row in sub.people.to_dict("records"):
        age = age_on(row["date_of_birth"], window.as_at)
        label = person_label(row, redaction, centre=person_id)
        role = row["role"]
        lines = [label if label == row["person_id"] else f"{label} ({row['person_id']})",
                 role.replace("_", " ") + (f", age {age}" if age is not None else "")]
        if row.get("flags"):
            lines.append("flags: " + row["flags"].replace(";", ", "))
        lines.append(f"{sub.hops[row['person_id']]} hop(s) from {person_id}")
        nodes.append({"id": row["person_id"], "label": label, "role": role,
                      "colour": ROLE_COLOURS.get(role, "#7f7f7f"), "hops": sub.hops[row["person_id"]],
                      "title": "\n".join(lines), "centre": row["person_id"] == person_id})
    evidence: dict[tuple[str, str], list[str]] = defaultdict(list)
    for a in sub.associations.to_dict("records"):
        key = tuple(sorted((a["person_id_a"], a["person_id_b"])))
        period = f"{a['first_seen'] or '?'} to {a['last_seen'] or 'now'}"
        evidence[key].append(_evidence_line(a["kind"].replace("_", " "), "", period, a["source"], a["grading"]))
    inc = sub.incidents.set_index("incident_id") if len(sub.incidents) else None
    linking = sub.involvements[sub.involvements["role"] != "reporting"]
    for incident_id, grp in linking.groupby("incident_id"):
        people = sorted(set(grp["person_id"]))
        info = inc.loc[incident_id] if inc is not None and incident_id in inc.index else None
        for a, b in combinations(people, 2):
            evidence[(a, b)].append(_evidence_line(
                "named together on " + (str(info["type"]) if info is not None else "incident"), incident_id,
                str(info["start"]) if info is not None else "", str(info["source"]) if info is not None else "",
                str(info["grading"]) if info is not None else ""))
    edges = [{"source": a, "target": b, "weight": len(ev), "evidence": ev,
              "title": f"{len(ev)} piece(s) of evidence\n" + "\n".join(ev[:12])
                       + (f"\n... and {len(ev) - 12} more" if len(ev) > 12 else "")}
             for (a, b), ev in sorted(evidence.items())]
    legend = [(r.replace("_", " "), c) for r, c in ROLE_COLOURS.items()]
    return {"nodes": nodes, "edges": edges, "legend": legend, "centre": person_id, "awaiting": {}}


#: NetworkX's ``spring_layout`` uses its dense solver below this many nodes ("auto" method).
_SPRING_DENSE_BELOW = 500


def layout(nodes: list[dict], edges: list[dict], *, seed: int) -> dict[str, tuple[float, float]]:
    """Seeded spring layout in screen units: the same picture for the same data, every time.

    NetworkX's ``spring_layout(G, seed=seed, weight="weight")``, with its dense solver
    (below 500 people) computed by :func:`_spring_positions`: the same positions to the last
    bit (tested against NetworkX), in a fifth of the time.

    References
    ----------
    Fruchterman, T. M. J. and Reingold, E. M. (1991), "Graph drawing by force-directed
    placement", Software: Practice and Experience 21(11), 1129-1164 (``nx.spring_layout``).
    """
    G = nx.Graph()
    G.add_nodes_from(sorted(n["id"] for n in nodes))
    G.add_weighted_edges_from(sorted((e["source"], e["target"], e.get("weight", 1)) for e in edges))
    if len(G) == 0:
        return {}
    if len(G) < 2 or len(G) >= _SPRING_DENSE_BELOW:
        pos = nx.spring_layout(G, seed=seed, weight="weight")  # one node; or NetworkX's sparse solver
    else:
        pos = dict(zip(G, nx.rescale_layout(_spring_positions(nx.to_numpy_array(G, weight="weight"), seed))))
    scale = 160 * math.sqrt(len(G))
    return {n: (float(x) * scale, float(y) * scale) for n, (x, y) in pos.items()}


def _spring_positions(A, seed: int, *, iterations: int = 50, threshold: float = 1e-4):
    """NetworkX's dense Fruchterman-Reingold iterations (``_fruchterman_reingold``, as
    ``spring_layout`` runs them: random start from ``RandomState(seed)``, k = sqrt(1/n), linear
    cooling from a tenth of the start's extent), with each coordinate as its own n x n array.

    NetworkX works on an n x n x 2 array and takes norms along its last axis, which is about
    4 ms an iteration for 250 people (0.2 s a picture, the largest part of a whole-window
    picture's window change on the demo, session 10); two contiguous n x n arrays do the same
    arithmetic in under 1 ms. The sums are taken in NetworkX's order (one neighbour after
    another), so the positions are the same to the last bit: ``dx`` is antisymmetric and the
    force symmetric, so a person's sum over the others is minus a column's sum, which NumPy
    adds row after row (a sum along a row would be pairwise, and the picture would drift by up
    to a pixel over the iterations).
    """
    import numpy as np

    n = A.shape[0]
    pos = np.random.RandomState(seed).rand(n, 2)
    k = np.sqrt(1.0 / n)
    x, y = pos[:, 0].copy(), pos[:, 1].copy()
    t = max(x.max() - x.min(), y.max() - y.min()) * 0.1
    dt = t / (iterations + 1)
    for _ in range(iterations):
        dx = x[:, None] - x[None, :]
        dy = y[:, None] - y[None, :]
        distance = np.sqrt(dx * dx + dy * dy)
        np.clip(distance, 0.01, None, out=distance)
        force = k * k / distance**2 - A * distance / k  # repulsion from all, attraction along ties
        move_x, move_y = -np.add.reduce(dx * force, axis=0), -np.add.reduce(dy * force, axis=0)
        step = t / np.clip(np.sqrt(move_x * move_x + move_y * move_y), 0.01, None)  # each moves at most t
        move = np.column_stack([move_x * step, move_y * step])
        x += move[:, 0]
        y += move[:, 1]
        t -= dt
        if np.linalg.norm(move) / n < threshold:
            break
    return np.column_stack([x, y])


# --- Places ------------------------------------------------------------------------------------
def places(store: Store, window: Window, *, incidents: pd.DataFrame | None = None) -> dict:
    """Every stored place with its incidents in the window (ids kept), mapped or not.

    ``incidents``: the window's incidents when the caller holds them (the app's window frames):
    cutting the store's whole history to the window cost a borough's Locations Board 0.2-0.3 s
    a window change (session 10).

    Returns
    -------
    dict
        ``places``: list of dicts (location_id, name, type, ward, latitude, longitude,
        incidents = count in window, incident_ids), best first by count; ``unmapped``: how many
        places have no coordinates; ``awaiting``.
    """
    locs = store.table("locations")
    if incidents is None:
        inc = store.table("incidents")
        inc = inc[window.contains(inc["start"])] if len(inc) else inc
    else:
        inc = incidents
    inc = inc[inc["location_id"] != ""] if len(inc) else inc
    # Lists and dicts built from whole columns (tolist): pandas' groupby-apply and to_dict walk
    # Arrow-backed strings value by value (a borough's 5,000 places: 1.5 s CPU -> 0.1 s).
    ids_by_place: dict[str, list] = defaultdict(list)
    if len(inc):
        for lid, iid in zip(inc["location_id"].tolist(), inc["incident_id"].tolist()):
            ids_by_place[lid].append(iid)
    rows = []
    for r in row_dicts(locs):
        ids = ids_by_place.get(r["location_id"], [])
        rows.append({"location_id": r["location_id"], "name": r["name"], "type": r["type"], "ward": r["ward"],
                     "latitude": float(r["latitude"]) if r["latitude"] else None,
                     "longitude": float(r["longitude"]) if r["longitude"] else None,
                     "incidents": len(ids), "incident_ids": sorted(ids)})
    rows.sort(key=lambda p: (-p["incidents"], p["location_id"]))
    return {"places": rows, "unmapped": sum(1 for p in rows if p["latitude"] is None),
            "awaiting": {"hotspot score, trend, hour x day profile, groups using each place, "
                         "suggested actions": "places"}}


def found_groups(store: Store, window: Window, *, graph=None) -> dict[str, str]:
    """``{person_id: peer group id}``: the peer groups the network analyses find in the window,
    exactly as ``graphmap analyse`` finds them (same graph, same seed), without the analyses that
    only describe them (stability re-runs, bridges, recruiters...). ``graph``: the window's
    person graph when the caller already has it."""
    from .network.graphs import load_frames, person_graph
    from .network.peer_groups import group_of, peer_groups

    G = graph if graph is not None else person_graph(load_frames(store, window))
    return group_of(peer_groups(G, seed=0, stability_runs=0))


def place_analysis(store: Store, window: Window, *, groups: dict[str, str] | None = None, records=None):
    """The window's :class:`graphmap.places.PlaceAnalysis`, with "groups using a place" counted
    over the *found* peer groups (:func:`found_groups`), as ``graphmap analyse``'s hotspots do;
    recorded groups are shown on the Peer group page. ``records``: the store's
    :class:`~graphmap.places.place_records.PlaceRecords` when the caller keeps them."""
    from .places import PlaceAnalysis

    groups = groups if groups is not None else found_groups(store, window)
    return PlaceAnalysis(records if records is not None else store, window, groups=groups)


def locations_board(store: Store, window: Window, location_id: str | None = None, *, analysis=None,
                    incidents: pd.DataFrame | None = None) -> dict:
    """The Locations Board: every place for the map, the ranked hotspots and, when asked, one
    place's profile (:mod:`graphmap.places`). People appear only as counts at this board;
    "groups" counts the peer groups found in the window (:func:`place_analysis`; ``analysis``
    is that object when the caller already has it; ``incidents``, the window's incidents, as in
    :func:`places`).

    Returns
    -------
    dict
        ``places`` and ``unmapped`` as :func:`places`; ``hotspots`` (ranked, with the parts of
        each score, trend and the incident ids behind it); ``profile`` (counts, trend, hour x
        day profile, groups as counts, suggested actions with reasons, nearby places) or None.
    """
    from .places import hotspot_records, location_profile

    data = places(store, window, incidents=incidents)
    analysis = analysis if analysis is not None else place_analysis(store, window)
    data["hotspots"] = hotspot_records(analysis, limit=int(schema.setting("places.hotspots_limit", 25)))
    # Without Gi* permutations: a page must answer in seconds; `graphmap places` has the statistics.
    data["profile"] = location_profile(analysis, location_id, with_statistics=False) if location_id else None
    data["cells"] = hotspot_cells(analysis)
    data["awaiting"] = {}
    return data


def hotspot_cells(analysis) -> list[dict]:
    """The ranked grid cells of a :class:`graphmap.places.PlaceAnalysis` with their outlines
    (WGS84 rings of ``[lat, lon]``) for the board's map; counts only, like the places."""
    from .places import hotspot_records
    from .places.grid import Lattice

    ranked = hotspot_records(analysis, by="cell", limit=int(schema.setting("places.hotspots_limit", 25)))
    size = analysis.cell_size
    out = []
    for h in ranked:
        # A cell is named by its south-west corner in BNG metres (graphmap.places.grid).
        east, north = h["cell_id"][1:].split("N")
        cell = Lattice(size, int(round(float(east) / size)), int(round(float(north) / size)), 1, 1)
        ring = cell.polygons_wgs84([0])[0].exterior.coords
        out.append({**{k: h[k] for k in ("rank", "cell_id", "places", "score", "incidents", "young_people",
                                          "groups", "adults_of_concern", "found_missing", "trend", "evidence")},
                    "outline": [[round(lat, 6), round(lon, 6)] for lon, lat in ring]})
    return out


# --- Peer groups -------------------------------------------------------------------------------
def recorded_groups(store: Store, window: Window) -> list[dict]:
    """Groups recorded in the store (groups.csv) with members whose membership overlaps the window.

    The peer-group page lists these after the groups the network analyses find (:func:`group_choices`).
    """
    groups = store.table("groups")
    mem = store.table("memberships")
    if len(mem):
        mem = mem[window.overlaps(mem["first_seen"], mem["last_seen"])]
    members: dict[str, set] = defaultdict(set)  # one pass, not one scan of the memberships per group
    for gid, pid in zip(mem["group_id"].tolist(), mem["person_id"].tolist()):
        members[gid].add(pid)
    return [{"group_id": g["group_id"], "name": g["name"], "members": sorted(members.get(g["group_id"], ())),
             "source": g["source"]} for g in row_dicts(groups)]


def group_choices(store: Store, window: Window, analysis: dict | None = None) -> list[dict]:
    """The groups a page can open: peer groups found by the network analyses, then recorded ones
    (:func:`graphmap.group_assessment.group_choices`)."""
    from .group_assessment import group_choices as choices

    return choices(store, window, analysis if analysis is not None else _analysis(store, window))


def peer_group(store: Store, window: Window, group_id: str, *, redaction: str = "professionals-only",
               analysis: dict | None = None, source: dict | None = None) -> dict:
    """One group (found or recorded) for the peer-group assessment page and pack: members with
    ages, roles, cohorts and matrix levels, the network, shared places, timeline, adults of
    concern and bridges with reasons, cohort counts and suggested actions
    (:func:`graphmap.group_assessment.group_assessment`)."""
    from .group_assessment import group_assessment

    data = group_assessment(store, window, group_id, redaction=redaction, analysis=analysis, source=source)
    data["awaiting"] = {}
    return data


def network_source(store: Store, window: Window, *, frames=None, evidence=None) -> dict:
    """The window's tie evidence and people, which every network picture is drawn from."""
    from .network_picture import network_source as source_of

    return source_of(store, window, frames=frames, evidence=evidence)


def network_view(store: Store, window: Window, *, mode: str = "window", group_id: str | None = None,
                 analysis: dict | None = None, source: dict | None = None, **options) -> dict:
    """The Network page's picture: a group (found or recorded), a person's ego network or the
    whole window, filtered, coloured by peer group and capped or aggregated with a message
    (:func:`graphmap.network_picture.network_view`; ``options`` are its keywords)."""
    from .group_assessment import find_group
    from .network_picture import network_source as source_of
    from .network_picture import network_view as view_of

    analysis = analysis if analysis is not None else _analysis(store, window)
    source = source if source is not None else source_of(store, window)
    if mode == "group":
        if not group_id:
            raise ValueError("a group picture needs a group id")
        g = find_group(store, window, group_id, analysis, source)
        options = {**options, "members": g["members"], "group_label": g["name"]}
    return view_of(source, analysis, mode=mode, **options)


def _analysis(store: Store, window: Window) -> dict:
    from .network.analyse import analyse

    return analyse(store, window)


# --- Redaction levels (packs and the pages that share their views) -------------------------------
def at_level(view, store: Store, redaction: str, *, subjects: set[str] | frozenset[str] = frozenset(),
             withholding=None) -> dict:
    """Run ``view(store)`` over the store as read at a redaction level, then name people as the
    level allows. Packs and the pages that mirror them call this, so both show the same.

    Intelligence the level withholds is never read (:class:`graphmap.redaction.WithholdingStore`);
    at family-present everyone but ``subjects`` (the family's own child) becomes "Young person
    A", "Adult of concern B", ... wherever their id appears, with no date of birth or flags, and
    the subjects are named. ``redaction_note`` says what the level held back.

    ``withholding``: makes the level's view instead of :func:`graphmap.redaction.withholding`
    (``withholding(store, redaction)``; the app's keeps each window's records in memory).
    """
    from . import redaction as levels

    src = (withholding or levels.withholding)(store, redaction)
    data = view(src)
    if src.level == "family_present":
        people = store.table("people")
        ids = levels.person_ids_in(data, set(people["person_id"]))
        named = {r["person_id"]: person_label(r, "full") for r in people[people["person_id"].isin(set(subjects))]
                 .to_dict("records")}
        data = levels.relabel(data, levels.family_labels(people, ids, subjects), named=named)
    data["redaction_note"] = src.withheld_note()
    return data


def _basis_summary(rows: list[dict]) -> str:
    """e.g. ``Fact 3, Opinion 1, Intelligence (2B P) 1``: the basis of each piece of evidence
    (rows from :func:`_evidence_rows`)."""
    counts: dict[str, int] = {}
    for r in rows:
        counts[r["basis"]] = counts.get(r["basis"], 0) + 1
    return ", ".join(f"{k} {n}" for k, n in sorted(counts.items()))


#: Ties an analysis computes from the records (no one recorded them as fact or opinion).
DERIVED_TIES = frozenset({"co_missing", "same_place"})


def evidence_basis(e: dict) -> str:
    """Fact, Opinion, Intelligence (grading), Derived by analysis or Not stated, for one piece of
    tie evidence (:func:`graphmap.provenance.label`; co-missing and same-place ties are derived)."""
    # Looked up by the only fields the label reads: a borough's complex strategy labels 130,000
    # pieces of evidence with a few dozen distinct labels (1.9 s CPU -> 0.2 s).
    return _basis_label(str(e.get("fact_or_opinion") or ""), str(e.get("grading") or ""),
                        e.get("type") == "intelligence", bool(e.get("tie") in DERIVED_TIES or e.get("evidence")))


@functools.lru_cache(maxsize=4096)
def _basis_label(stated: str, grading: str, intelligence: bool, derived: bool) -> str:
    from .provenance import label

    return label({"fact_or_opinion": stated, "grading": grading, "type": "intelligence" if intelligence else "",
                  "derived": derived})


def _evidence_row(tie, records: str, day, grading, basis: str, source) -> dict:
    """One piece of evidence as the pages and packs list it (an empty value as "")."""
    return {"tie": str(tie).replace("_", " "), "records": records, "date": day or "", "grading": grading or "",
            "basis": basis, "source": source or ""}


def _evidence_rows(evidence: list[dict]) -> list[dict]:
    return [_evidence_row(e["tie"], ", ".join(map(str, e["records"])), e["date"], e["grading"], evidence_basis(e),
                          e["source"]) for e in evidence]


def _place_link_rows(places: pd.DataFrame, keep: set[tuple[str, str]]) -> dict[tuple[str, str], list[dict]]:
    """The evidence rows (as :func:`_evidence_rows`) of each link ``(location_id, person_id)``
    in ``keep``, from the person-place evidence table
    (:func:`graphmap.network.graphs.place_evidence`): the rows ``edge_evidence`` gives for that
    tie of the person-location graph, in its order (by date, a missing date last, then as read).

    A borough's complex strategy has over 100,000 such rows: made in one pass over the table's
    columns (no sorting or filtering of the table, no dict per piece of evidence first).
    """
    links: dict[tuple[str, str], list[tuple]] = defaultdict(list)
    cols = ("l", "p", "date", "tie", "record", "grading", "fact_or_opinion", "source")
    for loc, p, *row in zip(*(places[c].tolist() for c in cols)):
        if (loc, p) in keep:
            links[loc, p].append(row)
    # Each distinct (stated, grading, tie) labelled once (a dict per row for evidence_basis: about
    # 0.1-0.2 s more over a borough's 113,000 rows).
    bases: dict = {}
    out: dict[tuple[str, str], list[dict]] = {}
    for key, rows in links.items():
        if len(rows) > 1:  # by date, a missing one last; stable, so one date's rows stay as read
            rows.sort(key=lambda r: (0, r[0]) if isinstance(r[0], str) else (1, ""))
        out[key] = made = []
        for day, tie, rec, grading, stated, source in rows:
            basis = bases.get((stated, grading, tie))
            if basis is None:
                basis = bases[stated, grading, tie] = evidence_basis({"fact_or_opinion": stated, "grading": grading,
                                                                      "tie": tie})
            made.append(_evidence_row(tie, str(rec), day, grading, basis, source))
    return out


# --- Complex strategy ----------------------------------------------------------------------------
def complex_strategy(store: Store, window: Window, *, redaction: str = "professionals-only",
                     subject_id: str | None = None) -> dict:
    """Adults of concern and places linked to three or more young people in the window
    (:func:`graphmap.network.complex_strategy.complex_strategy`), each child's link with every
    piece of evidence, its grading and whether it was recorded as fact or opinion.

    Returns
    -------
    dict
        ``candidates`` (most young people first): ``subject_id, subject_type, label, count,
        since, links`` (per young person: ``person_id, name, age, how, since, last, records,
        gradings, basis, evidence``); ``network`` (adults of concern and their young people, for
        the picture); ``places`` (place candidates with coordinates, for the map); ``min_young_people``.
        With ``subject_id`` only that adult or place (``KeyError`` when it is not a candidate).
    """
    from .network.complex_strategy import adults_ties_graph, complex_strategy as candidates_of
    from .network.graphs import edge_evidence, load_frames, place_evidence

    frames = load_frames(store, window)
    G = adults_ties_graph(frames)  # the candidates read only the adults of concern's ties
    # Places from the person-place evidence table, as `graphmap analyse` finds them (tested the
    # same as reading the person-location graph): building that graph and reading every link
    # back from it was 1.8 s CPU of a borough's view.
    places = place_evidence(frames, presence_kinds=schema.setting("network.complex_strategy.presence_kinds"))
    # Adults of concern first (the usual reason for the meeting), then places; most young people first.
    cands = sorted(candidates_of(G, places=places, locations=frames.locations),
                   key=lambda c: (c["subject_type"] != "person", -c["count"]))
    if subject_id:
        cands = [c for c in cands if c["subject_id"] == subject_id]
        if not cands:
            raise KeyError(f"{subject_id!r} is not an adult of concern or place linked to "
                           f"{schema.setting('network.complex_strategy.min_young_people')} or more young people "
                           "in the window")
    place_links = _place_link_rows(places, {(c["subject_id"], lk["young_person"]) for c in cands
                                            if c["subject_type"] == "location" for lk in c["links"]})
    # Names and dates of birth looked up once (a borough has thousands of links).
    people = row_dicts(frames.people)
    names = {r["person_id"]: person_label(r, redaction) for r in people}
    dobs = {r["person_id"]: r["date_of_birth"] for r in people}
    locs = {r["location_id"]: r for r in row_dicts(frames.locations)}

    def name(pid: str) -> str:
        return names.get(pid, pid)

    out, net_nodes, net_edges, place_rows, ages = [], {}, [], [], {}
    for c in cands:
        subj = c["subject_id"]
        if c["subject_type"] == "person":
            label = name(subj)
            net_nodes[subj] = {"id": subj, "label": label, "role": "adult_of_concern",
                               "colour": ROLE_COLOURS["adult_of_concern"]}
        else:
            loc = locs.get(c["subject_id"])
            label = (loc["name"] if loc is not None and loc["name"] else c["subject_id"])
            if loc is not None and loc["latitude"]:
                place_rows.append({"location_id": c["subject_id"], "name": label, "type": loc["type"],
                                   "latitude": float(loc["latitude"]), "longitude": float(loc["longitude"]),
                                   "incidents": c["count"]})
        links = []
        for lk in c["links"]:
            y = lk["young_person"]
            rows_ = (_evidence_rows(edge_evidence(G, subj, y)) if c["subject_type"] == "person"
                     else place_links.get((subj, y), []))
            if y not in ages:
                ages[y] = age_on(dobs.get(y, ""), window.as_at)
            links.append({"person_id": y, "name": name(y), "age": ages[y],
                          "how": ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in sorted(lk["ties"].items())),
                          "since": lk["since"], "last": lk["last"], "records": lk["records"],
                          "gradings": lk["gradings"], "basis": _basis_summary(rows_), "evidence": rows_})
            if c["subject_type"] == "person":
                net_nodes.setdefault(y, {"id": y, "label": name(y), "role": "young_person",
                                         "colour": ROLE_COLOURS["young_person"]})
                net_edges.append({"source": subj, "target": y, "weight": len(rows_), "title": f"{len(rows_)} piece(s) of "
                                  "evidence\n" + "\n".join(f"{e['tie']} · {e['records']} · {e['date']} · {e['basis']}"
                                                            for e in rows_[:12])})
        out.append({"subject_id": c["subject_id"], "subject_type": c["subject_type"], "label": label,
                    "location_type": c.get("location_type", ""), "count": c["count"], "since": c["since"],
                    "links": links})
    return {"candidates": out, "subject_id": subject_id or "", "min_young_people": int(schema.setting("network.complex_strategy.min_young_people")),
            "network": {"nodes": [net_nodes[k] for k in sorted(net_nodes)], "edges": net_edges,
                        "legend": [(r.replace("_", " "), c) for r, c in ROLE_COLOURS.items()]},
            "places": place_rows, "window": {"start": window.start_iso, "end": window.as_at.isoformat()}}


# --- Weekly review -----------------------------------------------------------------------------
def weekly_review(store: Store, as_at: date | str, *, days: int | None = None,
                  redaction: str = "professionals-only") -> dict:
    """The Weekly Missing Meeting and Liaison and Diversion: the ``weekly_review.days`` days up to
    ``as_at``.

    - ``records``: missing episodes and Merlin reports starting in the week, with the people
      named on them (reporting roles left out), the place and whether recorded as fact or opinion;
    - ``repeat_missing``: young people missing ``weekly_review.repeat_missing.episodes`` or more
      times in the ``weekly_review.repeat_missing.days`` days up to ``as_at``, once at least this
      week (:func:`graphmap.network.repeat_missing.repeat_missing`); ``repeat_definition`` says so;
    - ``co_missing``: young people whose missing episodes overlapped this week, with how often
      they overlapped over the repeat-missing period (:func:`graphmap.network.co_missing.co_missing`);
    - ``new_ties``: ties first seen this week between a young person and a member of a recorded
      group, or an adult of concern (:func:`graphmap.network.new_ties.new_ties`);
    - ``network`` and ``places`` for the pack's picture and map.
    """
    from .network.co_missing import co_missing
    from .network.graphs import load_frames, missing_episodes, tie_evidence
    from .network.new_ties import new_ties
    from .network.repeat_missing import repeat_missing

    days = int(schema.setting("weekly_review.days") if days is None else days)
    window = Window.ending(as_at, days)
    inc = store.table("incidents")
    inc = inc[window.contains(inc["start"]) & inc["type"].isin(["missing", "merlin"])] if len(inc) else inc
    inv = store.table("involvements")
    inv = inv[isin(inv["incident_id"], inc["incident_id"]) & (inv["role"] != "reporting")] if len(inc) else inv.iloc[0:0]
    all_people = store.table("people")
    label = {r["person_id"]: person_label(r, redaction) for r in row_dicts(all_people)}
    locs = {r["location_id"]: r for r in row_dicts(store.table("locations"))}
    place = {lid: (r["name"] or lid) for lid, r in locs.items()}
    named_on = {i: list(zip(g["person_id"], g["role"])) for i, g in inv.groupby("incident_id")} if len(inv) else {}
    rows = []
    for r in inc.sort_values(["start", "incident_id"]).to_dict("records"):
        rows.append({"incident_id": r["incident_id"], "type": r["type"], "start": r["start"], "end": r["end"],
                     "place": place.get(r["location_id"], r["location_id"]), "location_id": r["location_id"],
                     "source": r["source"], "grading": r["grading"], "basis": _record_basis(r),
                     "people": "; ".join(f"{label.get(p, p)} ({role.replace('_', ' ')})"
                                         for p, role in named_on.get(r["incident_id"], []))})
    # Repeat and co-missing over the repeat-missing period; new ties over a longer look-back.
    rep_n, rep_days = (int(schema.setting("weekly_review.repeat_missing.episodes")),
                       int(schema.setting("weekly_review.repeat_missing.days")))
    frames = load_frames(store, Window.ending(window.as_at, max(rep_days, days)))
    roles = frames.people.set_index("person_id")["role"].to_dict()
    episodes = missing_episodes(frames)
    episodes = episodes[episodes["person_id"].map(roles).eq("young_person")]
    repeat = [{**r, "name": label.get(r["person_id"], r["person_id"])}
              for r in repeat_missing(episodes, since=window.start_iso, min_episodes=rep_n)]
    co = [{**p, "name_a": label.get(p["person_a"], p["person_a"]), "name_b": label.get(p["person_b"], p["person_b"]),
           "this_week": [d for d in p["dates"] if d[:10] >= window.start_iso]}
          for p in co_missing(frames) if any(d[:10] >= window.start_iso for d in p["dates"])]
    lookback = Window.ending(window.as_at, max(int(schema.setting("weekly_review.new_ties_lookback_days")), days))
    tie_frames = load_frames(store, lookback)
    mem = store.table("memberships")
    mem = mem[window.overlaps(mem["first_seen"], mem["last_seen"])] if len(mem) else mem
    members = mem.groupby("group_id")["person_id"].apply(set).to_dict() if len(mem) else {}
    groups = store.table("groups").set_index("group_id")["name"].to_dict()
    ties = []
    for t in new_ties(tie_evidence(tie_frames), since=window.start_iso, members=members,
                      roles=tie_frames.people.set_index("person_id")["role"].to_dict()):
        first, second = ((t["person_b"], t["person_a"]) if t["adult_of_concern"] == t["person_a"]
                         else (t["person_a"], t["person_b"]))  # the young person first
        ties.append({**t, "name_a": label.get(first, first), "name_b": label.get(second, second),
                     "known": "; ".join([f"{label.get(g['joined_by'], g['joined_by'])} tied to "
                                         f"{label.get(g['member'], g['member'])}, a member of "
                                         f"{groups.get(g['group_id']) or g['group_id']} ({g['group_id']})"
                                         for g in t["groups"]]
                                        + ([f"{label.get(t['adult_of_concern'], t['adult_of_concern'])} "
                                            "is an adult of concern"] if t["adult_of_concern"] else [])),
                     "basis": _basis_summary(_evidence_rows(t["evidence"])), "evidence": _evidence_rows(t["evidence"])})
    # The picture: co-missing pairs and new ties; the map: where this week's records happened.
    nodes, edges = {}, []
    roles = {**tie_frames.people.set_index("person_id")["role"].to_dict(), **roles}
    for a, b, w in ([(p["person_a"], p["person_b"], p["overlapping_episodes"]) for p in co]
                    + [(t["person_a"], t["person_b"], len(t["evidence"])) for t in ties]):
        for pid in (a, b):
            role = roles.get(pid, "")
            nodes.setdefault(pid, {"id": pid, "label": label.get(pid, pid), "role": role,
                                   "colour": ROLE_COLOURS.get(role, "#7f7f7f")})
        edges.append({"source": a, "target": b, "weight": w})
    counts: dict[str, int] = defaultdict(int)
    for r in rows:
        if r["location_id"]:
            counts[r["location_id"]] += 1
    mapped = [{"location_id": lid, "name": place.get(lid, lid), "incidents": n,
               "latitude": float(locs[lid]["latitude"]), "longitude": float(locs[lid]["longitude"])}
              for lid, n in sorted(counts.items()) if lid in locs and locs[lid]["latitude"]]
    return {"start": window.start_iso, "end": window.as_at.isoformat(), "days": days, "records": rows,
            "repeat_missing": repeat, "repeat_definition": (
                f"missing {rep_n} or more times in the {rep_days} days up to {window.as_at.isoformat()}, "
                f"at least once in this week (weekly_review.repeat_missing in settings)"),
            "co_missing": co, "co_missing_period_days": max(rep_days, days), "new_ties": ties,
            "new_ties_lookback_days": lookback.days,
            "network": {"nodes": [nodes[k] for k in sorted(nodes)], "edges": edges,
                        "legend": [(r.replace("_", " "), c) for r, c in ROLE_COLOURS.items()]}, "places": mapped}


def _record_basis(r: dict) -> str:
    from .provenance import label

    return label(r)


# --- Risk: reviews, person profile (issue 6) ------------------------------------------------------
def reviews_due(store: Store, as_at: date | str, *, redaction: str = "professionals-only") -> dict:
    """Reviews overdue and due across the cohort, and repeat-referral flags, as at a date."""
    from .reviews import review_report

    tables = store.tables()
    report = review_report(tables, as_at=as_at)
    names = {r["person_id"]: person_label(r, redaction) for r in row_dicts(tables["people"])}
    for r in report["reviews"]:
        r["name"] = names.get(r["person_id"], r["person_id"])
    report["counts"] = {s: sum(1 for r in report["reviews"] if r["status"] == s)
                        for s in ("overdue", "due", "scheduled", "no agreed assessment")}
    return report


def person_profile(store: Store, window: Window, person_id: str, *, redaction: str = "professionals-only",
                   hotspots: list[str] | None = None, peer_groups: list[dict] | None = None,
                   source_ids: dict[str, list[str]] | None = None) -> dict:
    """Everything held about one person (:func:`graphmap.profile.person_profile`), names as the
    redaction level allows.

    Parameters
    ----------
    hotspots : list of str, optional
        Ranked hotspot place ids for the window (:func:`locations_board`); places among them
        are marked. Default: worked out here.
    peer_groups, source_ids : optional
        ``peer_groups`` and ``source_ids`` of the network analyses
        (:func:`graphmap.network.analyse.analyse`) for the window; the person's peer group
        found in the data is listed beside the recorded ones. Default: worked out here.
    """
    from .profile import person_profile as profile_of

    if hotspots is None:
        from .places import PlaceAnalysis, hotspot_records

        hotspots = [h["location_id"] for h in hotspot_records(
            PlaceAnalysis(store, window), limit=int(schema.setting("places.hotspots_limit", 25)))]
    if peer_groups is None:
        from .network.analyse import analyse

        doc = analyse(store, window)
        peer_groups, source_ids = doc["peer_groups"], doc.get("source_ids") or {}
    # The analyses name a merged person by their canonical id: give the group to every id.
    canonical = {pid: cid for cid, ids in (source_ids or {}).items() for pid in ids}
    found = {}
    for g in peer_groups:
        for m in g["members"]:
            for pid in (source_ids or {}).get(m, [m]):
                found[pid] = g
    tables = store.tables()
    mine = found.get(person_id) or found.get(canonical.get(person_id, person_id))
    data = profile_of(tables, person_id, window=window, hotspots=hotspots,
                      groups={person_id: mine["group_id"]} if mine else None)
    for g in data["groups"]:
        if g["basis"] == "derived" and mine:
            g.update({"size": mine["size"], "internal_ties": mine.get("internal_ties"),
                      "adults_of_concern": len(mine.get("adults_of_concern") or []),
                      "note": "found by the network analyses (graphmap.network.peer_groups)"})
    names = {r["person_id"]: person_label(r, redaction, centre=person_id) for r in row_dicts(tables["people"])}
    for t in data["ties"]:
        t["name"] = names.get(t["person_id"], t["person_id"])
    data["name"] = names.get(person_id, person_id)
    data["hotspots_considered"] = len(hotspots)
    data["awaiting"] = {}
    return data


def risk_preview(levels: dict[str, str], assessed_on: date | str, *, status: str = "draft") -> dict:
    """What an assessment would score before it is saved (:func:`graphmap.risk.score`): totals,
    bands, response, focus, next review (an agreed assessment's), and the domains not rated."""
    from .risk import framework, score

    s = score({k: v for k, v in levels.items() if v}, framework(), assessed_on=assessed_on).as_dict()
    s["next_review_if_agreed"] = s["next_review"]
    if status != "agreed":
        s["next_review"] = None  # a draft is never the child's score, so it sets no review
    return s


def group_matrix(store: Store, window: Window, members: list[str]) -> dict:
    """A group's members weighed by their current agreed matrix scores (:func:`graphmap.reviews.group_risk`)."""
    from .reviews import group_risk

    return group_risk(store.table("assessments"), members, as_at=window.as_at)
