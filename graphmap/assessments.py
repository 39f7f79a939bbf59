"""Recording risk-matrix assessments: from a form (flags), a CSV or a YAML file to a batch.

Assessments go through the same validation as every canonical record (``schema/records.yaml``
``assessments``), plus the framework's own checks: levels written as on the paper form
("positive", "No concern") are normalised; an agreed assessment must rate every domain; a
column that is neither an assessment column nor a domain is an error (a misspelt domain must
not vanish into the extra properties). History is never overwritten: a new assessment gets a
new id, and a changed row with a stored id is rejected (:func:`records.protect_history`).
"""

from __future__ import annotations

import uuid
from datetime import date
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

import numpy as np
import pandas as pd

from . import records, schema
from .records import Batch, FileSummary, InputError, Reject
from .risk import Framework, framework, frameworks, normalise_level


def new_assessment_id(assessed_on: str) -> str:
    """A fresh id: ``A-<date>-<8 hex>`` (unique without asking the store)."""
    return f"A-{assessed_on.replace('-', '')}-{uuid.uuid4().hex[:8]}"


def rows_from_file(path: str | Path) -> list[dict[str, str]]:
    """Assessment rows from a CSV (one row per assessment, a column per domain, ``why_<domain>``
    for rationales) or a YAML file (one mapping or a list; ``levels:`` and ``why:`` may be
    nested mappings)."""
    path = Path(path)
    if path.suffix.lower() in (".yaml", ".yml"):
        data = schema.read_yaml(path, missing="no such file", error=InputError)
        items = data if isinstance(data, list) else [data]
        out = []
        for i, item in enumerate(items, start=1):
            if not isinstance(item, dict):
                raise InputError(f"{path}: item {i}: expected a mapping")
            flat = {k: v for k, v in item.items() if k not in ("levels", "why")}
            flat.update(item.get("levels") or {})
            flat.update({f"why_{k}": v for k, v in (item.get("why") or {}).items()})
            out.append({str(k): "" if v is None else str(v) for k, v in flat.items()})
        return out
    return records.read_csv_text(path).to_dict("records")


def assessment_batch(rows: list[Mapping[str, Any]], *, file: str, fw: Framework | None = None,
                     lookup: records.RefLookup | None = None,
                     stored: Callable[[str, set[str]], pd.DataFrame] | None = None,
                     today: date | None = None, default_source: str = "assessment") -> Batch:
    """Validate assessment rows into a :class:`~graphmap.records.Batch` ready for a store.

    Parameters
    ----------
    rows : list of mappings
        One per assessment: ``person_id``, ``assessed_on``, ``assessor``, ``status``, a level per
        domain, optional ``assessment_id`` (made when empty), ``why_<domain>``, ``framework``.
    file : str
        How rejects name the input (a path, or ``"--level flags"``).
    lookup, stored : callables
        ``Store.existing_ids`` and ``Store.get`` (reference and history checks).

    Raises
    ------
    InputError
        For a column that is neither an assessment column nor a domain of the framework.
    """
    fw = fw or framework()
    registry = frameworks({fw.id: fw})
    spec = schema.record_specs()["assessments"]
    known = set(spec.all_columns)
    raw = pd.DataFrame([{str(k).strip(): ("" if v is None else str(v)) for k, v in r.items()} for r in rows])
    if raw.empty:
        raise InputError(f"{file}: no assessments given")
    unknown = [c for c in raw.columns if c not in known]
    if unknown:
        raise InputError(f"{file}: unknown column(s) {', '.join(unknown)}: not a domain of framework {fw.id} "
                         f"({', '.join(fw.domains)}) nor an assessment column")
    for c in spec.all_columns:
        if c not in raw.columns:
            raw[c] = ""
    raw = raw.fillna("")
    # Defaults a form leaves to the tool: the framework in force, a source, a fresh id.
    raw.loc[raw["framework"].str.strip() == "", "framework"] = fw.id
    raw.loc[raw["source"].str.strip() == "", "source"] = default_source
    status = raw["status"].str.strip().str.lower()
    raw["status"] = status
    for k in fw.domains:
        raw[k] = raw[k].map(lambda v: normalise_level(v) if str(v).strip() else "")
    missing_id = raw["assessment_id"].str.strip() == ""
    raw.loc[missing_id, "assessment_id"] = [new_assessment_id(str(d).strip() or "undated")
                                            for d in raw.loc[missing_id, "assessed_on"]]

    v = records.Validator(today)
    clean, rejects, ok = v.validate(spec, raw, file)
    rows_no = np.arange(2, len(raw) + 2)
    bad = ~ok
    for i, r in enumerate(clean.to_dict("records")):
        fwi = registry.get(r["framework"])
        if fwi is None:
            rejects.append(Reject(file, int(rows_no[i]), "framework", r["framework"],
                                  f"unknown framework (known: {', '.join(registry)})"))
            bad[i] = True
            continue
        for k in fwi.domains:
            if r[k] and r[k] not in fwi.levels:
                rejects.append(Reject(file, int(rows_no[i]), k, r[k],
                                      f"not a level of {fwi.id} ({', '.join(fwi.levels)})"))
                bad[i] = True
        if r["status"] == "agreed":
            for k in fwi.domains:
                if not r[k]:
                    rejects.append(Reject(file, int(rows_no[i]), k, "",
                                          "an agreed assessment rates every domain (leave it a draft until then)"))
                    bad[i] = True
    clean["_row"] = rows_no
    clean.attrs["file"] = file
    batch = Batch()
    batch.rejects.extend(rejects)
    keep = ~bad
    batch.tables["assessments"] = records._keep(clean, keep)
    batch.files.append(FileSummary(file, "assessments", read=len(raw)))
    records.check_references(batch, lookup)
    if stored is not None:
        records.protect_history(batch, stored)
    records.finish(batch)
    return batch


def rows_from_flags(*, person_id: str, assessed_on: str, assessor: str, status: str,
                    levels: Iterable[str], why: Iterable[str], assessment_id: str = "",
                    source: str = "", summary: str = "") -> list[dict[str, str]]:
    """One assessment row from ``--level domain=level`` / ``--why domain=text`` pairs."""
    row = {"assessment_id": assessment_id, "person_id": person_id, "assessed_on": assessed_on,
           "assessor": assessor, "status": status, "source": source, "summary": summary}
    for kind, pairs in (("", levels), ("why_", why)):
        for pair in pairs:
            if "=" not in pair:
                raise InputError(f"--{'why' if kind else 'level'} {pair!r}: expected DOMAIN=VALUE")
            k, val = pair.split("=", 1)
            row[f"{kind}{k.strip()}"] = val.strip()
    return [row]
