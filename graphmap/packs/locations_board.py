"""The Locations Board pack: places by incidents, and one place's profile; people as counts only."""

from __future__ import annotations

from .. import views
from ..window import Window
from .figures import places_png
from .pack import Image, Pack, Section, Table


def locations_board_pack(board: dict, *, window: Window, redaction: str, top: int = 25) -> Pack:
    """Build the pack from :func:`graphmap.views.locations_board` output (a plain dict)."""
    pack = Pack("locations-board", "Locations Board", window.as_at, window.days, window.start, redaction)
    places = board["places"]
    with_incidents = [p for p in places if p["incidents"]]
    ranked = Section("Places by incidents in the window", paragraphs=[
        f"{len(with_incidents)} of {len(places)} place(s) held had incidents starting in the window. "
        "People are shown only as counts at this board."])
    ranked.tables.append(Table(
        ["place", "id", "type", "ward", "incidents", "incident records"],
        [[p["name"], p["location_id"], p["type"].replace("_", " "), p["ward"], p["incidents"],
          ", ".join(p["incident_ids"])] for p in with_incidents[:top]],
        caption=f"The {min(top, len(with_incidents))} places with most incidents; each count is the records listed."))
    if any(p["latitude"] is not None for p in places):
        ranked.images.append(Image(places_png(places), "Mapped places, sized by incidents in the window "
                                                       "(labels: place id and count)."))
    if board.get("unmapped"):
        ranked.paragraphs.append(f"{board['unmapped']} place(s) have no coordinates and cannot be mapped.")
    ranked.awaiting += [f"{what}: awaits {views.AWAITING[why]}" for what, why in board.get("awaiting", {}).items()]
    pack.sections.append(ranked)
    prof = board.get("profile")
    if prof:
        s = Section(f"Place profile: {prof['name'] or prof['location_id']} ({prof['location_id']})", paragraphs=[
            f"{prof['type'].replace('_', ' ')}" + (f", {prof['ward']} ward" if prof["ward"] else "") + ".",
            f"{prof['incidents']} incident(s) in the window, naming {prof['young_people']} young people and "
            f"{prof['adults_of_concern']} adult(s) of concern (reporting roles not counted)."])
        s.tables.append(Table(["incident type", "incidents"], [[k, v] for k, v in prof["by_type"].items()],
                              caption="Incidents by type"))
        s.paragraphs.append("Records: " + (", ".join(prof["incident_ids"]) or "none") + ".")
        s.awaiting.append("trend, hour x day profile, groups using the place and suggested actions under "
                          "Identify / Prevent / Support / Protect / Disrupt (the places analyses, issue 5)")
        pack.sections.append(s)
    return pack
