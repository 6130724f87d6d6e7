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


_PR_SET_THP_DISABLE = 41  # linux/prctl.h


def no_huge_pages() -> None:
    """No transparent huge pages for this process and the processes it starts (Linux).

    numpy and Arrow ask for 2 MB pages for their large arrays, and the kernel zeroes each one whole
    as it is first touched. A p4c command lives a few seconds and touches most of its arrays once,
    so that zeroing is pure cost: on a virtual machine it was a third of `p4c rank`'s time on a
    million services (median 2.46 s with huge pages, 1.82 s without; `p4c run` and `p4c ingest`
    did not change). Where the system has no such switch, nothing changes.
    """
    import sys

    if not sys.platform.startswith("linux"):
        return
    import ctypes

    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_THP_DISABLE, 1, 0, 0, 0)
