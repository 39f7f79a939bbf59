"""The weekly review pack: the week's missing episodes and Merlin reports, repeat missing,
young people missing at the same time, and new ties to known groups and adults of concern."""

from __future__ import annotations

from ..window import Window
from .figures import network_png, places_png
from .pack import BASIS_KEY, Image, Pack, Section, Table


def weekly_review_pack(view: dict, *, window: Window, redaction: str) -> Pack:
    """Build the pack from :func:`graphmap.views.weekly_review` output (a plain dict).

    ``window`` is the sidebar or command-line window; the week reviewed is the view's own
    (``weekly_review.days`` ending on the as-at date) and is said in the title.
    """
    week = Window.ending(view["end"], view["days"])
    pack = Pack("weekly-review", f"Weekly review: {view['start']} to {view['end']}", week.as_at, week.days,
                week.start, redaction, notes=[BASIS_KEY])
    recs = view["records"]
    missing = sum(1 for r in recs if r["type"] == "missing")
    s = Section("Missing episodes and Merlin reports", paragraphs=[
        f"{missing} missing episode(s) and {len(recs) - missing} Merlin report(s) started in the {view['days']} "
        f"days {view['start']} to {view['end']}."])
    if view["places"]:
        s.images.append(Image(places_png(view["places"]), "Where this week's records happened (for a missing "
                                                          "episode, where the young person was found), sized "
                                                          "by records (labels: place id and count; no names)."))
    s.tables.append(Table(["record", "type", "start", "end", "place", "young people named (role)", "source", "basis"],
                          [[r["incident_id"], r["type"], r["start"], r["end"], r["place"], r["people"], r["source"],
                            r["basis"]] for r in recs],
                          caption="Oldest first. People who only reported a record are not listed."))
    pack.sections.append(s)

    rep = Section("Repeat missing", paragraphs=[f"Repeat missing here means: {view['repeat_definition']}."])
    rep.table_or("No young person met this definition this week.",
                 ["young person", "episodes in the period", "this week", "longest (hours)", "first", "latest",
                  "records"],
                 [[r["name"], r["episodes"], r["this_week"], r["longest_hours"], r["first"], r["last"],
                   ", ".join(r["records"])] for r in view["repeat_missing"]],
                 caption="Counted from the missing records listed (basis: derived by analysis).")
    pack.sections.append(rep)

    co = Section("Missing at the same time (co-missing)", paragraphs=[
        f"Young people whose missing episodes overlapped in time this week. Overlaps are counted over the "
        f"{view['co_missing_period_days']} days up to {view['end']}; the same two young people missing over the "
        f"same nights more often than their own missing histories would give by chance is a pattern; one "
        f"overlap, or repeats within chance, may be coincidence (derived by analysis)."])
    co.table_or("No missing episodes overlapped this week.",
                ["young person", "missing at the same time as", "overlaps this week",
                 "overlapping episodes in the period", "hours overlapping", "pattern", "records"],
                [[p["name_a"], p["name_b"], ", ".join(p["this_week"]), p["overlapping_episodes"],
                  p["overlap_hours"], "yes" if p["pattern"] else "no",
                  "; ".join(" + ".join(pair) for pair in p["records"])] for p in view["co_missing"]])
    pack.sections.append(co)

    ties = Section("New ties to known groups and adults of concern", paragraphs=[
        f"Ties first seen this week (nothing tied the two in the {view['new_ties_lookback_days']} days before) "
        f"between someone and a member of a recorded group they are not in, or between a young person and an "
        f"adult of concern."])
    if view["new_ties"]:
        ties.tables.append(Table(["person", "tied to", "first seen", "why it matters", "how (pieces of evidence)",
                                  "basis"],
                                 [[t["name_a"], t["name_b"], t["first"], t["known"],
                                   ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in t["ties"].items()), t["basis"]]
                                  for t in view["new_ties"]]))
        ties.tables.append(Table(["person", "tied to", "link", "records", "date", "grading", "basis", "source"],
                                 [[t["name_a"], t["name_b"], e["tie"], e["records"], e["date"], e["grading"],
                                   e["basis"], e["source"]] for t in view["new_ties"] for e in t["evidence"]],
                                 caption="The evidence behind each new tie."))
    else:
        ties.paragraphs.append("No new ties to known groups or adults of concern this week.")
    if view["network"]["nodes"]:
        ties.images.append(Image(network_png(view["network"], by_component=True), "Young people missing at the same time this week "
                                                               "and new ties (seeded layout; adults of concern as "
                                                               "diamonds)."))
    pack.sections.append(ties)
    return pack
