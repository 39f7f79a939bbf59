"""New ties to known groups: links first seen this week between a young person and a recorded
group or an adult of concern (what the Liaison and Diversion meeting asks of new Merlins)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping

import pandas as pd


def new_ties(evidence: pd.DataFrame, *, since: str, members: Mapping[str, set[str]], roles: Mapping[str, str]) -> list[dict]:
    """Ties whose earliest evidence is on or after ``since`` that link someone to a member of a
    known group they are not in themselves, or a young person to an adult of concern.

    Parameters
    ----------
    evidence : DataFrame
        :func:`graphmap.network.graphs.tie_evidence` over a look-back period long enough that
        "first seen" means something (``weekly_review.new_ties_lookback_days``).
    since : str
        ISO date: the first day of the week under review.
    members : mapping
        Group id -> the person ids recorded as its members.
    roles : mapping
        Person id -> role.

    Returns
    -------
    list of dict
        Newest first: ``person_a, person_b`` (a < b), ``first`` (earliest evidence), ``groups``
        (``[{"group_id", "member", "joined_by"}]``: the member's group the other is not in),
        ``adult_of_concern`` (the adult's id when one end is an adult of concern and the other a
        young person, else ""), ``ties`` (count by tie type), ``evidence`` (rows as
        :func:`~graphmap.network.graphs.edge_evidence`).

    Examples
    --------
    >>> ev = pd.DataFrame({"a": ["Y1", "Y1"], "b": ["Y2", "Y3"], "tie": ["same_incident"] * 2,
    ...                    "records": [("I1",), ("I0",)], "date": ["2026-10-28", "2026-01-01"],
    ...                    "since": ["2026-10-28", "2026-01-01"], "grading": ["", ""],
    ...                    "fact_or_opinion": ["fact", "fact"], "source": ["police", "police"]})
    >>> [(t["person_a"], t["person_b"], t["groups"][0]["group_id"])
    ...  for t in new_ties(ev, since="2026-10-25", members={"G1": {"Y2", "Y3"}}, roles={})]
    [('Y1', 'Y2', 'G1')]
    """
    if evidence.empty:
        return []
    ev = evidence.assign(first=evidence["since"].where(evidence["since"].fillna("") != "", evidence["date"]).fillna(""))
    first = ev[ev["first"] != ""].groupby(["a", "b"])["first"].min()
    # A tie with an undated piece of evidence may be older than it looks: not new. One grouped
    # reduction (a Python function per tie cost 20-27 s of a borough's weekly review).
    undated = (ev["first"] == "").groupby([ev["a"], ev["b"]]).any()
    fresh = first[(first >= since) & ~undated.reindex(first.index).fillna(False).astype(bool)]
    if fresh.empty:
        return []
    groups_of: dict[str, set[str]] = defaultdict(set)
    for g, ids in members.items():
        for p in ids:
            groups_of[p].add(g)
    out = []
    keep = ev.set_index(["a", "b"]).loc[fresh.index].reset_index()
    for (a, b), rows in keep.groupby(["a", "b"], sort=False):
        links = [{"group_id": g, "member": m, "joined_by": o}
                 for m, o in ((a, b), (b, a)) for g in sorted(groups_of.get(m, set()) - groups_of.get(o, set()))]
        ra, rb = roles.get(a, ""), roles.get(b, "")
        adult = a if (ra, rb) == ("adult_of_concern", "young_person") else b if (rb, ra) == (
            "adult_of_concern", "young_person") else ""
        if not links and not adult:
            continue
        rows = rows.sort_values("date")
        out.append({"person_a": a, "person_b": b, "first": str(fresh[(a, b)])[:10], "groups": links,
                    "adult_of_concern": adult, "ties": rows["tie"].value_counts().sort_index().to_dict(),
                    "evidence": [{"tie": r["tie"], "records": list(r["records"]), "date": r["date"],
                                  "grading": r["grading"], "fact_or_opinion": r["fact_or_opinion"],
                                  "source": r["source"]} for r in rows.to_dict("records")]})
    return sorted(out, key=lambda t: (t["first"], t["person_a"], t["person_b"]), reverse=True)
