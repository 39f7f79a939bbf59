"""The Locations Board pack: ranked hotspots and one place's profile; people as counts only."""

from __future__ import annotations

from ..window import Window
from .figures import places_png
from .pack import Image, Pack, Section, Table


def locations_board_pack(board: dict, *, window: Window, redaction: str) -> Pack:
    """Build the pack from :func:`graphmap.views.locations_board` output (a plain dict)."""
    pack = Pack("locations-board", "Locations Board", window.as_at, window.days, window.start, redaction)
    hot = board["hotspots"]
    ranked = Section("Hotspots", paragraphs=[
        f"{len(hot)} ranked place(s) with incidents starting in the window, of {len(board['places'])} held. "
        "People are shown only as counts at this board."])
    active = [p for p in board["places"] if p["incidents"]]
    if any(p["latitude"] is not None for p in active):
        ranked.images.append(Image(places_png(active), "Places with incidents in the window, sized by incidents "
                                                       "(labels: place id and count)."))
    ranked.tables.append(Table(
        ["rank", "place", "id", "type", "ward", "score", "incidents", "trend", "young people", "groups",
         "adults of concern", "score parts"],
        [[h["rank"], h["name"], h["location_id"], str(h["type"]).replace("_", " "), h["ward"], f"{h['score']:g}",
          h["incidents"], h["trend"]["label"], h["young_people"], h["groups"], h["adults_of_concern"],
          " + ".join(f"{k.replace('_', ' ')} {v['value']} x {v['weight']:g}" for k, v in h["parts"].items())]
         for h in hot],
        caption="Each count is the records behind it (incident ids in the place profile and the analyse JSON)."))
    if board.get("unmapped"):
        ranked.paragraphs.append(f"{board['unmapped']} place(s) have no coordinates and cannot be mapped.")
    pack.sections.append(ranked)
    prof = board.get("profile")
    if prof:
        c = prof["counts"]
        s = Section(f"Place profile: {prof['name'] or prof['location_id']} ({prof['location_id']})", paragraphs=[
            f"{str(prof['type']).replace('_', ' ')}" + (f", {prof['ward']} ward" if prof["ward"] else "") + ".",
            f"{c['incidents']} incident(s) in the window ({c['previous']} in the window before: {prof['trend']['label']}), "
            f"{c['young_people']} young people, {c['groups']} group(s), {c['adults_of_concern']} adult(s) of concern, "
            f"{c['found_missing']} found here when missing."])
        s.tables.append(Table(["incident type", "incidents"], [[k, v] for k, v in c["by_type"].items()],
                              caption="Incidents by type"))
        tp = prof["time_profile"]
        s.tables.append(Table(["day"] + [f"{h:02d}" for h in tp["hours"]],
                              [[d] + list(row) for d, row in zip(tp["days"], tp["counts"])],
                              caption="Hour of day x day of week"))
        s.tables.append(Table(["heading", "suggested action", "why"],
                              [[h, a["action"], a["reason"]] for h, acts in prof["actions"].items() for a in acts],
                              caption="Suggested actions (the board decides)"))
        s.paragraphs.append("Records: " + (", ".join(prof["evidence"]["incident_ids"]) or "none") + ".")
        pack.sections.append(s)
    return pack
