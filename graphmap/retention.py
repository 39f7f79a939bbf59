"""Retention: what is past the period a partnership keeps each source's records, and purging it.

The information-sharing protocol says nothing is kept longer than needed. Each source (the
``source`` column) has a period in days in ``schema/settings.yaml`` (``retention``), counted
from a record's date:

- ``recorded`` when the record carries it; else
- the latest of its own dates: an incident's start and end, a link's first and last seen, an
  assessment's date (a date of birth never counts);
- an involvement's incident date (an involvement is part of its incident);
- for people, places, groups and identifiers (which have no date of their own): the latest date
  of any record that names them.

A node (person, place, group, identifier) past its period is still **held** while any retained
record names it, so a purge never leaves a link pointing at nothing and never removes what a
current record needs; it goes with the last record that named it. Records with no date at all
are never purged by age; they are counted as *undated* so someone can review them.

Derived results (peer groups, co-missing links, hotspots) are computed from what is stored, so
after a purge they no longer count what was removed; nothing derived is stored to go stale.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

import pandas as pd

from . import audit, records, schema

if TYPE_CHECKING:  # pragma: no cover
    from .access import Actor
    from .store.base import Store



def period_days(source: str) -> int:
    """The retention period (days) for a source, from settings (``retention``)."""
    r = schema.setting("retention")
    by_source = r.get("sources") or {}
    days = by_source.get(source, r.get("default_days"))
    if days is None or int(days) <= 0:
        raise schema.SchemaError(f"{schema.SCHEMA_DIR / 'settings.yaml'}: retention: no positive period for "
                                 f"source {source!r} and no default_days")
    return int(days)


@dataclass
class RetentionReport:
    """Records past retention on ``as_at``; ``past[record]`` has the key columns, ``source``,
    ``dated`` (the date counted from) and ``expired`` (dated + period)."""

    as_at: date
    past: dict[str, pd.DataFrame] = field(default_factory=dict)
    held: dict[str, int] = field(default_factory=dict)
    undated: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(len(df) for df in self.past.values())

    def summary(self) -> dict[str, Any]:
        """Plain data for JSON: per record type, rows past retention by source, held, undated."""
        out = {}
        for name, df in self.past.items():
            if len(df) or self.held.get(name) or self.undated.get(name):
                out[name] = {"past": len(df),
                             "by_source": {str(k): int(v) for k, v in df["source"].value_counts().sort_index().items()},
                             "oldest": str(df["dated"].min()) if len(df) else None,
                             "held": self.held.get(name, 0), "undated": self.undated.get(name, 0)}
        return {"as_at": self.as_at.isoformat(), "records": out, "total": self.total}


def _date_columns(spec: schema.RecordSpec) -> list[str]:
    """A record's own dates (start, end, first/last seen, assessed_on, raised_on, ...): its date
    and date-time columns other than a date of birth and ``recorded`` (which wins when given)."""
    return [c.name for c in spec.columns
            if c.type in ("date", "datetime") and c.name not in ("date_of_birth", "recorded")]


def _own_date(df: pd.DataFrame, spec: schema.RecordSpec) -> pd.Series:
    """The latest of a record's own dates (``recorded`` when given), as YYYY-MM-DD or ""."""
    d = pd.Series("", index=df.index, dtype=object)
    for c in _date_columns(spec):
        if c in df:
            v = df[c].astype(str).str[:10]
            d = d.where(d >= v, v)
    if "recorded" in df:
        d = df["recorded"].where(df["recorded"] != "", d)
    return d.fillna("").astype(str)


def _expired(dated: pd.Series, source: pd.Series, as_at: date) -> pd.Series:
    periods = source.map({s: period_days(str(s)) for s in source.unique()}).astype(int)
    when = pd.to_datetime(dated.where(dated != ""), format="%Y-%m-%d", errors="coerce")
    limit = pd.Timestamp(as_at) - pd.to_timedelta(periods, unit="D")
    return (when.notna() & (when < limit)).astype(bool)


def past_retention(store: "Store", as_at: date | None = None) -> RetentionReport:
    """What is past its retention period on ``as_at`` (default today), with what is held."""
    as_at = as_at or date.today()
    specs = schema.record_specs()
    tables = store.tables()
    order = records.load_order()
    dated: dict[str, pd.Series] = {}
    expired: dict[str, pd.Series] = {}
    dated_types = {n for n, s in specs.items() if _date_columns(s)}

    # 1. Dated records (incidents, links with first/last seen) by their own dates.
    for name in order:
        df = tables[name]
        if name in dated_types:
            dated[name] = _own_date(df, specs[name])
    # 2. Parts of a dated record (involvements) take its date; their own `recorded` still wins.
    for name in order:
        if name in dated or name in dated_types:
            continue
        spec, df = specs[name], tables[name]
        parents = [c for c in spec.columns if c.required and c.ref in dated]
        if parents:
            c = parents[0]
            parent = tables[c.ref]
            pdate = pd.Series(dated[c.ref].to_numpy(), index=parent[specs[c.ref].key[0]].to_numpy())
            d = df[c.name].map(pdate).fillna("").astype(str)
            if "recorded" in df:
                d = df["recorded"].where(df["recorded"] != "", d)
            dated[name] = d
    for name, d in dated.items():
        df = tables[name]
        src = df["source"] if "source" in df else pd.Series("", index=df.index)
        exp = _expired(d, src, as_at)
        # A part goes with its parent whatever its own date says.
        for c in specs[name].columns:
            if c.required and c.ref in expired and name not in dated_types:
                parent = tables[c.ref]
                gone = set(parent.loc[expired[c.ref].to_numpy(), specs[c.ref].key[0]])
                exp = exp | df[c.name].isin(gone)
        expired[name] = exp

    # 3. Nodes: dated by `recorded`, else by the latest record naming them; held while any
    #    retained record names them.
    report = RetentionReport(as_at)
    for name in order:
        if name in dated:
            continue
        spec, df = specs[name], tables[name]
        key = spec.key[0]
        refs = [pd.DataFrame({"id": tables[other][c.name].to_numpy(), "dated": dated[other].to_numpy(),
                              "expired": expired[other].to_numpy()})
                for other, ospec in specs.items() if other in dated
                for c in ospec.columns if c.ref == name]
        ref = pd.concat(refs, ignore_index=True) if refs else pd.DataFrame(columns=["id", "dated", "expired"])
        ref = ref[ref["id"] != ""]
        # The latest date per id (sort + keep last: much faster than a groupby max on strings).
        latest = (ref[ref["dated"] != ""].sort_values("dated", kind="stable")
                  .drop_duplicates("id", keep="last").set_index("id")["dated"])
        referenced_by_retained = set(ref.loc[~ref["expired"].astype(bool), "id"])
        d = df[key].map(latest).astype(object).fillna("").astype(str) if len(latest) else pd.Series("", index=df.index)
        if "recorded" in df:
            d = df["recorded"].where(df["recorded"] != "", d)
        dated[name] = d
        exp = _expired(d, df["source"], as_at)
        held = exp & df[key].isin(referenced_by_retained)
        report.held[name] = int(held.sum())
        expired[name] = exp & ~held

    for name in order:
        df = tables[name]
        report.undated[name] = int((dated[name] == "").sum())
        mask = expired[name].to_numpy()
        cols = list(specs[name].key)
        past = df.loc[mask, cols].copy()
        past["source"] = df.loc[mask, "source"].to_numpy() if "source" in df else ""
        past["dated"] = dated[name][mask].to_numpy()
        periods = {s: period_days(str(s)) for s in past["source"].unique()}
        past["expired"] = [(date.fromisoformat(d) + timedelta(days=periods[s])).isoformat()
                           for d, s in zip(past["dated"], past["source"])]
        report.past[name] = past.reset_index(drop=True)
    return report


def purge(store: "Store", *, as_at: date | None = None, actor: "Actor | None" = None,
          reason: str = "retention") -> dict[str, int]:
    """Remove everything past retention in one transaction, audited in the same transaction.

    Returns rows removed per record type.
    """
    from . import access

    actor = actor or access.current_actor()
    access.require(actor, "purge")
    report = past_retention(store, as_at)
    if not report.total:
        return {}
    summary = report.summary()
    entry = audit.new_entry("purge", actor=actor, subject="retention", reason=reason,
                            detail={"as_at": summary["as_at"],
                                    "past": {k: v["past"] for k, v in summary["records"].items()}})
    return store.delete_records(report.past, entry)
