"""Work shared by two processes: whatever goes wrong in the forked one, the answer is the
same as in one process."""

from __future__ import annotations

from typing import Any

import pytest

from hs.base.workers import in_two_processes
from hs.records.problems import Problem


def _problem(t: Any) -> Problem:
    return Problem(*t)


def test_a_failing_second_process_leaves_the_work_to_the_first() -> None:
    import os


    me = os.getpid()

    def work(half: int) -> list[Problem]:
        if os.getpid() != me:
            raise RuntimeError("the forked process fails")
        return [Problem(f"records/x{half}.yaml", 1, 1, "c", "m")]

    out = in_two_processes(work, Problem.as_tuple, _problem)
    assert [p.path for p in out] == ["records/x0.yaml", "records/x1.yaml"]

    def dies(half: int) -> list[Problem]:
        if os.getpid() != me:
            os._exit(0)  # gone without an answer, as if killed
        return [Problem(f"records/y{half}.yaml", 1, 1, "c", "m")]

    out = in_two_processes(dies, Problem.as_tuple, _problem)
    assert [p.path for p in out] == ["records/y0.yaml", "records/y1.yaml"]


def test_no_fork_to_be_had(monkeypatch: pytest.MonkeyPatch) -> None:
    import os


    def no_fork() -> int:
        raise OSError("no processes left")

    monkeypatch.setattr(os, "fork", no_fork)
    out = in_two_processes(lambda h: [Problem(f"r{h}", 1, 1, "c", "m")],
                           Problem.as_tuple, _problem)
    assert [p.path for p in out] == ["r0", "r1"]


def test_a_failing_first_half_does_not_wait_for_the_second_forever() -> None:
    """When this process fails in its half, the forked one, blocked writing a long answer
    nobody reads, stops; the failure comes out."""
    import os


    me = os.getpid()

    def work(half: int) -> list[Problem]:
        if os.getpid() == me:
            raise RuntimeError("this half fails")
        return [Problem(f"records/x{i}.yaml", 1, 1, "c", "m" * 200) for i in range(2000)]

    with pytest.raises(RuntimeError, match="this half fails"):
        in_two_processes(work, Problem.as_tuple, _problem)


def _double(chunk: list[int]) -> list[int]:
    return [2 * n for n in chunk]


def _fails(chunk: list[int]) -> list[int]:
    raise OSError("no room for a process")


def test_a_pool_answers_in_the_order_of_the_items() -> None:
    """:func:`in_processes` gives what one process gives, chunk by chunk in order; where
    the pool fails it gives None, and the caller does the work itself."""
    import os

    from hs.base.workers import in_processes

    items = list(range(1000))
    out = in_processes(_double, items, list, processes=2, pieces=4, least=10)
    if (os.cpu_count() or 1) >= 2:  # forked, or spawned where there is no fork
        assert out == _double(items)
        assert in_processes(_fails, items, list, processes=2, pieces=4, least=10) is None
    else:
        assert out is None
    assert in_processes(_double, items, list, processes=1, pieces=4, least=10) is None
