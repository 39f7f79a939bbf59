"""Fact or opinion: how a record or tie came to be known, for packs to show beside it.

The information-sharing protocol asks practitioners to distinguish fact from opinion. Every
stored record and link may carry ``fact_or_opinion`` (``fact`` / ``opinion``) and, when built
from intelligence, a 3x5x2 ``grading``; links computed by an analysis are *derived*. Packs show
:func:`basis` next to each item and can group by it with :func:`with_basis`.
"""

from __future__ import annotations

from typing import Any, Mapping

import pandas as pd

BASES = ("fact", "opinion", "intelligence", "derived", "not stated")
LABELS = {"fact": "Fact", "opinion": "Opinion", "intelligence": "Intelligence", "derived": "Derived by analysis",
          "not stated": "Not stated"}


def basis(item: Mapping[str, Any]) -> str:
    """One of :data:`BASES` for a record, link or analysis result (a dict or row).

    A stated ``fact_or_opinion`` wins; otherwise graded or intelligence records are
    ``intelligence``; results marked ``derived`` (or carrying ``evidence``) are ``derived``.

    >>> basis({"fact_or_opinion": "opinion", "grading": "2B P"})
    'opinion'
    >>> basis({"type": "intelligence", "grading": "3C P"})
    'intelligence'
    >>> basis({"kind": "friend"})
    'not stated'
    """
    stated = str(item.get("fact_or_opinion") or "").strip().lower()
    if stated in ("fact", "opinion"):
        return stated
    if str(item.get("grading") or "").strip() or item.get("type") == "intelligence":
        return "intelligence"
    if item.get("derived") or item.get("evidence"):
        return "derived"
    return "not stated"


def label(item: Mapping[str, Any]) -> str:
    """A label for a pack: ``Fact``, ``Opinion``, ``Intelligence (2B P)``, ``Derived by analysis``,
    ``Not stated``.

    >>> label({"grading": "2B P"})
    'Intelligence (2B P)'
    """
    b = basis(item)
    grading = str(item.get("grading") or "").strip()
    return f"{LABELS[b]} ({grading})" if b == "intelligence" and grading else LABELS[b]


def with_basis(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` with ``basis`` and ``basis_label`` columns (for packs and tables)."""
    out = df.copy()
    rows = out.to_dict("records")
    out["basis"] = [basis(r) for r in rows]
    out["basis_label"] = [label(r) for r in rows]
    return out
