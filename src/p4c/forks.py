"""How p4c shares the CPUs: how many there are, one BLAS thread where p4c runs its own threads, and
forked children: the file their answer comes back through, waiting for them, stopping them (`Child`
holds the three).

Two places fork: the reading trial (io.py, calamine under a memory budget) and the report's chart
aside (report/charts.py). A forked child shares the parent's memory, so neither pickles its input.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import IO, Any


def cpus() -> int:
    """The CPUs this process may run on (its affinity where the system tells it)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def one_blas_thread() -> AbstractContextManager[object]:
    """BLAS (numpy's matrix products) on one thread inside the block, for code that runs its own
    threads: OpenBLAS would start a thread per CPU in each of them, and its idle threads spin, so on
    two CPUs the Monte Carlo took twice the CPU time and half again the wall time."""
    from threadpoolctl import threadpool_limits

    limits: AbstractContextManager[object] = threadpool_limits(1, user_api="blas")
    return limits


def scratch_file() -> IO[bytes]:
    """A file with no name, in memory where the system allows it (Linux), else in the temp folder."""
    if hasattr(os, "memfd_create"):
        with contextlib.suppress(OSError):
            return os.fdopen(os.memfd_create("p4c-child", getattr(os, "MFD_CLOEXEC", 0)), "w+b")
    return tempfile.TemporaryFile()


def wait_child(pid: int) -> int | None:
    """The child's exit code (minus the signal that killed it), or None when someone else reaped
    it (a host that ignores SIGCHLD): what it would have said is then unknown."""
    try:
        _, status = os.waitpid(pid, 0)
    except ChildProcessError:
        return None
    return os.waitstatus_to_exitcode(status)


def stop_child(pid: int) -> None:
    """Kill a child whose answer is no longer wanted, and reap it."""
    import signal

    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
    wait_child(pid)


class Child:
    """`work(out)` in a forked child, which writes its answer to `out` (a scratch file) and gives
    its exit code; `wait()` for the code, then `answer()` for what it pickled; `close()` stops a
    child still running and frees the file. Where fork exists only."""

    def __init__(self, work: Callable[[IO[bytes]], int]) -> None:
        self.scratch = scratch_file()
        self.pid = os.fork()
        if self.pid == 0:  # the child: its work, then out with no clean-up of the parent's
            code = 1
            try:
                code = work(self.scratch)
                self.scratch.flush()
            finally:
                os._exit(code)

    def wait(self) -> int | None:
        """The exit code (None: reaped by someone else, so the answer is unknown)."""
        code = wait_child(self.pid) if self.pid else None
        self.pid = 0
        return code

    def answer(self) -> Any:
        """What the child pickled (EOFError or UnpicklingError when it wrote nothing whole)."""
        import pickle

        self.scratch.seek(0)
        return pickle.load(self.scratch)  # written by our own child, never by a user

    def close(self) -> None:
        if self.pid:
            stop_child(self.pid)
            self.pid = 0
        self.scratch.close()
