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
