"""Co-missing: young people whose missing episodes overlap in time.

One overlap can be coincidence; the same two children missing over the same nights again and
again is a pattern (``network.co_missing.pattern_min_episodes``) - unless the two go missing so
often, or the population is so large, that repeats that often are to be expected by chance
(``pattern_max_p``, ``pattern_max_chance_pairs``; see :func:`chance_overlaps`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import betainc

from .. import schema
from .graphs import Frames, missing_episodes, overlapping_episodes

_HOUR_NS = 3_600 * 10**9


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
        ``records`` ([[incident_a, incident_b], ...]); and the chance test
        (:func:`chance_overlaps`): ``expected_by_chance``, ``p_value``, ``chance_pairs``
        (``None`` below the minimum),
        ``missing_a`` / ``missing_b`` (each child's episodes in the window) and ``pattern_rule``
        (``repeated_beyond_chance``, ``repeated_count_only`` when the chance test is switched
        off, ``repeated_within_chance`` or ``single``). Patterns first, then most overlapping
        episodes, then longest total overlap. Every pair at the minimum is listed; single
        overlaps only while the list is shorter than ``network.co_missing.max_listed``.

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
    chance = chance_overlaps(episodes, agg[["person_a", "person_b", "overlapping_episodes"]],
                             span_hours=frames.window.days * 24.0, min_episodes=least)
    agg = pd.concat([agg, chance], axis=1)
    max_p = schema.setting("network.co_missing.pattern_max_p")
    max_e = schema.setting("network.co_missing.pattern_max_chance_pairs")
    repeated = agg["overlapping_episodes"] >= least
    beyond = pd.Series(True, index=agg.index)
    if max_p is not None:
        beyond &= agg["p_value"] <= float(max_p)
    if max_e is not None:
        beyond &= agg["chance_pairs"] <= float(max_e)
    agg["pattern"] = repeated & beyond
    agg["pattern_rule"] = np.select(
        [repeated & beyond, repeated], ["repeated_beyond_chance" if max_p is not None or max_e is not None
                                        else "repeated_count_only", "repeated_within_chance"], "single")
    agg = agg.sort_values(["pattern", "overlapping_episodes", "overlap_hours", "person_a", "person_b"],
                          ascending=[False, False, False, True, True])
    agg = agg[repeated[agg.index] | (np.arange(len(agg)) < cap)]
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
             "pattern": bool(r.pattern), "same_record": int(r.same_record),
             "dates": r.dates, "records": r.records,
             "missing_a": int(r.missing_a), "missing_b": int(r.missing_b),
             "expected_by_chance": _sig(r.expected_by_chance), "p_value": _sig(r.p_value),
             "chance_pairs": _sig(r.chance_pairs) if r.overlapping_episodes >= least else None,
             "pattern_rule": r.pattern_rule}
            for r in agg.itertuples(index=False)]


def _sig(x: float) -> float:
    return float(f"{float(x):.3g}")


def chance_overlaps(episodes: pd.DataFrame, pairs: pd.DataFrame, *, span_hours: float, min_episodes: int = 2,
                    sample_pairs: int | None = None, seed: int = 0) -> pd.DataFrame:
    """How many overlaps each pair would show by chance, and how surprising theirs are.

    The null model is independent timing: each child's episodes keep their number and lengths
    but fall anywhere in the window, independently of the other child's. An episode of ``a``
    hours and one of ``b`` hours, placed independently in a span of ``T`` hours, overlap with
    probability about ``(a + b) / T`` (the accidental-coincidence rate of two independent
    streams [1]_), so over all ``n_a * n_b`` pairs of their episodes the pair expects
    ``lambda = (n_a * D_b + n_b * D_a) / T`` overlaps (``D`` a child's total hours missing).
    The count is taken as binomial over the ``n_a * n_b`` episode pairs with mean ``lambda``
    (unlike a Poisson count it cannot exceed ``n_a * n_b``: two children missing once each
    cannot overlap twice); ``p_value`` is its upper tail ``P(X >= observed)``.

    ``chance_pairs`` judges the pair against the whole population searched, as BLAST's
    E-value does for a database [2]_: the number of pairs, among all pairs of children missing
    in the window, expected by chance to reach a p-value at least this small with at least
    ``min_episodes`` overlaps. It is estimated from ``sample_pairs`` pairs drawn at random
    (seeded; every pair when there are fewer), counting for each the chance probability of
    its first count at or past ``min_episodes`` whose tail is that small (a discrete test can
    only reach certain p-values [3]_, so this is far below ``pairs * p_value``).

    Parameters
    ----------
    episodes : DataFrame
        :func:`~graphmap.network.graphs.missing_episodes` of the children compared
        (``person_id, start, end``).
    pairs : DataFrame
        ``person_a, person_b, overlapping_episodes``.
    span_hours : float
        The window's length.
    min_episodes : int
        Overlaps a pair needs to be a pattern at all.
    sample_pairs : int, optional
        Pairs drawn to estimate ``chance_pairs`` (default
        ``network.co_missing.chance_sample_pairs``).
    seed : int
        Seed of that draw (same data, same seed => same figures).

    Returns
    -------
    DataFrame
        Aligned with ``pairs``: ``missing_a, missing_b, expected_by_chance, p_value,
        chance_pairs``.

    Notes
    -----
    Timing is taken as uniform over the window; missing episodes that cluster (nights,
    holidays) overlap more often than this. Against the synthetic region (148,627 episodes of
    83,625 children) the model's total of overlapping episode pairs was 0.98 of the observed,
    and its count of chance pairs with 2 or more overlaps above the observed (see README), so
    it errs towards calling repeats chance.

    References
    ----------
    .. [1] C. Eckart and F. R. Shonka, "Accidental coincidences in counter circuits",
       Phys. Rev. 53, 752-756 (1938).
    .. [2] S. Karlin and S. F. Altschul, "Methods for assessing the statistical significance
       of molecular sequence features by using general scoring schemes", PNAS 87,
       2264-2268 (1990).
    .. [3] R. E. Tarone, "A modified Bonferroni method for discrete data", Biometrics 46,
       515-522 (1990).
    """
    sample_pairs = int(schema.setting("network.co_missing.chance_sample_pairs")
                       if sample_pairs is None else sample_pairs)
    hours = (episodes["end"].values.astype("datetime64[ns]").view("int64")
             - episodes["start"].values.astype("datetime64[ns]").view("int64")) / _HOUR_NS
    code, people = pd.factorize(episodes["person_id"], sort=True)
    n = np.bincount(code, minlength=len(people)).astype(float)
    total = np.bincount(code, weights=hours, minlength=len(people))
    a, b = people.get_indexer(pairs["person_a"]), people.get_indexer(pairs["person_b"])
    k = pairs["overlapping_episodes"].to_numpy(dtype=float)
    lam, p = _tail(n[a], total[a], n[b], total[b], k, span_hours)
    # The population's chance curve: for a sample of all pairs of children, each k's tail.
    m = len(people) * (len(people) - 1) / 2
    if m <= sample_pairs:
        sa, sb = np.triu_indices(len(people), 1)
    else:
        rng = np.random.default_rng(seed)
        sa = rng.integers(0, len(people), sample_pairs)
        sb = (sa + rng.integers(1, len(people), sample_pairs)) % len(people)  # never itself
    top = int(max(k.max(initial=min_episodes), min_episodes)) + 3  # later k add little (checked in tests)
    ks = np.arange(min_episodes, top + 1, dtype=float)[:, None]
    _, tails = _tail(n[sa], total[sa], n[sb], total[sb], ks, span_hours)  # (k, sampled pair)
    # A sampled pair reaches p-value <= x first at its smallest k with tail <= x, with
    # probability that tail: it counts ``v`` for x in [v, the previous k's tail).
    v = tails.ravel()
    upper = np.vstack([np.full((1, tails.shape[1]), np.inf), tails[:-1]]).ravel()
    keep = v > 0
    v, upper = v[keep], upper[keep]
    # (Sums at each cut do not depend on the order of ties: no stable sort needed.)
    v_sorted, by_u = np.sort(v), np.argsort(upper)
    cum_v = np.concatenate([[0.0], np.cumsum(v_sorted)])
    cum_u = np.concatenate([[0.0], np.cumsum(v[by_u])])
    reach = (cum_v[np.searchsorted(v_sorted, p, side="right")]
             - cum_u[np.searchsorted(upper[by_u], p, side="right")])
    chance_pairs = np.maximum(reach, 0.0) * m / max(len(sa), 1)
    return pd.DataFrame({"missing_a": n[a].astype(int), "missing_b": n[b].astype(int),
                         "expected_by_chance": lam, "p_value": p, "chance_pairs": chance_pairs},
                        index=pairs.index)


def _tail(n_a, d_a, n_b, d_b, k, span_hours):
    """Expected chance overlaps ``lambda`` and the binomial upper tail ``P(X >= k)``."""
    lam = (n_a * d_b + n_b * d_a) / float(span_hours)
    trials = n_a * n_b
    prob = np.minimum(lam / np.maximum(trials, 1), 1.0)
    k = np.broadcast_to(k, np.broadcast_shapes(np.shape(k), np.shape(trials)))
    # P(X >= k) = I_prob(k, trials - k + 1) for 1 <= k <= trials; 1 for k <= 0; 0 past trials.
    inside = (k >= 1) & (k <= trials)
    tail = np.where(k < 1, 1.0, 0.0)
    with np.errstate(invalid="ignore"):
        tail = np.where(inside, betainc(np.maximum(k, 1), np.maximum(trials - k + 1, 1), prob), tail)
    return lam, tail
