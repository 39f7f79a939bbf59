"""The peer-group assessment pack: members, and what the analyses add about the group."""

from __future__ import annotations

from .. import views
from ..window import Window
from .figures import network_png
from .pack import Image, Pack, Section, Table


def peer_group_pack(group: dict, *, window: Window, redaction: str) -> Pack:
    """Build the pack from :func:`graphmap.views.peer_group` output (a plain dict)."""
    title = f"Peer group assessment: {group.get('name') or group['group_id']}"
    pack = Pack("peer-group", title, window.as_at, window.days, window.start, redaction)
    members = Section("Members", paragraphs=[
        f"{len(group['members'])} member(s) whose recorded membership overlaps the window "
        f"(group {group['group_id']}, recorded by {group.get('source', 'unknown')})."])
    matrix = {m["person_id"]: m for m in group.get("matrix", {}).get("members", [])}
    members.tables.append(Table(
        ["person", "id", "age", "role", "flags", "matrix band (total)", "next review"],
        [[m["name"], m["person_id"], m["age"], m["role"], m["flags"],
          f"{matrix[m['person_id']]['combined_band']} ({matrix[m['person_id']]['combined_total']})"
          if m["person_id"] in matrix else "not assessed",
          matrix[m["person_id"]]["next_review"] if m["person_id"] in matrix else ""] for m in group["members"]],
        caption="Matrix: the latest agreed assessment on or before the as-at date."))
    pack.sections.append(members)
    net = group.get("network")
    if net and net["nodes"]:
        ties = Section("Ties between members", images=[Image(network_png(net), "Members and the ties between them "
                                                                              "in the window (seeded layout).")])
        ties.tables.append(Table(["person", "linked to", "pieces of evidence", "records"],
                                 [[e["source"], e["target"], e["weight"], "; ".join(e["evidence"])]
                                  for e in net["edges"]]))
        if not net["edges"]:
            ties.paragraphs.append("No ties between members were recorded in the window.")
        pack.sections.append(ties)
    later = Section("Network, places and actions")
    later.awaiting += [f"{what}: awaits {views.AWAITING[why]}" for what, why in group.get("awaiting", {}).items()]
    pack.sections.append(later)
    return pack
