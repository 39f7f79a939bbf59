"""Co-missing judged against chance: repeats expected from two children's own missing history
(or from the size of the population searched) are not patterns; rare repeats are."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd
import pytest

from graphmap import schema
from graphmap.network.co_missing import chance_overlaps, co_missing
from graphmap.network.graphs import load_frames
from graphmap.window import Window
from tests.test_network import inc, inv
from tests.test_network_eval import person, write_canonical

WINDOW = Window.ending(date(2026, 10, 31), 365)
MONDAY = datetime(2025, 11, 3, 20, 0)


def night(day: datetime, hours: int = 12) -> tuple[str, str]:
    return day.strftime("%Y-%m-%dT%H:%M"), (day + timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M")


@pytest.fixture
def frequent_and_rare(sqlite_store, tmp_path):
    """F1 missing every Monday night, F2 every Thursday night except two Mondays (two chance
    overlaps among 50 episodes each); R1 and R2 missing twice each, on the same two Saturdays."""
    rows = []
    for w in range(50):
        monday = MONDAY + timedelta(weeks=w)
        rows.append(("F1", *night(monday)))
        rows.append(("F2", *night(monday + timedelta(hours=2) if w in (10, 30) else monday + timedelta(days=3))))
    for w in (5, 40):
        saturday = MONDAY + timedelta(weeks=w, days=5)
        rows += [("R1", *night(saturday)), ("R2", *night(saturday + timedelta(hours=1)))]
    people = [person(y, "young_person", "2011-01-01") for y in ("F1", "F2", "R1", "R2")]
    incidents = [inc(f"M{n}", s, "missing", e) for n, (_, s, e) in enumerate(rows)]
    invs = [inv(f"M{n}", who, "missing_person") for n, (who, _, _) in enumerate(rows)]
    sqlite_store.load([write_canonical(tmp_path / "c", people, incidents=incidents, involvements=invs)])
    return {(p["person_a"], p["person_b"]): p for p in co_missing(load_frames(sqlite_store, WINDOW))}


def test_frequent_missers_overlapping_twice_by_chance_are_not_a_pattern(frequent_and_rare):
    f = frequent_and_rare[("F1", "F2")]
    assert (f["overlapping_episodes"], f["missing_a"], f["missing_b"]) == (2, 50, 50)
    # 50 x 600 h + 50 x 600 h over 8,760 h: about 6.8 overlaps expected; two is no surprise.
    assert f["expected_by_chance"] == pytest.approx(2 * 50 * 600 / 8760, rel=1e-2)
    assert f["p_value"] > 0.9
    assert not f["pattern"] and f["pattern_rule"] == "repeated_within_chance"


def test_rare_missers_overlapping_twice_are_a_pattern(frequent_and_rare):
    r = frequent_and_rare[("R1", "R2")]
    assert (r["overlapping_episodes"], r["missing_a"], r["missing_b"]) == (2, 2, 2)
    assert r["expected_by_chance"] == pytest.approx(2 * 24 * 2 / 8760, rel=1e-2)
    assert r["p_value"] < 1e-3 and r["chance_pairs"] < 1
    assert r["pattern"] and r["pattern_rule"] == "repeated_beyond_chance"
    # patterns first, whatever the other pair's count
    assert next(iter(frequent_and_rare)) == ("R1", "R2")


def test_switching_the_chance_test_off_restores_the_count_rule(sqlite_store, tmp_path, monkeypatch,
                                                              frequent_and_rare):
    real = schema.setting
    monkeypatch.setattr(schema, "setting", lambda path, default=None: None if path in (
        "network.co_missing.pattern_max_p", "network.co_missing.pattern_max_chance_pairs") else real(path, default))
    pairs = {(p["person_a"], p["person_b"]): p for p in co_missing(load_frames(sqlite_store, WINDOW))}
    assert pairs[("F1", "F2")]["pattern"] and pairs[("F1", "F2")]["pattern_rule"] == "repeated_count_only"


def population(n_children: int, seed: int = 1) -> pd.DataFrame:
    """Each child missing one to four nights, at random through the year."""
    rng = np.random.default_rng(seed)
    n = rng.integers(1, 5, n_children)
    who = np.repeat([f"C{i:05d}" for i in range(n_children)], n)
    start = pd.Timestamp("2025-11-01 20:00") + pd.to_timedelta(rng.integers(0, 360, len(who)), unit="D")
    return pd.DataFrame({"person_id": who, "start": start,
                         "end": start + pd.to_timedelta(rng.uniform(6, 30, len(who)), unit="h")})


def rare_pair() -> pd.DataFrame:
    start = pd.to_datetime(["2026-01-10 21:00", "2026-05-02 22:00"])
    hours = pd.to_timedelta(12, unit="h")
    return pd.DataFrame({"person_id": ["R1", "R1", "R2", "R2"], "start": list(start) * 2,
                         "end": list(start + hours) * 2})


def test_the_same_repeat_is_chance_in_a_large_population():
    pair = pd.DataFrame({"person_a": ["R1"], "person_b": ["R2"], "overlapping_episodes": [2]})
    small = chance_overlaps(pd.concat([rare_pair(), population(20)]), pair, span_hours=8760)
    large = chance_overlaps(pd.concat([rare_pair(), population(4000)]), pair, span_hours=8760)
    assert small["p_value"][0] == pytest.approx(large["p_value"][0])  # the pair's own odds are the same
    assert small["chance_pairs"][0] < 1 < 10 < large["chance_pairs"][0]  # 0.01 and 69 (20 vs 4,000 children)


def test_chance_pairs_sampled_agrees_with_every_pair():
    eps = pd.concat([rare_pair(), population(600)])
    pairs = pd.DataFrame({"person_a": ["R1"] * 3, "person_b": ["R2"] * 3, "overlapping_episodes": [2, 3, 4]})
    exact = chance_overlaps(eps, pairs, span_hours=8760, sample_pairs=10**6)  # all 180,300 pairs
    sampled = chance_overlaps(eps, pairs, span_hours=8760, sample_pairs=50_000, seed=3)
    # A seeded sample of 50,000 pairs estimates the sum over every pair to within 10%.
    assert exact["chance_pairs"][0] > 1
    np.testing.assert_allclose(sampled["chance_pairs"], exact["chance_pairs"], rtol=0.1)
    assert sampled.equals(chance_overlaps(eps, pairs, span_hours=8760, sample_pairs=50_000, seed=3))


def test_chance_pairs_is_the_expected_number_of_pairs_as_surprising():
    """Against a brute force written independently (scipy.stats.binom, every pair, every k)."""
    from scipy.stats import binom

    eps = pd.concat([rare_pair(), population(150)])
    pairs = pd.DataFrame({"person_a": ["R1", "R1"], "person_b": ["R2", "R2"], "overlapping_episodes": [2, 3]})
    got = chance_overlaps(eps, pairs, span_hours=8760, sample_pairs=10**6)
    hours = (eps["end"] - eps["start"]).dt.total_seconds() / 3600
    n = eps.groupby("person_id").size().to_numpy(float)
    d = hours.groupby(eps["person_id"]).sum().to_numpy()
    a, b = np.triu_indices(len(n), 1)
    lam = (n[a] * d[b] + n[b] * d[a]) / 8760
    trials = n[a] * n[b]
    for p, e in zip(got["p_value"], got["chance_pairs"]):
        want, done = 0.0, np.zeros(len(a), bool)
        for k in range(2, int(trials.max()) + 1):  # each pair counts at its first k this surprising
            tail = binom.sf(k - 1, trials, lam / trials)
            hit = ~done & (k <= trials) & (tail <= p)
            want += tail[hit].sum()
            done |= hit
        assert want > 0 and e == pytest.approx(want, rel=1e-3)
    # R1 and R2: 2 episodes of 12 h each, 2 overlaps of 4 possible
    lam_r = (2 * 24 + 2 * 24) / 8760
    assert got["p_value"][0] == pytest.approx(binom.sf(1, 4, lam_r / 4), rel=1e-9)
    assert got["p_value"][1] == pytest.approx(binom.sf(2, 4, lam_r / 4), rel=1e-9)
