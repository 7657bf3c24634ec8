"""Python's cyclic garbage collector during bulk writes.

An import allocates a handful of dicts and rows per record. With automatic collection
on, each allocation burst promotes survivors to the oldest generation and triggers full
collections, each scanning every object of the process (the compiled app, the caller's
rows): about a sixth of an import's time was spent there. During a bulk write automatic
collection is paused instead, and after each batch the young generations (where a
batch's garbage is) are collected by hand, so memory stays bounded and cycles made
meanwhile, here or in other threads, are still reclaimed. Pauses nest and may overlap
across threads: collection comes back on when the last one ends, if it was on before
the first.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_paused = 0
_was_enabled = False


def sweep() -> None:
    """Collect the young generations (a batch's garbage); cheap, unlike a full
    collection."""
    gc.collect(1)


@contextmanager
def paused() -> Iterator[None]:
    """Automatic collection off for the duration (see the module docstring); call
    `sweep` after each batch."""
    global _paused, _was_enabled
    with _lock:
        if _paused == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _paused += 1
    try:
        yield
    finally:
        with _lock:
            _paused -= 1
            if _paused == 0 and _was_enabled:
                gc.enable()
