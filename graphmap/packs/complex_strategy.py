"""The complex strategy pack: every young person linked to an adult of concern or a place, how,
since when, and every piece of evidence with its grading and basis (fact, opinion, ...)."""

from __future__ import annotations

from .. import schema
from ..window import Window
from .figures import network_png, places_png
from .pack import BASIS_KEY, Image, Pack, Section, Table


def _what(c: dict) -> str:
    if c["subject_type"] == "person":
        return "adult of concern"
    return f"place ({str(c.get('location_type') or 'place').replace('_', ' ')})"


def complex_strategy_pack(view: dict, *, window: Window, redaction: str) -> Pack:
    """Build the pack from :func:`graphmap.views.complex_strategy` output (a plain dict)."""
    cands = view["candidates"]
    least = view["min_young_people"]
    one = len(cands) == 1 and view.get("subject_id")
    title = (f"Complex strategy: {cands[0]['label']} ({cands[0]['subject_id']})" if one
             else f"Complex strategy: adults of concern and places linked to {least} or more young people")
    pack = Pack("complex-strategy", title, window.as_at, window.days, window.start, redaction, notes=[BASIS_KEY])
    adults = [c for c in cands if c["subject_type"] == "person"]
    places = [c for c in cands if c["subject_type"] == "location"]
    summary = Section("Summary", paragraphs=[
        f"{len(adults)} adult(s) of concern and {len(places)} place(s) are each linked to {least} or more young "
        f"people in the window (derived by analysis from the records in the sections below). A link is a "
        f"recorded association, being named on the same record, or, for a place, a record there or a recorded "
        f"stay, visit or being found there. Being linked is not a finding that anyone caused harm; it is a "
        f"reason for the meeting to look."])
    summary.tables.append(Table(
        ["subject", "id", "what", "young people", "earliest link", "basis of the evidence"],
        [[c["label"], c["subject_id"], _what(c), c["count"], c["since"],
          _total_basis(c)] for c in cands],
        caption="Most young people first. Basis: how each piece of evidence was recorded (see the key above)."))
    limit = int(schema.setting("packs.complex_strategy_detailed"))
    # The picture: the adults of concern given in full below, each with their young people.
    shown = {c["subject_id"] for c in cands[:limit] if c["subject_type"] == "person"}
    edges = [e for e in view["network"]["edges"] if e["source"] in shown]
    ends = shown | {e["target"] for e in edges}
    if shown:
        summary.images.append(Image(network_png({**view["network"], "edges": edges,
                                                 "nodes": [n for n in view["network"]["nodes"] if n["id"] in ends]},
                                                by_component=True),
                                    "The adults of concern given in full below (diamonds) and the young people linked "
                                    "to them in the window (seeded layout: the same picture at every meeting; line "
                                    "width: pieces of evidence)."))
    if view["places"]:
        summary.images.append(Image(places_png(view["places"], value_key="incidents"),
                                    "Places linked to several young people, sized by the number of young people "
                                    "(labels: place id and that number; no names)."))
    if not cands:
        summary.paragraphs.append(f"No adult of concern or place is linked to {least} or more young people in "
                                  "the window.")
    pack.sections.append(summary)
    for c in cands[:limit]:
        s = Section(f"{c['label']} ({c['subject_id']}): {c['count']} young people", paragraphs=[
            f"{_what(c).capitalize()} linked to {c['count']} young people; the earliest link in the window is "
            f"from {c['since'] or 'an undated record'}."])
        s.tables.append(Table(
            ["young person", "age", "how linked (pieces of evidence)", "since", "last", "gradings", "basis"],
            [[lk["name"], lk["age"], lk["how"], lk["since"], lk["last"], ", ".join(lk["gradings"]), lk["basis"]]
             for lk in c["links"]],
            caption="Each young person linked, how and since when."))
        s.tables.append(Table(
            ["young person", "link", "records", "date", "grading", "basis", "source"],
            [[lk["name"], e["tie"], e["records"], e["date"], e["grading"], e["basis"], e["source"]]
             for lk in c["links"] for e in lk["evidence"]],
            caption="The evidence: every record behind each link, with its grading and whether it was recorded "
                    "as fact or opinion."))
        pack.sections.append(s)
    if len(cands) > limit:
        pack.sections.append(Section("Not given in full here", paragraphs=[
            f"{len(cands) - limit} more subject(s) are in the summary table; make a pack for one with "
            f"`graphmap report complex-strategy --subject ID` (packs.complex_strategy_detailed sets how many "
            f"are given in full)."]))
    return pack


def _total_basis(c: dict) -> str:
    from collections import Counter

    counts: Counter = Counter()
    for lk in c["links"]:
        for e in lk["evidence"]:
            counts[e["basis"]] += 1
    return ", ".join(f"{k} {n}" for k, n in sorted(counts.items()))
