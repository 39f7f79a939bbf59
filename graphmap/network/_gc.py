"""Pausing Python's cyclic garbage collector while a result is built in bulk.

Building tens of thousands of plain dicts and lists (one per link, per hop) while a
borough-sized graph and its frames are alive makes the collector re-scan the new containers
again and again: measured on the borough, that was 40-70 % of complex strategy's and exposure's
time. These containers hold no reference cycles, so nothing is lost by collecting after.
"""

from __future__ import annotations

import gc
from contextlib import contextmanager


@contextmanager
def gc_paused():
    """Disable the cyclic collector inside the block (re-enabled after, if it was on)."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()
