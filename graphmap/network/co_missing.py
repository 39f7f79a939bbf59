"""Co-missing: young people whose missing episodes overlap in time.

One overlap can be coincidence; the same two children missing over the same nights again and
again is a pattern (``network.co_missing.pattern_min_episodes``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import schema
from .graphs import Frames, missing_episodes, overlapping_episodes


def co_missing(frames: Frames, *, pattern_min_episodes: int | None = None, roles: set | None = None) -> list[dict]:
    """Pairs of young people whose missing episodes overlap, repeated patterns first.

    Parameters
    ----------
    frames : Frames
        The window's records (missing incidents with their ``missing_person`` involvements).
    pattern_min_episodes : int, optional
        Overlapping episodes that make a ``pattern`` (default from settings).
    roles : set, optional
        Person roles to pair (default ``{"young_person"}``).

    Returns
    -------
    list of dict
        ``person_a, person_b, overlapping_episodes`` (pairs of their episodes that overlap in
        time), ``episodes_a`` / ``episodes_b`` (each child's episodes among them), ``overlap_hours`` (total), ``pattern``,
        ``same_record`` (overlaps recorded on one missing record), ``dates`` (overlap starts),
        ``records`` ([[incident_a, incident_b], ...]). Most overlapping episodes first, then
        longest total overlap. Every pattern is listed; single overlaps only while the list is
        shorter than ``network.co_missing.max_listed``.

    References
    ----------
    .. [1] J. F. Allen, "Maintaining knowledge about temporal intervals", Comm. ACM 26,
       832–843 (1983) (interval overlap).
    """
    least = int(schema.setting("network.co_missing.pattern_min_episodes")
                if pattern_min_episodes is None else pattern_min_episodes)
    roles = {"young_person"} if roles is None else set(roles)
    cap = int(schema.setting("network.co_missing.max_listed"))
    role = frames.people.set_index("person_id")["role"]
    episodes = missing_episodes(frames)
    episodes = episodes[episodes["person_id"].map(role).isin(roles)]
    # Only the pairs that can be listed are built: every pattern, and the cap's worth of the
    # highest ranked (a region's year has tens of millions of one-off overlaps).
    ov = overlapping_episodes(episodes, min_episodes=least, top=cap)
    if ov.empty:
        return []
    # Whole seconds summed (exact in any order), so the total and the ranking do not depend on
    # the order the overlaps were found in.
    ov = ov.assign(overlap_s=(ov["overlap_end"] - ov["overlap_start"]) // pd.Timedelta(seconds=1))
    g = ov.groupby(["person_a", "person_b"], sort=False)
    agg = pd.DataFrame({"eps_a": g["incident_a"].nunique(), "eps_b": g["incident_b"].nunique(),
                        "episode_pairs": g.size(), "overlap_hours": g["overlap_s"].sum() / 3600,
                        "same_record": g["same_record"].sum()}).reset_index()
    agg["overlapping_episodes"] = agg["episode_pairs"]
    agg = agg.sort_values(["overlapping_episodes", "overlap_hours", "person_a", "person_b"],
                          ascending=[False, False, True, True])
    agg = agg[(agg["overlapping_episodes"] >= least) | (np.arange(len(agg)) < cap)]
    # Dates and records only for the pairs listed.
    ov = ov.merge(agg[["person_a", "person_b"]], on=["person_a", "person_b"])
    ov = ov.sort_values(["person_a", "person_b", "overlap_start"])
    ov = ov.assign(when=pd.to_datetime(ov["overlap_start"]).dt.strftime("%Y-%m-%dT%H:%M"),
                   pair=[[a, b] for a, b in zip(ov["incident_a"], ov["incident_b"])])
    g = ov.groupby(["person_a", "person_b"], sort=False)
    lists = pd.DataFrame({"dates": g["when"].agg(list), "records": g["pair"].agg(list)}).reset_index()
    agg = agg.merge(lists, on=["person_a", "person_b"], how="left", sort=False)
    return [{"person_a": r.person_a, "person_b": r.person_b, "overlapping_episodes": int(r.overlapping_episodes),
             "episodes_a": int(r.eps_a), "episodes_b": int(r.eps_b), "overlap_hours": round(float(r.overlap_hours), 1),
             "pattern": bool(r.overlapping_episodes >= least), "same_record": int(r.same_record),
             "dates": r.dates, "records": r.records} for r in agg.itertuples(index=False)]
