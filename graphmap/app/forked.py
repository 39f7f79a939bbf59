"""Work done on the second core while the app's page goes on: a forked process.

Python threads take turns on one core (igraph's Leiden and the Brandes counts hold the GIL: two
threads of Leiden took 3.2 s against 3.8 s one after the other), so the app can use a second
core only from another process. Forked, the child has the window's graph in its memory as the
server holds it (nothing pickled on the way in); only its results are sent back.

Forking a threaded server is safe only for work that takes no lock another thread may have held
at the fork. The child here runs pure computations on the window's graph and frames (igraph,
numpy, networkx, pandas; Arrow resets its own thread pools in a forked child); the one lock
they take, the seeded Leiden's (``peer_groups._RNG_LOCK``), and the lock under which numba
loads the compiled kernels (``_brandes.LOAD_LOCK``), are held by the forking thread across the
fork (so no other thread holds them then) and released in both processes. The
child writes nothing to the server's streams (no warnings, no logging) and leaves with
``os._exit``; its collector is off (a collection would touch every object it shares with the
server and copy their pages). A failed or killed child costs only time: the server then does
the work itself.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import sys
import threading
import warnings
from typing import Any, Callable


def available() -> bool:
    """Fork is there and safe to use: Linux (macOS has fork, but its system libraries do not
    survive it in a threaded process)."""
    return sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()


def _locks() -> list:
    """The locks the child's work may take: held by the forking thread across the fork, so no
    other thread holds them then, and released again in both processes."""
    from ..network._brandes import LOAD_LOCK
    from ..network.peer_groups import _RNG_LOCK

    return [_RNG_LOCK, LOAD_LOCK]


def _quiet() -> None:
    """The child writes nothing to the server's streams: another thread may have held a stream's
    lock at the fork, and a warning or log line would then wait for it for ever."""
    import logging

    logging.disable(logging.CRITICAL)
    warnings.simplefilter("ignore")
    sys.stdout = sys.stderr = open(os.devnull, "w")  # new objects: no lock shared with the server


def _child(jobs: dict[str, Callable[[], Any]], send) -> None:
    for lock in _locks():  # held by the thread that forked: this process's copy of it
        lock.release()
    gc.disable()
    try:
        _quiet()
        for name, fn in jobs.items():  # each result sent as soon as it is done
            try:
                out = (name, True, fn())
            except BaseException as e:  # noqa: BLE001 (sent back and raised in the server)
                out = (name, False, f"{type(e).__name__}: {e}")
            send.send(out)
        send.close()
    finally:
        os._exit(0)


class Forked:
    """Named jobs (``{name: fn}``) run one after another, in order, in a forked child;
    :meth:`result` (from any thread) waits for one and returns its value. Each is sent back as
    soon as it is done, so the first can be used while the child works on the rest.

    ``result`` raises :class:`ChildFailed` when that job raised, or the child died (killed for
    memory) before sending it; the caller then computes the value itself.
    """

    def __init__(self, jobs: dict[str, Callable[[], Any]]):
        ctx = multiprocessing.get_context("fork")
        self._recv, send = ctx.Pipe(duplex=False)
        self._proc = ctx.Process(target=_child, args=(dict(jobs), send), daemon=True, name="graphmap-second-core")
        locks = _locks()
        for lock in locks:
            lock.acquire()
        try:
            with warnings.catch_warnings():
                # Python 3.12 warns on every fork of a threaded process; see the module's note.
                warnings.filterwarnings("ignore", message=".*use of fork\\(\\) may lead to deadlocks.*",
                                        category=DeprecationWarning)
                self._proc.start()
        finally:
            for lock in reversed(locks):
                lock.release()
        send.close()
        self._names = set(jobs)
        self._results: dict[str, tuple[bool, Any]] = {}
        self._ended = ""  # why no more results will come ("" while the child may send more)
        self._changed = threading.Condition()
        # Read as soon as the child sends: a result larger than the pipe's buffer would otherwise
        # keep the child waiting (and alive) until someone asks for it. The thread waits in recv
        # without holding the GIL.
        self._reader = threading.Thread(target=self._read, name="graphmap-second-core-reader", daemon=True)
        self._reader.start()

    def result(self, name: str) -> Any:
        """Job ``name``'s value (waits for it); raises :class:`ChildFailed` when there is none."""
        if name not in self._names:
            raise KeyError(name)
        with self._changed:
            self._changed.wait_for(lambda: name in self._results or self._ended)
            ok, value = self._results.get(name, (False, self._ended))
        if not ok:
            raise ChildFailed(value)
        return value

    def _read(self) -> None:
        why = "the child process ended without a result"
        try:
            while len(self._results) < len(self._names):
                name, ok, value = self._recv.recv()
                with self._changed:
                    self._results[name] = (ok, value)
                    self._changed.notify_all()
        except (EOFError, OSError) as e:
            why = f"{why} ({type(e).__name__})"
        finally:
            self._recv.close()
            self._proc.join()
            with self._changed:
                self._ended = why
                self._changed.notify_all()


class ChildFailed(RuntimeError):
    """The forked child raised or died; the message says which."""
