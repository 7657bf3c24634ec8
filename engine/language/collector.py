"""The cyclic garbage collector, paused while a project is read, checked and compiled,
and while records are written in bulk.

Reading and compiling a big project allocates hundreds of thousands of objects that all
stay alive (the located YAML tree, the spec, tables, validators). Each of them counts
towards CPython's next collection, and as the heap grows the collector keeps walking all
of it again, finding nothing: for 200 entities × 40 fields that was half of the time.
Reference counting still frees everything that is not in a cycle; cycles made meanwhile
are collected once the outermost pause ends.

A bulk write (an import) allocates a few dicts and rows per record, batch after batch:
with automatic collection on, about a sixth of its time went to collections, and full
collections over a heap that grows with the caller's rows made a 1M-row import slow
down as it went. It pauses all automatic collection (`young=False`) and collects the
young generations itself after each batch (`sweep`), where a batch's garbage is, so its
memory stays bounded; that measured ~10 % faster than leaving the young generations to
the automatic thresholds.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

# Full collections wait until this many collections of the middle generation have run.
_PAUSED_THRESHOLD = 1_000_000

_lock = threading.Lock()
_depth = 0
_quiet = 0  # pauses that also stop the automatic collection of the young generations
_thresholds = gc.get_threshold()


def _apply() -> None:
    """Set the thresholds the open pauses ask for (the caller holds the lock)."""
    young, middle, _ = _thresholds
    if _depth == 0:
        gc.set_threshold(*_thresholds)
    elif _quiet:
        gc.set_threshold(0, middle, _PAUSED_THRESHOLD)  # 0: no automatic collection
    else:
        gc.set_threshold(young, middle, _PAUSED_THRESHOLD)


@contextmanager
def collector_paused(*, young: bool = True) -> Iterator[None]:
    """Run the block without full collections (with `young`, the young generations are
    still collected automatically, which costs little; without, the caller `sweep`s);
    nested and concurrent pauses end when the last one does, and leave the thresholds as
    they found them."""
    global _depth, _quiet, _thresholds
    with _lock:
        if _depth == 0:
            _thresholds = gc.get_threshold()
        _depth += 1
        _quiet += not young
        _apply()
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            _quiet -= not young
            _apply()


def sweep() -> None:
    """Collect the young generations (a batch's garbage): cheap, unlike a full
    collection."""
    gc.collect(1)
