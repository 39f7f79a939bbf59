"""The Contextual Harm Risk Matrix: the framework as data, level checks and scoring.

A social worker rates each of the 7 harm domains and 6 contexts at a level (none / emerging /
moderate / significant); each level carries a score; the totals fall into bands; the combined
band sets the response, the focus of the safety plan and the review cadence. All of it comes
from a framework file (``schema/risk_matrix.yaml`` by default, or the file named by the
``risk.framework`` setting), checked when loaded: a mistake stops the command with a message
naming the file and the key.

>>> fw = framework()
>>> s = score({"coercion_control": "significant", "missing": "moderate", "peer_group": "moderate"}, fw)
>>> (s.harm_total, s.harm_band, s.context_total, s.combined_total, s.combined_band, s.response)
(18, 'moderate', 6, 24, 'emerging', 'early help')

References
----------
Merton Children's Social Care, "Contextual Harm Practice Guidance: guidance to complete the
Contextual Harm Risk Matrix Assessment and Planning Tool" (aligned to Merton's Threshold
Document, March 2020).
"""

from __future__ import annotations

import calendar
import functools
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Mapping

import pandas as pd

from . import schema
from .schema import SchemaError

SECTIONS = ("harm", "context")
TOTALS = ("harm", "context", "combined")
OVERRIDE_KINDS = {"episode_hours_over": "hours", "age_at_most": "age"}

#: Words accepted for a level on input (a form, a CSV), mapped to the stored level key.
LEVEL_ALIASES = {"no concern": "none", "no_concern": "none", "positive": "none", "little": "none",
                 "0": "none", "none": "none"}


class AssessmentError(ValueError):
    """An assessment does not fit the framework (unknown domain, unknown level, ...)."""


@dataclass(frozen=True)
class Band:
    level: str
    low: int
    high: int | None  # None: open-ended

    def contains(self, total: int) -> bool:
        return total >= self.low and (self.high is None or total <= self.high)

    def __str__(self) -> str:
        return f"{self.low}+" if self.high is None else f"{self.low}-{self.high}"


@dataclass(frozen=True)
class Domain:
    key: str
    section: str  # "harm" or "context"
    label: str
    scores: dict[str, int]


@dataclass(frozen=True)
class Override:
    name: str
    kind: str
    threshold: float
    domain: str
    level: str
    reason: str


@dataclass(frozen=True)
class Framework:
    """A checked risk-matrix framework. Build one with :func:`load_framework`."""

    id: str
    name: str
    path: str
    levels: tuple[str, ...]
    level_labels: dict[str, dict[str, str]]
    domains: dict[str, Domain]  # harm domains first, then contexts, in file order
    bands: dict[str, tuple[Band, ...]]  # "harm" / "context" / "combined"
    band_labels: dict[str, str]
    response: dict[str, dict[str, Any]]  # band level -> {response, focus, review}
    action_headings: tuple[str, ...]
    overrides: tuple[Override, ...]
    referrals: dict[str, Any]
    proposals: dict[str, Any] = field(default_factory=dict)

    def section(self, name: str) -> list[Domain]:
        return [d for d in self.domains.values() if d.section == name]

    def band(self, total_name: str, total: int) -> Band:
        for b in self.bands[total_name]:
            if b.contains(total):
                return b
        raise ValueError(f"{total_name} total {total} is in no band")  # only for negatives

    def level_score(self, domain: str, level: str) -> int:
        return self.domains[domain].scores[level]

    def next_review(self, assessed_on: date, combined_band: str) -> date:
        """The review date for an assessment made on ``assessed_on`` with that combined band."""
        cadence = self.response[combined_band]["review"]
        if "weeks" in cadence:
            return assessed_on + timedelta(weeks=int(cadence["weeks"]))
        return add_months(assessed_on, int(cadence["months"]))

    def label(self, domain: str, level: str) -> str:
        return self.level_labels[self.domains[domain].section].get(level, level)


def add_months(d: date, months: int) -> date:
    """The same day ``months`` later, or the month's last day when it has no such day.

    >>> add_months(date(2026, 1, 31), 3), add_months(date(2026, 11, 15), 3)
    (datetime.date(2026, 4, 30), datetime.date(2027, 2, 15))
    """
    m = d.month - 1 + months
    y, m = d.year + m // 12, m % 12 + 1
    return date(y, m, min(d.day, calendar.monthrange(y, m)[1]))


def _fail(path: Path, key: str, problem: str) -> SchemaError:
    return SchemaError(f"{path}: {key}: {problem}")


def load_framework(path: str | Path) -> Framework:
    """Read and check a framework file.

    Raises
    ------
    SchemaError
        Naming the file and key: unknown or missing keys, a level without a score, scores not
        rising with the level, bands that overlap, leave a gap or do not start at 0, a response
        for an unknown band, an unknown action heading or override kind.
    """
    path = Path(path)
    if not path.is_absolute() and (schema.SCHEMA_DIR / path).exists():
        path = schema.SCHEMA_DIR / path  # a name in schema/ (the risk.framework setting)
    data = schema.read_yaml(path, missing="framework file not found")
    if not isinstance(data, dict):
        raise SchemaError(f"{path}: expected a mapping")
    for key in ("id", "levels", "harm", "contexts", "bands", "response", "action_headings"):
        if key not in data:
            raise _fail(path, key, "missing")
    known_top = {"id", "name", "levels", "level_labels", "harm", "contexts", "bands", "band_labels", "response",
                 "action_headings", "overrides", "referrals", "proposals"}
    unknown = set(data) - known_top
    if unknown:
        raise _fail(path, sorted(unknown)[0], f"unknown key (expected one of {', '.join(sorted(known_top))})")

    levels = tuple(str(x) for x in data["levels"])
    if len(levels) < 2 or len(set(levels)) != len(levels):
        raise _fail(path, "levels", "expected two or more distinct levels, lowest first")
    vocab_levels = set(schema.vocabulary("risk_level"))
    for lv in levels:
        if lv not in vocab_levels:
            raise _fail(path, "levels", f"level {lv!r} is not in vocabularies.yaml risk_level "
                                        f"({', '.join(sorted(vocab_levels))})")

    # Domains: their keys must be assessment columns so both store engines keep them.
    columns = set(schema.record_specs()["assessments"].all_columns)
    domains: dict[str, Domain] = {}
    for section, key in (("harm", "harm"), ("context", "contexts")):
        body = data[key]
        if not isinstance(body, dict) or not body:
            raise _fail(path, key, "expected a mapping of domains")
        for dkey, ddef in body.items():
            where = f"{key}.{dkey}"
            if dkey in domains:
                raise _fail(path, where, "domain named twice (in harm and contexts)")
            if dkey not in columns:
                raise _fail(path, where, "unknown domain: not a column of assessments in schema/records.yaml "
                                         f"(known: {', '.join(sorted(c for c in columns if not c.startswith('why_')))})")
            if not isinstance(ddef, dict) or "scores" not in ddef:
                raise _fail(path, where, "expected {label: ..., scores: {level: score, ...}}")
            scores = ddef["scores"]
            if not isinstance(scores, dict) or set(map(str, scores)) != set(levels):
                raise _fail(path, f"{where}.scores", f"expected a score for each level: {', '.join(levels)}")
            vals = []
            for lv in levels:
                v = scores[lv]
                if not isinstance(v, int) or isinstance(v, bool) or v < 0:
                    raise _fail(path, f"{where}.scores.{lv}", f"expected a whole number >= 0, not {v!r}")
                vals.append(v)
            if any(b < a for a, b in zip(vals, vals[1:])):
                raise _fail(path, f"{where}.scores", "scores must not fall as the level rises")
            domains[dkey] = Domain(dkey, section, str(ddef.get("label", dkey)), {lv: scores[lv] for lv in levels})

    bands: dict[str, tuple[Band, ...]] = {}
    for total in TOTALS:
        body = (data["bands"] or {}).get(total)
        where = f"bands.{total}"
        if not isinstance(body, dict):
            raise _fail(path, where, "missing (expected {level: [min, max], ...})")
        if list(map(str, body)) != list(levels):
            raise _fail(path, where, f"expected one band per level in order: {', '.join(levels)}")
        out = []
        for lv in levels:
            rng = body[lv]
            if not (isinstance(rng, list) and len(rng) == 2 and isinstance(rng[0], int)
                    and (rng[1] is None or isinstance(rng[1], int))):
                raise _fail(path, f"{where}.{lv}", f"expected [min, max] (max null for open-ended), not {rng!r}")
            if rng[1] is not None and rng[1] < rng[0]:
                raise _fail(path, f"{where}.{lv}", f"max {rng[1]} is below min {rng[0]}")
            out.append(Band(lv, rng[0], rng[1]))
        if out[0].low != 0:
            raise _fail(path, f"{where}.{out[0].level}", f"the lowest band must start at 0, not {out[0].low}")
        for a, b in zip(out, out[1:]):
            if a.high is None:
                raise _fail(path, f"{where}.{a.level}", "only the last band may be open-ended")
            if b.low <= a.high:
                raise _fail(path, f"{where}.{b.level}", f"overlapping bands: {a.level} {a} and {b.level} {b}")
            if b.low > a.high + 1:
                raise _fail(path, f"{where}.{b.level}", f"gap between bands: {a.level} {a} and {b.level} {b}")
        if out[-1].high is not None:
            raise _fail(path, f"{where}.{out[-1].level}", "the highest band must be open-ended (max: null)")
        bands[total] = tuple(out)

    headings = tuple(str(h) for h in data["action_headings"])
    vocab_headings = set(schema.vocabulary("action_heading"))
    for h in headings:
        if h not in vocab_headings:
            raise _fail(path, "action_headings", f"{h!r} is not in vocabularies.yaml action_heading")

    response = data["response"]
    if not isinstance(response, dict) or set(map(str, response)) != set(levels):
        raise _fail(path, "response", f"expected one entry per band level: {', '.join(levels)}")
    for lv, body in response.items():
        where = f"response.{lv}"
        if not isinstance(body, dict) or "response" not in body or "review" not in body:
            raise _fail(path, where, "expected {response: ..., focus: [...], review: {weeks|months: N}}")
        for h in body.get("focus") or []:
            if h not in headings:
                raise _fail(path, f"{where}.focus", f"{h!r} is not one of action_headings ({', '.join(headings)})")
        rv = body["review"]
        if not (isinstance(rv, dict) and len(rv) == 1 and next(iter(rv)) in ("weeks", "months")
                and isinstance(next(iter(rv.values())), int) and next(iter(rv.values())) > 0):
            raise _fail(path, f"{where}.review", f"expected {{weeks: N}} or {{months: N}} with N > 0, not {rv!r}")

    overrides = []
    for name, body in (data.get("overrides") or {}).items():
        where = f"overrides.{name}"
        kind = (body or {}).get("kind")
        if kind not in OVERRIDE_KINDS:
            raise _fail(path, f"{where}.kind", f"unknown override kind {kind!r} (known: {', '.join(OVERRIDE_KINDS)})")
        param = OVERRIDE_KINDS[kind]
        if not isinstance(body.get(param), (int, float)):
            raise _fail(path, f"{where}.{param}", "expected a number")
        if body.get("domain") not in domains:
            raise _fail(path, f"{where}.domain", f"unknown domain {body.get('domain')!r}")
        if body.get("level") not in levels:
            raise _fail(path, f"{where}.level", f"unknown level {body.get('level')!r}")
        overrides.append(Override(str(name), kind, float(body[param]), body["domain"], body["level"],
                                  str(body.get("reason", name))))

    referrals = dict(data.get("referrals") or {"incident_type": "referral", "months": 6, "min_count": 2})
    for k in ("months", "min_count"):
        if not isinstance(referrals.get(k), int) or referrals[k] < 1:
            raise _fail(path, f"referrals.{k}", "expected a whole number >= 1")
    if referrals.get("incident_type") not in schema.vocabulary("incident_type"):
        raise _fail(path, "referrals.incident_type",
                    f"{referrals.get('incident_type')!r} is not in vocabularies.yaml incident_type")

    proposals = data.get("proposals") or {}
    for dkey, rules in proposals.items():
        if dkey not in domains:
            raise _fail(path, f"proposals.{dkey}", "unknown domain")
        for rname, body in (rules or {}).items():
            if isinstance(body, dict):
                for lv, n in body.items():
                    if lv not in levels:
                        raise _fail(path, f"proposals.{dkey}.{rname}", f"unknown level {lv!r}")
                    if not isinstance(n, int) or n < 1:
                        raise _fail(path, f"proposals.{dkey}.{rname}.{lv}", "expected a whole number >= 1")

    labels = data.get("level_labels") or {}
    level_labels = {s: {lv: str((labels.get(s) or {}).get(lv, lv)) for lv in levels} for s in SECTIONS}
    band_labels = {lv: str((data.get("band_labels") or {}).get(lv, lv)) for lv in levels}
    return Framework(str(data["id"]), str(data.get("name", data["id"])), str(path), levels, level_labels,
                     domains, bands, band_labels, {str(k): dict(v) for k, v in response.items()}, headings,
                     tuple(overrides), referrals, dict(proposals))


@functools.cache
def framework(path: str | None = None) -> Framework:
    """The framework in force: ``path``, else the ``risk.framework`` setting (cached)."""
    return load_framework(path or schema.setting("risk.framework", "risk_matrix.yaml"))


def frameworks(extra: Mapping[str, Framework] | None = None) -> dict[str, Framework]:
    """Frameworks by id: the one in force and every file in ``schema/frameworks/``.

    Assessments record the framework they were made under, so a past assessment is still
    scored by its own weights after a partnership changes framework.
    """
    out = dict(_framework_files())
    current = framework()
    out[current.id] = current
    out.update(extra or {})
    return out


@functools.cache
def _framework_files() -> dict[str, Framework]:
    folder = schema.SCHEMA_DIR / "frameworks"
    out = {}
    for p in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
        fw = load_framework(p)
        out[fw.id] = fw
    return out


# --- levels ------------------------------------------------------------------------------------

def normalise_level(value: str) -> str:
    """The stored level key for a level written on a form (``"Positive"`` -> ``"none"``)."""
    v = str(value).strip().lower()
    return LEVEL_ALIASES.get(v, v)


def check_levels(levels: Mapping[str, str], fw: Framework, *, status: str = "agreed") -> dict[str, str]:
    """Check an assessment's levels against the framework and return them normalised.

    Empty values mean "not assessed": allowed in a draft, not in an agreed assessment.

    Raises
    ------
    AssessmentError
        For an unknown domain, an unknown level, or an agreed assessment with a domain missing.
    """
    out: dict[str, str] = {}
    for key, value in levels.items():
        if key not in fw.domains:
            raise AssessmentError(f"unknown domain {key!r} in framework {fw.id} "
                                  f"(known: {', '.join(fw.domains)})")
        v = normalise_level(value) if str(value).strip() else ""
        if v and v not in fw.levels:
            raise AssessmentError(f"{key}: unknown level {value!r} (expected one of: {', '.join(fw.levels)})")
        out[key] = v
    if status == "agreed":
        missing = [k for k in fw.domains if not out.get(k)]
        if missing:
            raise AssessmentError(f"an agreed assessment rates every domain; not rated: {', '.join(missing)}")
    return out


# --- scoring -----------------------------------------------------------------------------------

@dataclass
class Score:
    """The scored matrix: totals, bands, response, focus and where to focus."""

    framework: str
    harm_total: int
    harm_band: str
    context_total: int
    context_band: str
    combined_total: int
    combined_band: str
    response: str
    focus: list[str]
    top_harm: list[str]  # the highest-scoring harm domains (ties kept), empty if all score 0
    top_context: list[str]
    scores: dict[str, int]  # domain -> score
    not_rated: list[str]
    next_review: str | None = None

    @property
    def complete(self) -> bool:
        return not self.not_rated

    def as_dict(self) -> dict:
        d = dict(self.__dict__)
        d["complete"] = self.complete
        return d


def score(levels: Mapping[str, str], fw: Framework | None = None, *, assessed_on: date | str | None = None) -> Score:
    """Score an assessment's levels under a framework.

    Parameters
    ----------
    levels : mapping
        ``{domain: level}``; a domain left out or empty is "not rated" and scores 0 (the
        result says which were not rated: an incomplete total is a floor, not a score).
    fw : Framework, optional
        Default: the framework in force.
    assessed_on : date, optional
        When given, the next review date follows from the combined band's cadence.

    Returns
    -------
    Score
    """
    fw = fw or framework()
    lv = check_levels(levels, fw, status="draft")
    scores = {k: (fw.level_score(k, lv[k]) if lv.get(k) else 0) for k in fw.domains}
    harm = sum(scores[d.key] for d in fw.section("harm"))
    ctx = sum(scores[d.key] for d in fw.section("context"))
    combined = harm + ctx
    cband = fw.band("combined", combined).level
    resp = fw.response[cband]

    def top(section: str) -> list[str]:
        best = max((scores[d.key] for d in fw.section(section)), default=0)
        return [d.key for d in fw.section(section) if best > 0 and scores[d.key] == best]

    review = None
    if assessed_on is not None:
        when = date.fromisoformat(str(assessed_on)[:10]) if not isinstance(assessed_on, date) else assessed_on
        review = fw.next_review(when, cband).isoformat()
    return Score(fw.id, harm, fw.band("harm", harm).level, ctx, fw.band("context", ctx).level, combined, cband,
                 str(resp["response"]), list(resp.get("focus") or []), top("harm"), top("context"), scores,
                 [k for k in fw.domains if not lv.get(k)], review)


def assessment_levels(row: Mapping[str, Any], fw: Framework) -> dict[str, str]:
    """The ``{domain: level}`` of a stored assessment row."""
    return {k: str(row.get(k, "") or "") for k in fw.domains}


def score_assessments(assessments: pd.DataFrame, registry: Mapping[str, Framework] | None = None) -> list[dict]:
    """Score stored assessment rows, each by the framework it names (default: the one in force).

    Returns one dict per row: the row's id, person, date, assessor, status, the levels and
    rationales, and the :class:`Score` fields. Drafts are scored but say ``status: draft``.
    """
    registry = registry or frameworks()
    default = framework()
    out = []
    for row in assessments.to_dict("records"):
        fw = registry.get(row.get("framework") or default.id)
        if fw is None:
            raise AssessmentError(f"assessment {row['assessment_id']}: unknown framework {row['framework']!r} "
                                  f"(known: {', '.join(registry)})")
        levels = assessment_levels(row, fw)
        s = score(levels, fw, assessed_on=row["assessed_on"])
        out.append({"assessment_id": row["assessment_id"], "person_id": row["person_id"],
                    "assessed_on": row["assessed_on"], "assessor": row["assessor"], "status": row["status"],
                    "levels": levels,
                    "rationales": {k: row.get(f"why_{k}", "") for k in fw.domains if row.get(f"why_{k}", "")},
                    "source": row.get("source", ""), **s.as_dict(),
                    "next_review": s.next_review if row["status"] == "agreed" else None})
    return out
