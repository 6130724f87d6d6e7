"""Pausing Python's cyclic garbage collector around loops that make many small objects."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def no_gc() -> Iterator[None]:
    """No automatic garbage collection in the block.

    A loop that makes an object a row (a list a sheet row, a message a reason) makes the collector
    walk everything alive again and again to find no cycle: 0.2-0.3 s for 100,000 sheet rows, and
    more as the process holds more. The collector is back on, as it was, after the block; objects
    made in the block that are still alive are walked once then, so drop big ones inside it.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
