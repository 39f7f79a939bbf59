"""Make a pack of any kind from a store: the one path the CLI and the app share."""

from __future__ import annotations

from .. import views
from ..store import Store
from ..window import Window
from .locations_board import locations_board_pack
from .pack import Pack
from .peer_group import peer_group_pack


def build_pack(kind: str, store: Store, window: Window, *, redaction: str, group_id: str | None = None,
               location_id: str | None = None, person_id: str | None = None) -> Pack:
    """Build a pack; raises ``ValueError`` for an unknown kind or a missing id, ``KeyError`` for an unknown id."""
    if kind == "locations-board":
        return locations_board_pack(views.locations_board(store, window, location_id), window=window,
                                    redaction=redaction)
    if kind == "peer-group":
        if not group_id:
            raise ValueError("a peer-group pack needs --group ID")
        return peer_group_pack(views.peer_group(store, window, group_id, redaction=redaction), window=window,
                               redaction=redaction)
    raise ValueError(f"unknown pack kind {kind!r}")
