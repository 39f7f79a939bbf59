"""The person pack: one young person's timeline, ties with their evidence, places, groups and
the risk matrix, for a strategy discussion or a review (the Person profile page's content)."""

from __future__ import annotations

from ..provenance import label as basis_label
from ..window import Window
from .figures import network_png, places_png
from .pack import BASIS_KEY, Image, Pack, Section, Table


def _ev_line(e: dict) -> str:
    what = e.get("kind") or e.get("type") or e.get("record", "")
    when = str(e.get("start") or e.get("first_seen") or "")[:10]
    return " ".join(p for p in (str(what).replace("_", " "), str(e.get("id", "")), when) if p)


def _basis_counts(evidence: list[dict]) -> str:
    from collections import Counter

    counts = Counter(basis_label(e) for e in evidence)
    return ", ".join(f"{k} {n}" for k, n in sorted(counts.items()))


def person_pack(view: dict, *, window: Window, redaction: str) -> Pack:
    """Build the pack from :func:`graphmap.views.person_profile` output (plus ``network`` from
    :func:`graphmap.views.ego_network` and ``mapped`` places with coordinates)."""
    p = view["person"]
    who = view["name"] if view["name"] == p["person_id"] else f"{view['name']} ({p['person_id']})"
    pack = Pack("person", f"Person profile: {who}", window.as_at, window.days, window.start, redaction,
                notes=[BASIS_KEY])
    # Each record's own basis (fact / opinion / grading), for the ties' evidence: incidents by id,
    # associations by (other person, kind, source) as the timeline holds them.
    recorded = {t["id"]: t for t in view["timeline"]}
    recorded |= {(t.get("other_person_id"), t.get("what"), t.get("source")): t
                 for t in view["timeline"] if t["record"] == "associations"}

    def own(pid: str, e: dict) -> dict:
        key = (pid, e.get("kind"), e.get("source")) if e.get("record") == "associations" else e.get("id")
        return recorded.get(key, e)

    about = Section("About", paragraphs=[
        f"{str(p['role']).replace('_', ' ')}" + (f", age {view['age']}" if view.get("age") is not None else "")
        + (f", flags: {p['flags'].replace(';', ', ')}" if p.get("flags") else "") + f" (recorded by {p['source']})."])
    m = view["matrix"]["current"]
    about.paragraphs.append(
        f"Risk matrix: {m['combined_band']} (total {m['combined_total']}, agreed {m['assessed_on']}; next review "
        f"{m.get('next_review') or 'not set'})." if m else "Risk matrix: no agreed assessment on or before the as-at date.")
    pack.sections.append(about)
    tl = Section("Timeline", tables=[Table(
        ["date", "record", "what", "id", "source", "grading", "basis"],
        [[t["date"], t["record"], str(t.get("what", "")).replace("_", " "), t["id"], t["source"], t.get("grading", ""),
          basis_label(t)] for t in view["timeline"]],
        caption="Every record about the person up to the as-at date, oldest first.")])
    pack.sections.append(tl)
    ties = Section("Ties in the window", tables=[Table(
        ["person", "role", "pieces of evidence", "evidence", "basis"],
        [[t["name"], str(t["role"]).replace("_", " "), len(t["evidence"]),
          "; ".join(_ev_line(e) for e in t["evidence"]),
          _basis_counts([own(t["person_id"], e) for e in t["evidence"]])] for t in view["ties"]])])
    if view.get("network", {}).get("nodes"):
        ties.images.append(Image(network_png(view["network"]), "The person (large) and the people tied to them in the "
                                                               "window (seeded layout; adults of concern as diamonds)."))
    pack.sections.append(ties)
    places = Section("Places in the window", tables=[Table(
        ["place", "id", "type", "ward", "hotspot", "records"],
        [[pl["name"], pl["location_id"], str(pl["type"]).replace("_", " "), pl["ward"], "yes" if pl["hotspot"] else "",
          "; ".join(_ev_line(e) for e in pl["evidence"])] for pl in view["places"]])])
    if view.get("mapped"):
        places.images.append(Image(places_png(view["mapped"]), "The person's places, sized by records (labels: place "
                                                               "id and count)."))
    pack.sections.append(places)
    pack.sections.append(Section("Groups", tables=[Table(
        ["group", "id", "basis of membership", "first seen", "source"],
        [[g.get("name", ""), g["group_id"], basis_label(g) if g.get("basis") == "recorded" else "Derived by analysis",
          g.get("first_seen", ""), g.get("source", "")] for g in view["groups"]])]))
    props = [pr for pr in view["proposals"] if pr.get("reasons")]
    pack.sections.append(Section("Matrix levels the records suggest (for the practitioner to weigh)", tables=[Table(
        ["domain", "suggested level", "why"],
        [[pr["label"], pr["level_label"], "; ".join(r["reason"] for r in pr["reasons"])] for pr in props])]))
    return pack
