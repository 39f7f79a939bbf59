"""Repeat missing: a young person missing again and again within a period.

Missing often, not missing once, is what the Weekly Missing Meeting watches for: a child who
has gone missing ``weekly_review.repeat_missing.episodes`` or more times in the
``weekly_review.repeat_missing.days`` days up to the as-at date (3 in 90 by default; the
partnership sets both). Episodes are counted per missing record naming the child as the one
missing (:func:`graphmap.network.graphs.missing_episodes`).
"""

from __future__ import annotations

import pandas as pd

from .. import schema


def repeat_missing(episodes: pd.DataFrame, *, since: str, min_episodes: int | None = None) -> list[dict]:
    """Young people with ``min_episodes`` or more missing episodes, at least one starting on or
    after ``since`` (the week under review).

    Parameters
    ----------
    episodes : DataFrame
        :func:`graphmap.network.graphs.missing_episodes` over the look-back period (columns
        ``incident_id, person_id, start, end``).
    since : str
        ISO date: only children with an episode starting on or after it are listed.
    min_episodes : int, optional
        Default ``weekly_review.repeat_missing.episodes``.

    Returns
    -------
    list of dict
        Most episodes first: ``person_id, episodes`` (count in the period), ``this_week``
        (count starting on or after ``since``), ``longest_hours``, ``first, last`` (starts),
        ``records`` (the missing records, oldest first).

    Examples
    --------
    >>> ep = pd.DataFrame({"incident_id": ["M1", "M2", "M3", "M4"], "person_id": ["Y1", "Y1", "Y1", "Y2"],
    ...                    "start": pd.to_datetime(["2026-01-02", "2026-02-01", "2026-03-01", "2026-03-01"]),
    ...                    "end": pd.to_datetime(["2026-01-03", "2026-02-02", "2026-03-04", "2026-03-02"])})
    >>> [(r["person_id"], r["episodes"], r["longest_hours"]) for r in repeat_missing(ep, since="2026-02-25", min_episodes=3)]
    [('Y1', 3, 72.0)]
    """
    least = int(schema.setting("weekly_review.repeat_missing.episodes") if min_episodes is None else min_episodes)
    if episodes.empty:
        return []
    ep = episodes.drop_duplicates(["incident_id", "person_id"]).sort_values(["person_id", "start", "incident_id"])
    ep = ep.assign(hours=(ep["end"] - ep["start"]) / pd.Timedelta(hours=1))
    recent = ep["start"] >= pd.Timestamp(since)
    g = ep.groupby("person_id", sort=True)
    agg = pd.DataFrame({"episodes": g.size(), "this_week": recent.groupby(ep["person_id"]).sum(),
                        "longest_hours": g["hours"].max(), "first": g["start"].min(), "last": g["start"].max(),
                        "records": g["incident_id"].agg(list)})
    agg = agg[(agg["episodes"] >= least) & (agg["this_week"] > 0)]
    agg = agg.sort_values(["episodes", "longest_hours"], ascending=False, kind="stable")
    return [{"person_id": pid, "episodes": int(r.episodes), "this_week": int(r.this_week),
             "longest_hours": round(float(r.longest_hours), 1), "first": r.first.strftime("%Y-%m-%dT%H:%M"),
             "last": r.last.strftime("%Y-%m-%dT%H:%M"), "records": list(r.records)}
            for pid, r in agg.iterrows()]
