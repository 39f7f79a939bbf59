"""A thin driver-shaped adapter over FalkorDB, so the Neo4j engine's own code and Cypher run
without a Neo4j server (in the tests, on machines with no Docker).

It offers the part of the ``neo4j`` driver :class:`~graphmap.store.neo4j.Neo4jStore` uses:
``driver.session()``, ``session.run``, ``session.execute_read`` / ``execute_write`` and
``Result.data()``, plus ``cypher_dialect = "falkordb"`` so the engine picks the FalkorDB form
of the few statements that need one (see :data:`graphmap.store.cypher.FALKORDB_FORMS`), and
``create_unique_constraint`` (FalkorDB makes constraints through a command, not Cypher).

Transactions. FalkorDB runs each query atomically but has no multi-statement transactions.
``execute_write`` therefore snapshots the graph first (``GRAPH.COPY``, a server-side copy)
and, if the unit of work raises, deletes the graph and copies the snapshot back, so a failed
load leaves the graph exactly as before. This holds for one writer (the embedded, one-process
use it is for): a reader during a write may see part of it, and a second writer's work during
a failed write would be undone with it. Nothing is retried (FalkorDB embedded has no transient
errors to retry, except that GRAPH.COPY forks, and a fork is refused while the server's
previous child process is still running: the copy waits and tries again). Parameters travel in FalkorDB's ``CYPHER name=value`` header, which the
server parses as literals (the client escapes quotes and backslashes); values are never
pasted into statements.

``falkordblite`` is a development dependency: import this module only where it is installed.
"""

from __future__ import annotations

import time
import uuid
from typing import Any, Callable



def _graph_copy(client, src: str, dst: str, *, attempts: int = 100, wait_s: float = 0.05) -> None:
    """``GRAPH.COPY src dst``, waiting while the server cannot fork yet.

    GRAPH.COPY runs in a forked child, and Redis allows one child at a time: straight after an
    earlier copy (or a background save) the server answers "could not fork". Seen in CI as a
    rare, intermittent failure; the child ends within milliseconds, so waiting and retrying is enough.
    """
    import time

    for attempt in range(attempts):
        try:
            client.execute_command("GRAPH.COPY", src, dst)
            return
        except Exception as exc:  # redis.exceptions.ResponseError
            if "could not fork" not in str(exc) or attempt == attempts - 1:
                raise
            time.sleep(wait_s)

class FalkorResult:
    """The part of ``neo4j.Result`` the engine uses."""

    def __init__(self, result):
        names = [h[1] for h in result.header] if result.header else []
        self._rows = [dict(zip(names, row)) for row in result.result_set]

    def data(self) -> list[dict[str, Any]]:
        return list(self._rows)

    def single(self) -> dict[str, Any] | None:
        return self._rows[0] if self._rows else None

    def consume(self) -> None:
        return None

    def __iter__(self):
        return iter(self._rows)


class FalkorTransaction:
    def __init__(self, graph, read_only: bool):
        self._graph = graph
        self._read_only = read_only

    def run(self, query: str, parameters: dict | None = None, **kw) -> FalkorResult:
        params = {**(parameters or {}), **kw} or None
        q = self._graph.ro_query if self._read_only else self._graph.query
        return FalkorResult(q(query, params))


class FalkorSession:
    def __init__(self, driver: "FalkorDriver"):
        self._driver = driver

    def __enter__(self) -> "FalkorSession":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        return None

    def run(self, query: str, parameters: dict | None = None, **kw) -> FalkorResult:
        """An auto-commit query (one statement, atomic on FalkorDB)."""
        return FalkorTransaction(self._driver.graph, read_only=False).run(query, parameters, **kw)

    def execute_read(self, work: Callable, *args, **kwargs):
        return work(FalkorTransaction(self._driver.graph, read_only=True), *args, **kwargs)

    def execute_write(self, work: Callable, *args, **kwargs):
        """Run ``work(tx)`` as the Neo4j driver runs a managed transaction: an attempt that
        fails with a retryable error (``neo4j.exceptions.TransientError`` and the like) is rolled
        back and ``work`` run again, with backoff, for up to ``max_transaction_retry_time``
        seconds; any other error, or the last one, is raised with the graph as it was."""
        deadline = time.monotonic() + self._driver.max_transaction_retry_time
        delay = 0.05
        while True:
            try:
                return self._write_once(work, *args, **kwargs)
            except Exception as exc:
                retryable = getattr(exc, "is_retryable", lambda: False)()
                if not retryable or time.monotonic() + delay > deadline:
                    raise
                time.sleep(delay)
                delay = min(delay * 2, 1.0)

    def _write_once(self, work: Callable, *args, **kwargs):
        """Run ``work(tx)``; if it raises, put the graph back as it was (see the module notes)."""
        graph = self._driver.graph
        client = graph.client
        snapshot = f"{graph.name}__snapshot_{uuid.uuid4().hex}"
        existed = bool(client.exists(graph.name))
        if existed:
            _graph_copy(client, graph.name, snapshot)
        try:
            result = work(FalkorTransaction(graph, read_only=False), *args, **kwargs)
        except BaseException:
            if client.exists(graph.name):
                client.execute_command("GRAPH.DELETE", graph.name)
            if existed:
                _graph_copy(client, snapshot, graph.name)
            graph.schema.clear()  # the client's cached label/type ids belong to the old graph
            raise
        finally:
            if existed:
                client.execute_command("GRAPH.DELETE", snapshot)
        return result


class FalkorDriver:
    """A driver-shaped handle on one FalkorDB graph.

    Parameters
    ----------
    graph
        A ``falkordb`` / ``redislite.falkordb_client`` ``Graph``.
    db
        The FalkorDB instance, closed with the driver when ``owns_db``.
    """

    cypher_dialect = "falkordb"

    def __init__(self, graph, db=None, owns_db: bool = False, max_transaction_retry_time: float | None = None):
        from .. import schema

        self.graph = graph
        self._db = db
        self._owns_db = owns_db
        # As the Neo4j driver's setting of the same name (graphmap sets it from the same value).
        self.max_transaction_retry_time = float(schema.setting("store.neo4j_retry_seconds")
                                                if max_transaction_retry_time is None else max_transaction_retry_time)

    @classmethod
    def embedded(cls, path: str, graph: str = "graphmap") -> "FalkorDriver":
        """Start (or reopen) an embedded FalkorDB keeping its data in ``path``."""
        from redislite.falkordb_client import FalkorDB

        db = FalkorDB(str(path))
        return cls(db.select_graph(graph), db=db, owns_db=True)

    def session(self, database: str | None = None) -> FalkorSession:
        return FalkorSession(self)

    def create_unique_constraint(self, label: str, prop: str) -> None:
        """FalkorDB's form of ``CREATE CONSTRAINT ... REQUIRE n.prop IS UNIQUE`` (idempotent)."""
        for c in self.graph.list_constraints():
            if c["type"] == "UNIQUE" and c["label"] == label and list(c["properties"]) == [prop]:
                return
        self.graph.create_node_unique_constraint(label, prop)

    def close(self) -> None:
        if self._owns_db and self._db is not None:
            self._db.close()
