"""How p4c shares the CPUs: how many there are, one BLAS thread where p4c runs its own threads, and
forked children: the file their answer comes back through, waiting for them, stopping them (`Child`
holds the three).

`Child` forks the reading trial (io.py, calamine under a memory budget). A forked child shares the
parent's memory, so it does not pickle its input.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterator
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


class Sender:
    """The child's end of a `Child`: each `send(value)` is pickled to the scratch file, and
    the parent hears of it at once (the file's new end, through a pipe), so that it unpickles one
    part while the child makes the next."""

    def __init__(self, out: IO[bytes], pipe: int) -> None:
        self.out, self.pipe = out, pipe

    def send(self, value: Any) -> None:
        import pickle

        pickler = pickle.Pickler(self.out, protocol=pickle.HIGHEST_PROTOCOL)
        if hasattr(pickler, "fast"):  # no memo: the parts share nothing, and a memo doubles the memory
            pickler.fast = True
        pickler.dump(value)
        self.out.flush()
        os.write(self.pipe, self.out.tell().to_bytes(8, "little"))  # 8 bytes: one atomic pipe write


class Child:
    """`work(sender)` in a forked child, which sends its answer in parts and gives its exit code;
    `received()` gives the parts as each one is whole, `wait()` the code, and `close()` stops a
    child still running and frees the file. Where fork exists only."""

    def __init__(self, work: Callable[[Sender], int]) -> None:
        self.scratch = scratch_file()
        self._pipe, write_end = os.pipe()
        try:
            self.pid = os.fork()
            if self.pid == 0:  # the child: its work, then out with no clean-up of the parent's
                code = 1
                try:
                    os.close(self._pipe)
                    code = work(Sender(self.scratch, write_end))
                    self.scratch.flush()
                finally:
                    os._exit(code)
        finally:
            os.close(write_end)  # the child's own copy is the one end left: EOF when it exits

    def received(self) -> Iterator[Any]:
        """The parts a streaming child sent, in order, each as soon as it is whole; they end when
        the child's end of the pipe closes (it exited or was killed). UnpicklingError or EOFError
        when a part is not whole."""
        import pickle

        start, fd = 0, self.scratch.fileno()
        while len(told := _read_exactly(self._pipe, 8)) == 8:
            end = int.from_bytes(told, "little")
            yield pickle.loads(_read_exactly(fd, end - start, start))  # written by our own child
            start = end

    def wait(self) -> int | None:
        """The exit code (None: reaped by someone else, so the answer is unknown)."""
        code = wait_child(self.pid) if self.pid else None
        self.pid = 0
        return code

    def close(self) -> None:
        if self.pid:
            stop_child(self.pid)
            self.pid = 0
        if self._pipe >= 0:
            os.close(self._pipe)
            self._pipe = -1
        self.scratch.close()


def _read_exactly(fd: int, size: int, offset: int | None = None) -> bytes:
    """`size` bytes of `fd` (at `offset`, or from a pipe), fewer only at its end."""
    parts: list[bytes] = []
    while size > 0:
        part = os.read(fd, size) if offset is None else os.pread(fd, size, offset)
        if not part:
            break
        parts.append(part)
        size -= len(part)
        if offset is not None:
            offset += len(part)
    return b"".join(parts)
