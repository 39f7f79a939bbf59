"""Cohort overlap: how the cohorts a partnership tracks overlap, for a window.

A strategy quotes figures such as "57% of sexual exploitation cases had at least one missing
episode"; :func:`cohort_overlap` gives the like from the records: the size of each cohort
(children missing, at risk of CSE, at risk of CCE, missing education, open to youth justice,
looked after: defined in ``schema/cohorts.yaml``), the count for every combination of cohorts
(both "exactly these" as an UpSet chart draws them and "at least these"), and the share of each
cohort also in each other. Each cohort lists its members' ids so every count can be traced.

References
----------
Lex, A., Gehlenborg, N., Strobelt, H., Vuillemot, R. and Pfister, H. (2014). "UpSet:
Visualization of Intersecting Sets". IEEE Transactions on Visualization and Computer Graphics
20(12), 1983-1992.
"""

from __future__ import annotations

import functools
import itertools
from pathlib import Path
from typing import Any, Mapping

import pandas as pd

from . import schema
from .risk import framework
from .schema import SchemaError
from .window import Window

CRITERIA = {"label", "flags", "incidents", "assessment"}


@functools.cache
def cohort_definitions(path: str | None = None) -> dict[str, Any]:
    """Read and check ``schema/cohorts.yaml`` (or ``path``); errors name the file and key."""
    p = Path(path) if path else schema.SCHEMA_DIR / "cohorts.yaml"
    data = schema.read_yaml(p, missing="cohorts file not found")
    if not isinstance(data, dict) or not isinstance(data.get("cohorts"), dict) or not data["cohorts"]:
        raise SchemaError(f"{p}: cohorts: expected a mapping of cohorts")
    vocabs = schema.vocabularies()
    for role in (data.get("population") or {}).get("roles", []):
        if role not in vocabs["person_role"]:
            raise SchemaError(f"{p}: population.roles: unknown person_role {role!r}")
    fw = framework()
    for key, body in data["cohorts"].items():
        where = f"cohorts.{key}"
        if not isinstance(body, dict) or not (set(body) & (CRITERIA - {"label"})):
            raise SchemaError(f"{p}: {where}: expected at least one of flags, incidents, assessment")
        unknown = set(body) - CRITERIA
        if unknown:
            raise SchemaError(f"{p}: {where}.{sorted(unknown)[0]}: unknown key (expected {', '.join(sorted(CRITERIA))})")
        for f in body.get("flags", []):
            if f not in vocabs["flag"]:
                raise SchemaError(f"{p}: {where}.flags: unknown flag {f!r}")
        inc = body.get("incidents")
        if inc is not None:
            for t in inc.get("types", []):
                if t not in vocabs["incident_type"]:
                    raise SchemaError(f"{p}: {where}.incidents.types: unknown incident_type {t!r}")
            for r in inc.get("roles", []):
                if r not in vocabs["involvement_role"]:
                    raise SchemaError(f"{p}: {where}.incidents.roles: unknown involvement_role {r!r}")
        asm = body.get("assessment")
        if asm is not None:
            if asm.get("domain") not in fw.domains:
                raise SchemaError(f"{p}: {where}.assessment.domain: unknown domain {asm.get('domain')!r}")
            if asm.get("at_least") not in fw.levels:
                raise SchemaError(f"{p}: {where}.assessment.at_least: unknown level {asm.get('at_least')!r}")
    return data


def cohort_members(tables: Mapping[str, pd.DataFrame], *, window: Window,
                   definitions: Mapping[str, Any] | None = None) -> tuple[set[str], dict[str, set[str]]]:
    """The population and each cohort's members (person ids) for the window."""
    from .views import isin

    defs = definitions or cohort_definitions()
    people = tables["people"]
    roles = (defs.get("population") or {}).get("roles")
    pop_df = people[people["role"].isin(roles)] if roles else people
    # tolist() first: iterating an Arrow-backed column value by value is slow (pandas 3).
    population = set(pop_df["person_id"].tolist())
    flags = {pid: set(filter(None, fs.split(";"))) for pid, fs in zip(pop_df["person_id"].tolist(),
                                                                      pop_df["flags"].tolist())}
    inc = tables["incidents"]
    inc = inc[window.contains(inc["start"])]
    inv = tables["involvements"]
    latest = {}
    asm = tables.get("assessments")
    if asm is not None and len(asm):
        a = asm[(asm["status"] == "agreed") & (asm["assessed_on"] <= window.as_at.isoformat())]
        a = a.sort_values(["assessed_on", "assessment_id"]).drop_duplicates("person_id", keep="last")
        latest = {r["person_id"]: r for r in a.to_dict("records")}
    fw = framework()
    members: dict[str, set[str]] = {}
    for key, body in defs["cohorts"].items():
        m: set[str] = set()
        want = set(body.get("flags", []))
        if want:
            m |= {pid for pid, fs in flags.items() if fs & want}
        if body.get("incidents"):
            c = body["incidents"]
            ids = inc.loc[inc["type"].isin(c.get("types", list(inc["type"].unique()))), "incident_id"]
            hit = inv[isin(inv["incident_id"], ids)]  # Arrow's is_in: pandas' took 0.1-0.3 s per cohort
            if c.get("roles"):
                hit = hit[hit["role"].isin(c["roles"])]
            m |= set(hit["person_id"].tolist()) & population
        if body.get("assessment"):
            dom, floor = body["assessment"]["domain"], fw.levels.index(body["assessment"]["at_least"])
            m |= {pid for pid, r in latest.items()
                  if pid in population and r.get(dom) and fw.levels.index(r[dom]) >= floor}
        members[key] = m
    return population, members


def cohort_overlap(tables: Mapping[str, pd.DataFrame], *, window: Window,
                   definitions: Mapping[str, Any] | None = None) -> dict:
    """Counts for every combination of cohorts, for the window.

    Returns
    -------
    dict
        ``{as_at, window, population, cohorts: [{key, label, count, members}],
        combinations: [{cohorts, exactly, at_least}]`` (every non-empty combination, in
        order of size then cohort order; ``exactly`` is the UpSet intersection),
        ``in_none, shares: [{of, also_in, count, of_count, share}]}`` where ``share`` is the
        proportion of cohort ``of`` also in ``also_in`` (None when ``of`` is empty).

    Examples
    --------
    >>> import pandas as pd
    >>> from graphmap.window import Window
    >>> empty = lambda cols: pd.DataFrame(columns=cols)
    >>> people = pd.DataFrame({"person_id": ["A", "B", "C"], "role": ["young_person"] * 3,
    ...                        "flags": ["CSE;MISSING", "CSE", "LAC"]})
    >>> t = {"people": people, "incidents": empty(["incident_id", "type", "start"]),
    ...      "involvements": empty(["incident_id", "person_id", "role"])}
    >>> out = cohort_overlap(t, window=Window.ending("2026-06-30", 365))
    >>> [s["share"] for s in out["shares"] if s["of"] == "cse" and s["also_in"] == "missing"]
    [0.5]
    """
    defs = definitions or cohort_definitions()
    population, members = cohort_members(tables, window=window, definitions=defs)
    keys = list(defs["cohorts"])
    combos = []
    for k in range(1, len(keys) + 1):
        for combo in itertools.combinations(keys, k):
            inside = set.intersection(*(members[c] for c in combo))
            outside = set().union(*(members[c] for c in keys if c not in combo))
            combos.append({"cohorts": list(combo), "exactly": len(inside - outside), "at_least": len(inside)})
    shares = []
    for a, b in itertools.permutations(keys, 2):
        n = len(members[a] & members[b])
        shares.append({"of": a, "also_in": b, "count": n, "of_count": len(members[a]),
                       "share": round(n / len(members[a]), 4) if members[a] else None})
    anyone = set().union(*members.values()) if members else set()
    return {"as_at": window.as_at.isoformat(), "window": {"start": window.start_iso, "end": window.as_at.isoformat()},
            "population": len(population),
            "cohorts": [{"key": k, "label": defs["cohorts"][k].get("label", k), "count": len(members[k]),
                         "members": sorted(members[k])} for k in keys],
            "combinations": combos, "in_none": len(population - anyone), "shares": shares}


def upset_frame(overlap: Mapping) -> pd.DataFrame:
    """The combinations as a frame for an UpSet chart: one boolean column per cohort and the
    ``exactly`` count (non-zero rows only), largest first."""
    keys = [c["key"] for c in overlap["cohorts"]]
    rows = [{**{k: k in c["cohorts"] for k in keys}, "count": c["exactly"]}
            for c in overlap["combinations"] if c["exactly"]]
    df = pd.DataFrame(rows, columns=[*keys, "count"])
    return df.sort_values("count", ascending=False, kind="stable").reset_index(drop=True)
