"""Stores: one interface (:class:`Store`), two engines (embedded SQLite, Neo4j).

>>> import tempfile, os
>>> with open_store(os.path.join(tempfile.mkdtemp(), "g.db")) as s:
...     s.engine
'sqlite'
"""

from __future__ import annotations

import os

from .. import schema
from .base import LoadResult, Store, Subgraph, window_bounds

__all__ = ["open_store", "default_url", "shown_url", "Store", "LoadResult", "Subgraph", "window_bounds"]


def default_url() -> str:
    """``$GRAPHMAP_DB`` if set, else the default in ``schema/settings.yaml`` (``graphmap.db``)."""
    return os.environ.get("GRAPHMAP_DB") or str(schema.setting("store.default_url"))


def shown_url(url: str | os.PathLike | None) -> str:
    """A store URL safe to print: any ``user:password@`` part is removed.

    >>> shown_url("bolt://neo:secret@db.example:7687")
    'bolt://db.example:7687'
    """
    url = str(url) if url is not None else default_url()
    if "://" in url and "@" in url.split("://", 1)[1].split("/", 1)[0]:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://{rest.split('@', 1)[1]}"
    return url


def open_store(url: str | os.PathLike | None = None) -> Store:
    """Open a store by URL.

    Parameters
    ----------
    url : str, optional
        A plain path or ``sqlite:///path`` for the embedded engine; ``neo4j://``,
        ``neo4j+s://``, ``bolt://`` or ``bolt+s://`` for a Neo4j server (user and password
        from ``$GRAPHMAP_NEO4J_USER`` / ``$GRAPHMAP_NEO4J_PASSWORD``). Default:
        :func:`default_url`.
    """
    url = str(url) if url is not None else default_url()
    scheme = url.split("://", 1)[0].lower() if "://" in url else ""
    if scheme in ("neo4j", "neo4j+s", "neo4j+ssc", "bolt", "bolt+s", "bolt+ssc"):
        from .neo4j import Neo4jStore

        return Neo4jStore.from_url(url)
    if scheme in ("", "sqlite", "file"):
        from .sqlite import SQLiteStore

        # SQLAlchemy's convention: sqlite:///rel.db is relative, sqlite:////abs/g.db absolute.
        path = url.split(":///", 1)[1] if scheme else url
        if not path:
            raise ValueError(f"{url}: no file path in the store URL")
        return SQLiteStore(path)
    raise ValueError(f"unknown store URL scheme {scheme!r} (use a path, sqlite:///path, neo4j:// or bolt://)")
