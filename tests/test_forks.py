"""forks.py: the CPU count and the one-BLAS-thread block (the children are tested through io and
report, which fork them)."""

from __future__ import annotations

import numpy as np
from threadpoolctl import threadpool_info, threadpool_limits

from p4c.forks import cpus, one_blas_thread


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
