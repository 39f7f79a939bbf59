"""Graphs for a window: the person graph (asserted and derived ties) and the person–location graph.

Everything is built from the store's tables a column at a time (pandas merges and group-bys),
never row by row. Each tie keeps its evidence: the records behind it, their dates, gradings and
whether they were recorded as fact or opinion, so every number an analysis reports can be
traced back to records.

Tie types (weights in ``schema/settings.yaml`` under ``network.tie_weights``):

- an asserted association, by its kind (``friend``, ``sibling``, ``olders``, ...);
- ``same_incident``: named on the same incident;
- ``found_together``: on a ``found_with`` incident, or one found with the other;
- ``co_missing``: missing episodes (different records) that overlap in time;
- ``same_place``: on different incidents at the same place within ``network.same_place_hours``.

A person whose role on an incident is ``reporting`` (a youth worker, a resident) is never tied to
anyone by it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import networkx as nx
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pac

from .. import schema
from ..window import Window
from ._gc import gc_paused
from ._igraph import prime

#: Roles on an incident that never tie a person to the others named on it.
NON_LINKING_ROLES = frozenset({"reporting"})
#: Roles that mean "this is the child who went missing" on a missing incident.
MISSING_ROLES = frozenset({"missing_person", "subject"})

EVIDENCE_COLUMNS = ["a", "b", "tie", "records", "date", "since", "grading", "fact_or_opinion", "source"]


@dataclass
class Frames:
    """The store's tables cut to a window: what every graph and analysis is built from.

    ``involvements`` carries its incident's ``type``, ``start``, ``end``, ``location_id``,
    ``grading`` and ``fact_or_opinion`` (as ``inc_*`` columns where names clash).
    ``first_incident`` is each person's first incident start up to the as-at date (all history,
    not only the window): a tie that precedes it preceded the child coming to notice.
    """

    window: Window
    people: pd.DataFrame
    locations: pd.DataFrame
    incidents: pd.DataFrame
    involvements: pd.DataFrame
    associations: pd.DataFrame
    presence: pd.DataFrame
    first_incident: pd.Series = field(default_factory=lambda: pd.Series(dtype=str))
    source_ids: dict[str, list[str]] = field(default_factory=dict)  # canonical id -> the ids it stands for
    # (involvements, their linking rows): :func:`linking_involvements`, made once per frames.
    _linking: tuple | None = field(default=None, repr=False, compare=False)

    def role_of(self) -> pd.Series:
        return self.people.set_index("person_id")["role"]


# The incident and involvement columns the network and place analyses read (``graphmap analyse``
# asks the store for only these: free text and provenance stay in SQLite).
WINDOW_COLUMNS = {"incidents": ["incident_id", "type", "start", "end", "location_id", "grading", "fact_or_opinion",
                                "source"],
                  "involvements": ["incident_id", "person_id", "role", "source", "fact_or_opinion"]}


def load_frames(store, window: Window, *, records=None) -> Frames:
    """Read the tables every network analysis needs from ``store`` and cut them to ``window``.

    This is the one place store frames are read for the network analyses (identity resolution
    maps person ids to canonical ids here).

    Parameters
    ----------
    store : graphmap.store.Store
    window : graphmap.window.Window
    records : tuple, optional
        ``store.window_records(start, window.end_iso, exclude_roles=NON_LINKING_ROLES)`` for a
        span that starts on or before the window (``graphmap analyse`` reads the window and the
        one before it once, for the network and the place trend); cut to the window here.

    Returns
    -------
    Frames
    """
    people = store.table("people")
    # The window's incidents and their involvements, and each person's first incident (all
    # history up to as-at, for "ties preceding first incidents"), cut by the store's engine.
    if records is None:
        records = store.window_records(window.start_iso, window.end_iso, exclude_roles=NON_LINKING_ROLES)
    incidents, involvements_all, first = records
    inside = window.contains(incidents["start"])
    if not inside.all():  # a span starting before the window (graphmap analyse's shared read)
        # The involvements are cut by the inner merge with the window's incidents below (same
        # rows, same order): an isin on 235,000 Arrow strings first cost 1.6 s of a borough's 2.
        incidents = incidents[inside].reset_index(drop=True)
    first = first.astype(str).str[:10]
    inc_cols = incidents[["incident_id", "type", "start", "end", "location_id", "grading", "fact_or_opinion",
                          "source"]].rename(columns={"fact_or_opinion": "inc_fact_or_opinion", "source": "inc_source"})
    involvements = involvements_all.merge(inc_cols, on="incident_id", how="inner")
    assoc = store.table("associations")
    assoc = assoc[window.overlaps(assoc["first_seen"], assoc["last_seen"])].reset_index(drop=True)
    presence = store.table("presence")
    presence = presence[window.overlaps(presence["first_seen"], presence["last_seen"])].reset_index(drop=True)
    frames = Frames(window, people, store.table("locations"), incidents, involvements, assoc, presence, first)
    return resolve_identities(frames, _canonical_ids(store))


def _canonical_ids(store) -> dict[str, str]:
    from ..identity import canonical_ids

    return canonical_ids(store)


def resolve_identities(frames: Frames, canonical: dict[str, str]) -> Frames:
    """Map every person id in ``frames`` to its canonical id (identity resolution), so one
    child known to police and social care under two ids is one node.

    The canonical person's own row is kept (its role, date of birth and borough); the ids it
    stands for are listed in ``frames.source_ids``. Links between two ids of one person vanish.
    """
    merged = {p: c for p, c in canonical.items() if p != c}
    groups: dict[str, list[str]] = {}
    for p, c in canonical.items():
        groups.setdefault(c, []).append(p)
    frames.source_ids = {c: sorted(ids) for c, ids in groups.items() if len(ids) > 1}
    if not merged:
        return frames

    def remap(s: pd.Series) -> pd.Series:
        return s.map(merged).fillna(s)

    frames.people = frames.people[~frames.people["person_id"].isin(merged)].reset_index(drop=True)
    inv = frames.involvements.assign(person_id=remap(frames.involvements["person_id"]))
    frames.involvements = inv.drop_duplicates(subset=["incident_id", "person_id", "role"]).reset_index(drop=True)
    a = frames.associations.assign(person_id_a=remap(frames.associations["person_id_a"]),
                                   person_id_b=remap(frames.associations["person_id_b"]))
    frames.associations = a[a["person_id_a"] != a["person_id_b"]].reset_index(drop=True)
    frames.presence = frames.presence.assign(person_id=remap(frames.presence["person_id"]))
    first = frames.first_incident.copy()
    first.index = first.index.map(lambda p: merged.get(p, p))
    frames.first_incident = first.groupby(level=0).min()
    return frames


# --- evidence tables ------------------------------------------------------------------------
def _ordered(a: pd.Series, b: pd.Series) -> tuple[pd.Series, pd.Series]:
    lo = a.where(a < b, b)
    hi = b.where(a < b, a)
    return lo, hi


def association_evidence(assoc: pd.DataFrame) -> pd.DataFrame:
    """One evidence row per asserted association (self-ties dropped)."""
    df = assoc[assoc["person_id_a"] != assoc["person_id_b"]]
    a, b = _ordered(df["person_id_a"], df["person_id_b"])
    ref = df["source_ref"].where(df["source_ref"] != "",
                                 "association:" + df["person_id_a"] + "-" + df["person_id_b"] + ":" + df["kind"])
    return pd.DataFrame({"a": a, "b": b, "tie": df["kind"], "records": _singletons(ref),
                         "date": df["last_seen"].str[:10], "since": df["first_seen"].str[:10], "grading": df["grading"],
                         "fact_or_opinion": df["fact_or_opinion"], "source": df["source"]})


def linking_involvements(frames: Frames) -> pd.DataFrame:
    """Involvements in the window that can tie people (``reporting`` never does), made once per
    frames (callers only read it).

    A boolean selection copies every column: 0.03-0.05 s on a borough's window, and the tie
    evidence, the person graph and the groups' context each asked for it (py-spy, session 10).
    """
    inv = frames.involvements
    kept = frames._linking
    if kept is not None and kept[0] is inv:  # from these involvements (resolve_identities replaces them)
        return kept[1]
    out = inv[~inv["role"].isin(NON_LINKING_ROLES)]
    frames._linking = (inv, out)
    return out


def incident_evidence(frames: Frames) -> pd.DataFrame:
    """Pairs named on the same incident: ``found_together`` or ``same_incident``."""
    inv = linking_involvements(frames)
    # On integer codes (incident, person sorted as the ids, role), not strings: the rows and their
    # order are those of the self-merge on incident_id this replaced, in a fifth of the time.
    i = pd.factorize(inv["incident_id"])[0]
    p = pd.factorize(inv["person_id"], sort=True)[0]
    r = pd.factorize(inv["role"])[0]
    rows = np.flatnonzero(~pd.DataFrame({"i": i, "p": p, "r": r}).duplicated().to_numpy())
    # A person with two roles on one incident is one person on it; keep found_with if present
    # (the same sort as before on the same flags, so the same row is kept).
    is_fw = (inv["role"] == "found_with").to_numpy(dtype=bool, na_value=False)
    fw = is_fw[rows]
    rows = rows[pd.DataFrame({"fw": fw}).sort_values("fw", ascending=False).index.to_numpy()]
    rows = rows[~pd.DataFrame({"i": i[rows], "p": p[rows]}).duplicated().to_numpy()]
    left, right = _key_pairs(i[rows], i[rows])  # every pair on one incident (each with itself too)
    keep = p[rows[left]] < p[rows[right]]
    left, right = left[keep], right[keep]
    fw = is_fw[rows]
    lrow, rrow = rows[left], rows[right]
    found = (inv["type"] == "found_with").to_numpy(dtype=bool, na_value=False)[lrow] | fw[left] | fw[right]
    return pd.DataFrame({"a": _take(inv["person_id"], lrow), "b": _take(inv["person_id"], rrow),
                         "tie": np.where(found, "found_together", "same_incident"),
                         "records": _singletons(_take(inv["incident_id"], lrow)),
                         "date": _take(inv["start"], lrow).str[:10], "grading": _take(inv["grading"], lrow),
                         "fact_or_opinion": _take(inv["inc_fact_or_opinion"], lrow),
                         "source": _take(inv["inc_source"], lrow)})


def _take(s: pd.Series, rows: np.ndarray) -> pd.Series:
    """``s``'s values at positions ``rows`` (a new Series, numbered from 0), in its own dtype."""
    return pd.Series(s.array.take(rows), name=s.name)


def _key_pairs(left: np.ndarray, right: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every pair of positions ``(l, r)`` with ``left[l] == right[r]``, ordered by ``l`` and
    then ``r``: the rows of an inner merge on an integer key, in the order pandas gives them
    (the left's order, each left row's matches in the right's order), as positions."""
    if not len(left) or not len(right):
        return np.empty(0, np.int64), np.empty(0, np.int64)
    order = np.argsort(right, kind="stable")
    sk = right[order]
    first = np.searchsorted(sk, left, side="left")
    size = np.searchsorted(sk, left, side="right") - first
    lpos = np.repeat(np.arange(len(left)), size)
    offset = np.arange(len(lpos)) - np.repeat(np.cumsum(size) - size, size)
    return lpos, order[np.repeat(first, size) + offset]


def missing_episodes(frames: Frames) -> pd.DataFrame:
    """Missing episodes in the window: one row per (incident, child who went missing).

    Columns ``incident_id, person_id, start, end`` (``end`` filled with
    ``network.missing_open_end_hours`` after the start when no return is recorded) and
    ``location_id`` (where found, when the record has a place).
    """
    inv = frames.involvements
    ep = inv[(inv["type"] == "missing") & inv["role"].isin(MISSING_ROLES)]
    ep = ep.drop_duplicates(["incident_id", "person_id"])
    start = pd.to_datetime(ep["start"], errors="coerce")
    end = pd.to_datetime(ep["end"].replace("", None), errors="coerce")
    open_h = float(schema.setting("network.missing_open_end_hours"))
    end = end.fillna(start + pd.Timedelta(hours=open_h))
    end = end.where(end >= start, start)
    out = pd.DataFrame({"incident_id": ep["incident_id"].values, "person_id": ep["person_id"].values,
                        "start": start.values, "end": end.values, "location_id": ep["location_id"].values,
                        "grading": ep["grading"].values, "fact_or_opinion": ep["inc_fact_or_opinion"].values,
                        "source": ep["inc_source"].values})
    return out[out["start"].notna()].reset_index(drop=True)


# Episode pairs produced per step of the sweep: bounds the memory of a region's pairing
# (about 47 million overlapping pairs in a 500,000-person region's year) to a few hundred MB.
_PAIR_CHUNK = 20_000_000


def _overlap_pairs(start: np.ndarray, end: np.ndarray, person: np.ndarray, max_ns: int):
    """Index pairs ``(i, j)`` of intervals that overlap (``max(starts) < min(ends)``), of
    different people, by a sweep over the start-sorted intervals: interval ``k``'s later
    partners are exactly those starting before it ends, a contiguous run found by binary
    search, so only real overlaps are generated (no all-pairs or per-day join)."""
    order = np.argsort(start, kind="stable")
    s, e, who = start[order], end[order], person[order]
    stop = np.searchsorted(s, np.minimum(e, s + max_ns), side="left")
    n = np.maximum(stop - np.arange(len(s)) - 1, 0)
    bounds = np.searchsorted(np.cumsum(n), np.arange(0, int(n.sum()) + _PAIR_CHUNK, _PAIR_CHUNK), side="right")
    out_i, out_j = [], []
    for a, b in zip(bounds[:-1], bounds[1:]):
        if a >= b:
            continue
        reps = n[a:b]
        left = np.repeat(np.arange(a, b), reps)
        first = np.repeat(np.cumsum(reps) - reps, reps)
        right = left + 1 + (np.arange(len(left)) - first)
        keep = (who[left] != who[right]) & (np.maximum(s[left], s[right]) < np.minimum(e[left], e[right]))
        out_i.append(order[left[keep]])
        out_j.append(order[right[keep]])
    if not out_i:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    return np.concatenate(out_i), np.concatenate(out_j)


def overlapping_episodes(episodes: pd.DataFrame, *, max_days: int = 60, min_episodes: int = 1, top: int = 0,
                         exclude_same_record: bool = False) -> pd.DataFrame:
    """Pairs of different children whose missing episodes overlap in time.

    A sweep over the episodes sorted by start (each episode against those starting before it
    ends, at most ``max_days`` after its own start), on integer codes; strings are looked up
    only for the pairs returned. Returns one row per pair of episodes: ``person_a, person_b,
    incident_a, incident_b, overlap_start, overlap_end, overlap_hours, same_record``
    (``person_a < person_b``), ordered by the two people and the overlap's start.

    Parameters
    ----------
    episodes : DataFrame
        :func:`missing_episodes` (``incident_id, person_id, start, end``).
    max_days : int
        An episode is compared with those starting within this many days of its own start.
    min_episodes : int
        Keep only the pairs of children with at least this many overlapping episode pairs.
    top : int
        Also keep the ``top`` pairs of children ranked highest overall (most overlapping
        episodes, then longest total overlap, then their ids), whatever their count.
    exclude_same_record : bool
        Leave out overlaps recorded on one missing record (before counting).

    Notes
    -----
    With ``min_episodes`` above 1 a region-sized year (about 150,000 episodes, tens of millions
    of chance overlaps) is reduced to the repeated pairs before any string is built.

    References
    ----------
    .. [1] J. F. Allen, "Maintaining knowledge about temporal intervals", Comm. ACM 26,
       832-843 (1983).
    """
    cols = ["person_a", "person_b", "incident_a", "incident_b", "overlap_start", "overlap_end",
            "overlap_hours", "same_record"]
    if episodes.empty:
        return pd.DataFrame(columns=cols)
    ep = episodes.reset_index(drop=True)
    pcode, people = pd.factorize(ep["person_id"], sort=True)  # code order = id order (tie-breaks)
    icode, incidents = pd.factorize(ep["incident_id"])
    start = ep["start"].values.astype("datetime64[ns]").view("int64")
    end = ep["end"].values.astype("datetime64[ns]").view("int64")
    i, j = _overlap_pairs(start, end, pcode, int(max_days) * 86_400 * 10**9)
    if exclude_same_record:
        other = icode[i] != icode[j]
        i, j = i[other], j[other]
    swap = pcode[i] > pcode[j]
    i, j = np.where(swap, j, i), np.where(swap, i, j)
    if not len(i):
        return pd.DataFrame(columns=cols)
    s = np.maximum(start[i], start[j])
    e = np.minimum(end[i], end[j])
    pair, pair_ix = np.unique(pcode[i].astype(np.int64) * len(people) + pcode[j], return_inverse=True)
    count = np.bincount(pair_ix)
    keep_pair = count >= min_episodes
    if top:
        hours = np.bincount(pair_ix, weights=(e - s) // 10**9)  # whole seconds: exact in any order
        rank = np.lexsort((pair, -hours, -count))[:top]  # last key first: count, hours, ids
        keep_pair[rank] = True
    rows = np.flatnonzero(keep_pair[pair_ix])
    i, j, s, e = i[rows], j[rows], s[rows], e[rows]
    out = pd.DataFrame({"person_a": people[pcode[i]], "person_b": people[pcode[j]],
                        "incident_a": incidents[icode[i]], "incident_b": incidents[icode[j]],
                        "overlap_start": s.view("datetime64[ns]"), "overlap_end": e.view("datetime64[ns]"),
                        "overlap_hours": (e - s) / 3.6e12, "same_record": icode[i] == icode[j]})
    return out.sort_values(["person_a", "person_b", "overlap_start", "incident_a", "incident_b"]).reset_index(drop=True)


def co_missing_evidence(frames: Frames) -> pd.DataFrame:
    """Ties from missing episodes recorded on different records (the same record is already a
    ``same_incident`` tie) that overlap at least ``network.co_missing.tie_min_episodes`` times."""
    # A single overlap in a borough-sized population is mostly chance: it makes no tie.
    least = int(schema.setting("network.co_missing.tie_min_episodes"))
    ov = overlapping_episodes(missing_episodes(frames), min_episodes=least, exclude_same_record=True)
    if ov.empty:
        return pd.DataFrame(columns=EVIDENCE_COLUMNS)
    return pd.DataFrame({"a": ov["person_a"], "b": ov["person_b"], "tie": "co_missing",
                         "records": list(zip(ov["incident_a"], ov["incident_b"])),
                         "date": pd.to_datetime(ov["overlap_start"]).dt.strftime("%Y-%m-%d"),
                         "grading": "", "fact_or_opinion": "", "source": ""})


_ISO = "%Y-%m-%dT%H:%M:%S"
_ISO_FIELDS = ((pac.month, 5), (pac.day, 8), (pac.hour, 11), (pac.minute, 14), (pac.second, 17))


def _to_datetime(s: pd.Series) -> pd.Series:
    """``pd.to_datetime(s, errors="coerce")``, parsed by Arrow in C when every value is a full
    ``YYYY-MM-DDTHH:MM:SS`` that reads back field for field (Arrow would roll 30 February
    over to March where pandas gives NaT); otherwise by pandas. A third of the time on a
    borough's 160,000 incident starts."""
    arr = pa.array(s, type=pa.string())
    if len(arr) and arr.null_count == 0 and pac.all(pac.equal(pac.utf8_length(arr), len("2026-01-01T00:00:00"))).as_py():
        ts = pac.strptime(arr, format=_ISO, unit="s", error_is_null=True)
        if ts.null_count == 0 and all(
                pac.all(pac.equal(f(ts), pac.cast(pac.utf8_slice_codeunits(arr, at, at + 2), pa.int64()))).as_py()
                for f, at in _ISO_FIELDS):
            return pd.Series(ts.to_numpy(zero_copy_only=False).astype("datetime64[us]"), index=s.index, name=s.name)
    return pd.to_datetime(s, errors="coerce")


def same_place_evidence(frames: Frames) -> pd.DataFrame:
    """Pairs on different incidents at the same place within ``network.same_place_hours``."""
    hours = float(schema.setting("network.same_place_hours"))
    inc = frames.incidents[frames.incidents["location_id"] != ""][["incident_id", "location_id", "start"]]
    t = _to_datetime(inc["start"])
    inc = inc[t.notna()]
    h = ((t[t.notna()] - pd.Timestamp("1970-01-01")) / pd.Timedelta(hours=1)).to_numpy(float)
    # The joins run on integer codes, not strings (codes sorted as the ids are, so "the lower
    # id first" is the lower code): the same rows in the same order, a third of the time.
    iid, iid_names = pd.factorize(inc["incident_id"], sort=True)
    lid = pd.factorize(inc["location_id"])[0]
    # Incidents at one place in the same or the next time bucket: the rows (and order) of the
    # pandas merges on (place, bucket) this replaced, as position pairs (_key_pairs).
    bucket = np.floor(h / hours).astype("int64")
    if len(bucket):
        lo, span = bucket.min(), int(bucket.max() - bucket.min()) + 3
        key = lid.astype(np.int64) * span + (bucket - lo + 1)
    else:
        key = np.empty(0, np.int64)
    x1, y1 = _key_pairs(key, key)
    x2, y2 = _key_pairs(key, key - 1)  # the right-hand incident one bucket later
    x, y = np.r_[x1, x2], np.r_[y1, y2]
    near = (iid[x] != iid[y]) & (np.abs(h[x] - h[y]) <= hours)
    x, y = x[near], y[near]
    i1, i2 = np.minimum(iid[x], iid[y]), np.maximum(iid[x], iid[y])
    first = np.sort(np.unique(i1.astype(np.int64) * len(iid_names) + i2, return_index=True)[1])
    i1, i2 = i1[first], i2[first]
    # The people on each (the incident looked up in C by Arrow, each person once per incident).
    inv = linking_involvements(frames)
    if len(iid_names) and len(inv):
        code = pac.index_in(pa.array(inv["incident_id"], type=pa.string()),
                            value_set=pa.array(np.asarray(iid_names, dtype=object), type=pa.string()))
        code = code.fill_null(-1).to_numpy().astype(np.int64)
    else:
        code = np.full(len(inv), -1, dtype=np.int64)
    pid, pid_names = pd.factorize(inv["person_id"], sort=True)
    sid, sid_names = pd.factorize(inv["start"], sort=True)
    at = np.flatnonzero(code >= 0)
    at = at[~pd.DataFrame({"i": code[at], "p": pid[at]}).duplicated().to_numpy()]
    code, pid, sid = code[at], pid[at], sid[at]
    jr, r1 = _key_pairs(i1, code)  # j.merge(inv, on=i1)
    k, r2 = _key_pairs(i2[jr], code)  # .merge(inv, on=i2)
    jr, r1 = jr[k], r1[k]
    p = pd.DataFrame({"i1": i1[jr], "i2": i2[jr], "p1": pid[r1], "p2": pid[r2], "s1": sid[r1], "s2": sid[r2]})
    p = p[p["p1"] != p["p2"]]
    a = np.minimum(p["p1"].to_numpy(), p["p2"].to_numpy())
    b = np.maximum(p["p1"].to_numpy(), p["p2"].to_numpy())
    keep = ~pd.DataFrame({"a": a, "b": b, "i1": p["i1"].to_numpy(), "i2": p["i2"].to_numpy()}).duplicated().to_numpy()
    p, a, b = p[keep], a[keep], b[keep]
    names_i = np.asarray(iid_names, dtype=object)
    records = list(zip(names_i[p["i1"].to_numpy()].tolist(), names_i[p["i2"].to_numpy()].tolist()))
    date_ = pd.Series(np.asarray(sid_names, dtype=object)[np.maximum(p["s1"].to_numpy(), p["s2"].to_numpy())],
                      index=p.index, dtype=str).str[:10]
    names_p = np.asarray(pid_names, dtype=object)
    return pd.DataFrame({"a": pd.Series(names_p[a], index=p.index, dtype=str),
                         "b": pd.Series(names_p[b], index=p.index, dtype=str), "tie": "same_place",
                         "records": pd.Series(records, index=p.index, dtype=object), "date": date_, "grading": "",
                         "fact_or_opinion": "", "source": ""})


def tie_evidence(frames: Frames) -> pd.DataFrame:
    """Every piece of evidence tying two people in the window, weighted.

    Columns: ``a, b`` (a < b), ``tie``, ``records`` (tuple of record ids), ``date`` (the
    record's date; an association's last seen), ``since`` (an association's first seen, else
    ``date``), ``grading``, ``fact_or_opinion``, ``source``, ``weight``.
    """
    co = co_missing_evidence(frames)
    place = same_place_evidence(frames)
    # Two missing episodes at one place are one piece of evidence (co-missing), not two.
    if len(co) and len(place):  # (a set of the co-missing keys: a MultiIndex of tuples cost 0.1 s)
        seen = set(zip(co["a"].tolist(), co["b"].tolist(), co["records"].tolist()))
        dup = [k in seen for k in zip(place["a"].tolist(), place["b"].tolist(), place["records"].tolist())]
        place = place[~np.array(dup, dtype=bool)]
    parts = [association_evidence(frames.associations), incident_evidence(frames), co, place]
    ev = pd.concat([p for p in parts if len(p)], ignore_index=True) if any(len(p) for p in parts) \
        else pd.DataFrame(columns=EVIDENCE_COLUMNS)
    ev["since"] = ev["since"].fillna(ev["date"]) if "since" in ev else ev["date"]
    return ev.assign(weight=evidence_weight(ev, frames.window.as_at)).reset_index(drop=True)


def evidence_weight(ev: pd.DataFrame, as_at: date, *, typed: bool = True) -> np.ndarray:
    """type weight (when ``typed``) x recency x (opinion factor for opinion), from ``network``
    settings."""
    weights = schema.setting("network.tie_weights")
    half_life = float(schema.setting("network.recency_half_life_days"))
    opinion = float(schema.setting("network.opinion_factor"))
    # Type weights and dates looked up per distinct value (a few types, a few thousand dates),
    # not per piece of evidence: the same numbers.
    if typed:
        tc, types = pd.factorize(ev["tie"])
        other = float(weights.get("other", 1.0))
        per_type = np.array([other if w is None or pd.isna(w) else float(w)
                             for w in (weights.get(t) for t in types.tolist())] + [other], dtype=float)
        tw = per_type[tc]  # -1 (a missing type): other
    else:
        tw = np.ones(len(ev))
    dc, dates = pd.factorize(ev["date"])
    d = pd.to_datetime(pd.Series(dates.to_numpy(object)).replace("", None), errors="coerce")
    days = np.r_[(pd.Timestamp(as_at) - d).dt.days.to_numpy(float), np.nan][dc]  # -1 (missing): NaN
    age = np.clip(np.where(np.isnan(days), 0.0, days), 0.0, None)
    fo = np.where(ev["fact_or_opinion"].to_numpy() == "opinion", opinion, 1.0)
    return tw * np.power(0.5, age / half_life) * fo


# --- graphs ---------------------------------------------------------------------------------
def _ages(people: pd.DataFrame, as_at: date) -> pd.Series:
    dob = pd.to_datetime(people["date_of_birth"].replace("", None), errors="coerce")
    return ((pd.Timestamp(as_at) - dob).dt.days / 365.25).round(1)


def person_attributes(frames: Frames) -> pd.DataFrame:
    """One row per person: role, age at the as-at date (NaN when unknown), borough, gender, flags."""
    p = frames.people
    return pd.DataFrame({"role": p["role"].values, "age": _ages(p, frames.window.as_at).values,
                         "borough": p["borough"].values, "gender": p["gender"].values,
                         "flags": p["flags"].values}, index=p["person_id"].values)


def _attach_evidence(G: nx.Graph, ev: pd.DataFrame, u_col: str, v_col: str, *, u_kind: str | None = None,
                     v_kind: str | None = None, convert: bool = False) -> None:
    """Aggregate evidence rows per tie (in bulk) and add the ties to ``G``.

    The evidence itself stays in column arrays on ``G.graph["evidence"]``; each edge holds the
    ``ev`` slice of its rows (read them with :func:`edge_evidence` / :func:`edge_records`), so
    building a borough-sized graph does not make a Python object per piece of evidence.
    With ``u_kind`` / ``v_kind`` the nodes are ``(kind, id)`` (the person–location graph); the
    evidence is grouped on the plain ids. ``convert``: ``G`` has no edges yet, and its weighted
    igraph copy (:func:`graphmap.network._igraph.prime`) is made from the tie arrays.
    """
    if ev.empty:
        G.graph["evidence"] = {c: np.array([], dtype=object) for c in EVIDENCE_COLUMNS[2:]}
        return
    # Sorted by tie and date on integer codes (each column's codes sorted as its strings, a
    # missing value last as pandas sorts it): the same stable order as sorting the strings, and
    # the per-tie dates and counts from codes, in a third of the time.
    u, u_ids = _sorted_codes(ev[u_col])
    v, v_ids = _sorted_codes(ev[v_col])
    d, d_vals = _sorted_codes(ev["date"])
    perm = np.lexsort((d, v, u))
    u, v, d = u[perm], v[perm], d[perm]
    starts = np.flatnonzero(np.r_[True, (u[1:] != u[:-1]) | (v[1:] != v[:-1])])
    ends = np.r_[starts[1:], len(ev)]
    edge_no = np.repeat(np.arange(len(starts)), ends - starts)
    weight = np.add.reduceat(ev["weight"].to_numpy(float)[perm], starts)
    # Earliest first-seen and latest date per tie, an empty (or missing) date ignored.
    s_codes, s_vals = (d, d_vals) if "since" not in ev else _sorted_codes(ev["since"])
    s_codes = s_codes if "since" not in ev else s_codes[perm]
    first = _pick(np.minimum.reduceat, s_codes, s_vals, starts, len(s_vals))
    last = _pick(np.maximum.reduceat, d, d_vals, starts, -1)
    # Count per tie type, in the order each type first appears on the tie.
    t, t_vals = _sorted_codes(ev["tie"])
    t, nt = t[perm], len(t_vals)
    key, at, count = np.unique(edge_no[t < nt] * nt + t[t < nt], return_index=True, return_counts=True)
    by_first = np.argsort(at, kind="stable")  # a missing type is not counted
    key, count = key[by_first], count[by_first]
    t_names = np.asarray(t_vals, dtype=object).tolist()
    with gc_paused():  # tens of thousands of small dicts, no cycles among them
        ties: list[dict] = [{} for _ in range(len(starts))]
        for k, n in zip(key.tolist(), count.tolist()):
            ties[k // nt][t_names[k % nt]] = n
        G.graph["evidence"] = {c: ev[c].to_numpy(object)[perm] for c in EVIDENCE_COLUMNS[2:] if c in ev}
        us = np.asarray(u_ids, dtype=object)[u[starts]]
        vs = np.asarray(v_ids, dtype=object)[v[starts]]
        if u_kind is not None:
            us = [(u_kind, x) for x in us]
        if v_kind is not None:
            vs = [(v_kind, x) for x in vs]
        _add_edges(G, us, vs, ({"weight": w, "count": e - s, "ties": t, "first": f, "last": la, "ev": (s, e)}
                               for w, s, e, t, f, la in zip(weight.tolist(), starts.tolist(), ends.tolist(), ties,
                                                            first, last)))
    if convert:
        prime(G, us, vs, weight)  # the igraph copy every analysis of the graph uses, from arrays


def _sorted_codes(s: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """Codes of ``s`` in the sorted order of its values, a missing value after all of them (as
    ``sort_values`` places it), and the values."""
    codes, uniques = pd.factorize(s, sort=True)
    return np.where(codes < 0, len(uniques), codes), uniques


def _pick(reduce, codes: np.ndarray, values: pd.Index, starts: np.ndarray, skip: int) -> list:
    """Per run starting at ``starts``: the value with the least (``np.minimum.reduceat``) or
    greatest code, ignoring empty and missing values (``""`` when there is none)."""
    vals = np.r_[np.asarray(values, dtype=object), np.array([""], dtype=object)]
    ignore = (codes >= len(values)) | (vals[np.minimum(codes, len(values))] == "")
    best = reduce(np.where(ignore, skip, codes), starts)
    return vals[np.where((best < 0) | (best >= len(values)), len(values), best)].tolist()


def _add_nodes(G: nx.Graph, nodes, datas) -> None:
    """``G.add_nodes_from(zip(nodes, datas))`` for an empty ``G`` and distinct nodes, each
    attribute dict used as it is (not copied and merged per node)."""
    if len(G) or len(set(nodes)) != len(nodes):
        G.add_nodes_from(zip(nodes, datas))
        return
    node, adj = G._node, G._adj
    for n, d in zip(nodes, datas):
        adj[n] = {}
        node[n] = d
    nx._clear_cache(G)


def _add_edges(G: nx.Graph, us, vs, datas) -> None:
    """Add new, distinct, non-loop edges ``u``–``v`` with their attribute dicts: what
    ``G.add_edges_from`` does, without its per-edge checks and dict merging (two thirds of
    building a borough's person graph). Nodes not yet in ``G`` are added first, in the order
    ``add_edges_from`` would have added them, so node and edge order are unchanged."""
    node = G._node
    missing = [x for pair in zip(us, vs) for x in pair if x not in node]
    if missing:
        G.add_nodes_from(dict.fromkeys(missing))
    adj = G._adj
    for u, v, d in zip(us, vs, datas):
        adj[u][v] = d
        adj[v][u] = d
    nx._clear_cache(G)


def edge_evidence(G: nx.Graph, u, v) -> list[dict]:
    """The evidence behind the tie ``u``–``v``: dicts of ``tie, records, date, grading,
    fact_or_opinion, source`` (oldest first)."""
    d = G[u][v]
    if "ev" not in d:
        return list(d.get("evidence", []))
    s, e = d["ev"]
    cols = G.graph["evidence"]
    return [{"tie": cols["tie"][i], "records": list(cols["records"][i]), "date": cols["date"][i],
             "grading": cols["grading"][i], "fact_or_opinion": cols["fact_or_opinion"][i],
             "source": cols["source"][i]} for i in range(s, e)]


def edge_records(G: nx.Graph, u, v) -> list:
    """The record ids behind the tie ``u``–``v``, sorted."""
    d = G[u][v]
    if "ev" not in d:
        return sorted({r for e in d.get("evidence", []) for r in e["records"]})
    s, e = d["ev"]
    return sorted({r for recs in G.graph["evidence"]["records"][s:e] for r in recs})


def person_graph(frames: Frames, *, evidence: pd.DataFrame | None = None) -> nx.Graph:
    """The person graph for the window: every person, asserted and derived ties with evidence.

    Parameters
    ----------
    frames : Frames
        From :func:`load_frames`.
    evidence : DataFrame, optional
        Precomputed :func:`tie_evidence` (computed when omitted).

    Returns
    -------
    networkx.Graph
        Nodes are person ids with ``role``, ``age``, ``borough``, ``gender``, ``flags``. Each
        edge has ``weight`` (sum of evidence weights), ``count`` (pieces of evidence), ``ties``
        (count per tie type), ``first`` (earliest first-seen or record date) / ``last`` dates;
        the evidence (``tie, records, date, grading, fact_or_opinion, source``) is read with
        :func:`edge_evidence` / :func:`edge_records`.
    """
    ev = tie_evidence(frames) if evidence is None else evidence
    G = nx.Graph(as_at=frames.window.as_at.isoformat(), window_days=frames.window.days)
    attrs = person_attributes(frames)
    cols = {c: attrs[c].astype(object).where(attrs[c].notna(), None).tolist() for c in attrs.columns}
    with gc_paused():  # one dict per person, no cycles among them
        _add_nodes(G, attrs.index.tolist(), (dict(zip(cols, vals)) for vals in zip(*cols.values())))
    _attach_evidence(G, ev, "a", "b", convert=True)
    return G


def place_evidence(frames: Frames, *, presence_kinds=None) -> pd.DataFrame:
    """Every piece of evidence tying a person to a place in the window (built in bulk).

    Presence records (lives, frequents, found at, ...; only ``presence_kinds`` when given) and
    incidents at the place that name the person (not as the person reporting). Columns ``p``
    (person id), ``l`` (location id), ``tie`` (presence kind or incident type), ``record``
    (the record's id: one per row, kept as a string column, not a tuple per row), ``date``,
    ``grading``, ``fact_or_opinion``, ``source``: presence first, then incidents, in the frames'
    order.
    """
    pres = frames.presence
    if presence_kinds is not None:
        pres = pres[pres["kind"].isin(list(presence_kinds))]
    pres_ev = pd.DataFrame({"p": pres["person_id"], "l": pres["location_id"], "tie": pres["kind"],
                            "record": "presence:" + pres["person_id"] + "@" + pres["location_id"] + ":" + pres["kind"],
                            "date": pres["last_seen"].str[:10], "grading": "",
                            "fact_or_opinion": pres["fact_or_opinion"], "source": pres["source"]})
    inv = linking_involvements(frames)
    inv = inv[inv["location_id"] != ""].drop_duplicates(["incident_id", "person_id"])
    inc_ev = pd.DataFrame({"p": inv["person_id"], "l": inv["location_id"], "tie": inv["type"],
                           "record": inv["incident_id"], "date": inv["start"].str[:10],
                           "grading": inv["grading"], "fact_or_opinion": inv["inc_fact_or_opinion"],
                           "source": inv["inc_source"]})
    return pd.concat([pres_ev, inc_ev], ignore_index=True)


def person_location_graph(frames: Frames, *, presence_kinds=None, evidence: pd.DataFrame | None = None) -> nx.Graph:
    """The bipartite person–location graph for the window.

    Nodes are ``("person", id)`` (``bipartite=0``) and ``("location", id)`` (``bipartite=1``).
    A person is tied to a place by presence records (lives, frequents, found at, ...; only
    ``presence_kinds`` when given) and by incidents at the place that name them (not as the
    person reporting): :func:`place_evidence`, or ``evidence`` when given. Edges carry
    ``weight``, ``count``, ``ties`` and ``evidence`` as in :func:`person_graph`.

    The network analyses do not need this graph (complex strategy reads
    :func:`place_evidence` directly); the app and packs draw it.
    """
    ev = place_evidence(frames, presence_kinds=presence_kinds) if evidence is None else evidence
    ev = ev.assign(records=_singletons(ev["record"]), weight=evidence_weight(ev, frames.window.as_at, typed=False))
    G = nx.Graph(as_at=frames.window.as_at.isoformat(), window_days=frames.window.days)
    attrs = person_attributes(frames)
    G.add_nodes_from((("person", pid), {"bipartite": 0, "role": r}) for pid, r in zip(attrs.index, attrs["role"]))
    loc = frames.locations
    G.add_nodes_from((("location", lid), {"bipartite": 1, "type": t, "name": n})
                     for lid, t, n in zip(loc["location_id"], loc["type"], loc["name"]))
    _attach_evidence(G, ev, "p", "l", u_kind="person", v_kind="location")
    return G


def _singletons(s: pd.Series) -> pd.Series:
    """Each value as a one-record tuple (the ``records`` of one piece of evidence)."""
    with gc_paused():  # a tuple per piece of evidence, no cycles among them
        return pd.Series(list(zip(s.tolist())), index=s.index, dtype=object)


def young_people(G: nx.Graph) -> list:
    """The young people among the nodes of a person graph, sorted."""
    return sorted(n for n, r in G.nodes(data="role") if r == "young_person")


def adults_of_concern(G: nx.Graph) -> list:
    """The adults of concern among the nodes of a person graph, sorted."""
    return sorted(n for n, r in G.nodes(data="role") if r == "adult_of_concern")
