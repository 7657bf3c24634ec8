"""The cyclic garbage collector, paused while a project is read, checked and compiled.

Reading and compiling a big project allocates hundreds of thousands of objects that all
stay alive (the located YAML tree, the spec, tables, validators). Each of them counts
towards CPython's next collection, and as the heap grows the collector keeps walking all
of it again, finding nothing: for 200 entities × 40 fields that was half of the time.
Reference counting still frees everything that is not in a cycle; cycles made meanwhile
are collected once the outermost pause ends.
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
_thresholds = gc.get_threshold()


@contextmanager
def collector_paused() -> Iterator[None]:
    """Run the block without full collections (the young generations are still
    collected, which costs little); nested and concurrent pauses end when the last one
    does, and leave the thresholds as they found them."""
    global _depth, _thresholds
    with _lock:
        if _depth == 0:
            _thresholds = gc.get_threshold()
            young, middle, _ = _thresholds
            gc.set_threshold(young, middle, _PAUSED_THRESHOLD)
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                gc.set_threshold(*_thresholds)
