"""Make a pack of any kind from a store: the one path the CLI and the app share.

Every kind is built at its redaction level the same way (:func:`graphmap.views.at_level`): what
the level withholds is never read from the store, so it cannot reach a count, a picture or a
sentence; at family-present everyone but the family's own child (``person_id``) is a role
label ("Young person A"); the pack says what was withheld under its title.
"""

from __future__ import annotations

import os
from pathlib import Path

from .. import schema, views
from ..safe import inside
from ..store import Store
from ..window import Window
from .complex_strategy import complex_strategy_pack
from .locations_board import locations_board_pack
from .pack import Pack
from .peer_group import peer_group_pack
from .person import person_pack
from .weekly_review import weekly_review_pack


def build_pack(kind: str, store: Store, window: Window, *, redaction: str, group_id: str | None = None,
               location_id: str | None = None, person_id: str | None = None, subject_id: str | None = None) -> Pack:
    """Build a pack; raises ``ValueError`` for an unknown kind or a missing id, ``KeyError`` for an unknown id.

    ``person_id`` is the young person the meeting is about: at family-present the one child
    named (their family knows them); ``subject_id`` picks one adult or place for complex strategy.
    """
    subjects = frozenset({person_id}) if person_id else frozenset()

    def view(fn):
        return views.at_level(fn, store, redaction, subjects=subjects)

    if kind == "locations-board":
        data = view(lambda s: views.locations_board(s, window, location_id))
        pack = locations_board_pack(data, window=window, redaction=redaction)
    elif kind == "peer-group":
        if not group_id:
            raise ValueError("a peer-group pack needs --group ID")
        data = view(lambda s: views.peer_group(s, window, group_id, redaction=redaction))
        pack = peer_group_pack(data, window=window, redaction=redaction)
    elif kind == "complex-strategy":
        data = view(lambda s: views.complex_strategy(s, window, redaction=redaction, subject_id=subject_id))
        pack = complex_strategy_pack(data, window=window, redaction=redaction)
    elif kind == "weekly-review":
        data = view(lambda s: views.weekly_review(s, window.as_at, redaction=redaction))
        pack = weekly_review_pack(data, window=window, redaction=redaction)
    elif kind == "person":
        if not person_id:
            raise ValueError("a person pack needs --person ID")
        data = view(lambda s: _person(s, window, person_id, redaction))
        pack = person_pack(data, window=window, redaction=redaction)
    else:
        raise ValueError(f"unknown pack kind {kind!r}")
    pack.notes.insert(0, data["redaction_note"])
    return pack


def _person(store, window: Window, person_id: str, redaction: str) -> dict:
    """The person profile view with the ego network and mapped places for the pack's pictures."""
    data = views.person_profile(store, window, person_id, redaction=redaction)
    data["age"] = views.age_on(data["person"]["date_of_birth"], window.as_at)
    data["network"] = views.ego_network(store, window, person_id, hops=1, redaction=redaction)
    ids = {pl["location_id"] for pl in data["places"]}
    locs = store.get("locations", ids) if ids else None
    coords = {} if locs is None else {r["location_id"]: r for r in locs.to_dict("records") if r["latitude"]}
    data["mapped"] = [{"location_id": pl["location_id"], "incidents": len(pl["evidence"]),
                       "latitude": float(coords[pl["location_id"]]["latitude"]),
                       "longitude": float(coords[pl["location_id"]]["longitude"])}
                      for pl in data["places"] if pl["location_id"] in coords]
    return data


def out_path(out: str | os.PathLike) -> Path:
    """Where ``--out`` may write a pack: anywhere the user can, unless ``$GRAPHMAP_PACK_DIR`` or
    ``packs.out_dir`` names a folder, when it must lie inside it (``..``, absolute paths and
    symlinks leading out are refused: :func:`graphmap.safe.inside`). A relative ``out`` is then
    taken inside that folder."""
    folder = os.environ.get("GRAPHMAP_PACK_DIR") or str(schema.setting("packs.out_dir", "") or "")
    if not folder:
        return Path(out)
    return inside(folder, out)
