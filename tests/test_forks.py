"""forks.py: the CPU count, the one-BLAS-thread block, and a streaming child's parts (the children
are also tested through io and report, which fork them)."""

from __future__ import annotations

import os
import pickle

import numpy as np
import pytest
from threadpoolctl import threadpool_info, threadpool_limits

from p4c.forks import Child, Sender, cpus, one_blas_thread

needs_fork = pytest.mark.skipif(not hasattr(os, "fork"), reason="a streaming child is forked")


def _blas_threads() -> list[int]:
    return [int(lib["num_threads"]) for lib in threadpool_info() if lib["user_api"] == "blas"]


def test_cpus_counts_at_least_one() -> None:
    assert cpus() >= 1


def test_one_blas_thread_limits_blas_inside_the_block_only() -> None:
    np.ones((4, 4)) @ np.ones(4)  # BLAS is loaded
    with threadpool_limits(2, user_api="blas"):  # two, whatever the machine or the environment says
        before = _blas_threads()
        assert before and set(before) == {2}  # numpy's BLAS is found and runs two threads
        with one_blas_thread():
            assert _blas_threads() == [1] * len(before)
        assert _blas_threads() == before


@needs_fork
def test_a_streaming_childs_parts_arrive_while_it_runs() -> None:
    """The first part is received before the child sends the second: the child waits for this
    process's word after the first (and gives up, exit 3, if receiving waited for its exit)."""
    import select

    go_read, go_write = os.pipe()

    def work(out: Sender) -> int:
        out.send(("first", [1, 2]))
        if not select.select([go_read], [], [], 20)[0]:  # the parent has received the first part
            return 3
        out.send(("second", "x" * 100_000))
        return 0

    child = Child(work)
    try:
        parts = child.received()
        assert next(parts) == ("first", [1, 2])
        os.write(go_write, b"!")
        assert list(parts) == [("second", "x" * 100_000)]
        assert child.wait() == 0
    finally:
        child.close()
        os.close(go_read)
        os.close(go_write)


@needs_fork
def test_a_streaming_child_that_dies_ends_its_parts() -> None:
    """What was sent whole is received; the parts end when the child is gone."""

    def work(out: Sender) -> int:
        out.send("whole")
        os._exit(9)

    child = Child(work)
    try:
        assert list(child.received()) == ["whole"]
        assert child.wait() == 9
    finally:
        child.close()


@needs_fork
def test_a_part_cut_short_is_not_received_as_whole() -> None:
    """The child says where a part ends only once it is written: a truncated one is an error."""

    def work(out: Sender) -> int:
        out.out.write(pickle.dumps("cut")[:-2])
        out.out.flush()
        os.write(out.pipe, out.out.tell().to_bytes(8, "little"))
        return 0

    child = Child(work)
    try:
        with pytest.raises((EOFError, pickle.UnpicklingError)):
            list(child.received())
    finally:
        child.close()
