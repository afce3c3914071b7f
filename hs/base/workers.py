"""Work shared by several processes, where the platform can fork.

The one place hs forks: :func:`in_two_processes` splits a computation in two halves,
:func:`in_processes` maps a function over chunks of many items in a pool. Where
fork is missing (Windows), or fails, the two halves are done in this process and the
pool's workers are spawned (:mod:`hs.base.portable`): the answer is the same, only slower.
"""

from __future__ import annotations

import contextlib
import marshal
import os
from collections.abc import Callable
from typing import Any, TypeVar

from hs.base import portable

T = TypeVar("T")


def in_two_processes(work: Callable[[int], list[T]], encode: Callable[[T], Any],
                     decode: Callable[[Any], T]) -> list[T]:
    """``work(0) + work(1)``, the second in a forked process. Whatever goes wrong there
    (no fork, the process fails, its answer is cut short), it is done here instead; if
    the first half fails here, the forked process is stopped and the failure goes on.
    The forked half's results come back through a pipe as ``marshal`` data:
    ``encode`` makes one result marshal-able, ``decode`` makes it back."""
    if not portable.can_fork():
        return work(0) + work(1)
    try:
        read_end, write_end = os.pipe()
    except OSError:
        return work(0) + work(1)
    # Ctrl-C waits until the forked process is inside the block that ends it: it must
    # never return into the caller (and print or write as the command would)
    old_mask = portable.block_sigint()
    try:
        pid = portable.fork()
    except OSError:
        portable.restore_signals(old_mask)
        os.close(read_end)
        os.close(write_end)
        return work(0) + work(1)
    if pid == 0:  # the forked process
        code = 1
        try:
            portable.restore_signals(old_mask)
            os.close(read_end)
            data = marshal.dumps([encode(p) for p in work(1)])
            with os.fdopen(write_end, "wb") as fh:
                fh.write(data)
            code = 0
        finally:
            os._exit(code)
    portable.restore_signals(old_mask)
    os.close(write_end)
    reader = os.fdopen(read_end, "rb")
    done = False
    try:
        mine = work(0)
        data = reader.read()
        done = True
    finally:  # closed first: a process still writing then stops instead of waiting
        reader.close()
        if not done:
            with contextlib.suppress(OSError):
                portable.kill_hard(pid)
        _, status = os.waitpid(pid, 0)
    theirs: list[T] | None = None
    if os.waitstatus_to_exitcode(status) == 0:
        try:
            theirs = [decode(p) for p in marshal.loads(data)]
        except (EOFError, ValueError, TypeError):
            theirs = None
    return mine + (theirs if theirs is not None else work(1))


R = TypeVar("R")
S = TypeVar("S")


def in_processes(work: Callable[[list[T]], R], items: list[T], take: Callable[[R], list[S]],
                 *, processes: int, pieces: int, least: int) -> list[S] | None:
    """``work`` on chunks of ``items`` in up to ``processes`` worker processes (forked;
    spawned where fork is missing: then ``work`` must be a module's function), what
    ``take`` makes of each chunk's answer joined in order (taken as the answers come, while
    the other chunks are worked on). Chunks hold ``len(items) // (processes * pieces)``
    items, at least ``least``. None where there are no processes to be had (one CPU, the
    pool fails): then the caller does the work itself."""
    workers = min(os.cpu_count() or 1, processes)
    if workers < 2:
        return None
    # lazy: only a cold read of a large tree starts a pool; other commands never load these
    import concurrent.futures as cf

    size = max(least, len(items) // (workers * pieces))
    chunks = [items[i:i + size] for i in range(0, len(items), size)]
    out: list[S] = []
    try:
        with cf.ProcessPoolExecutor(workers, mp_context=portable.pool_context()) as pool:
            for answer in pool.map(work, chunks):
                out.extend(take(answer))
    except (OSError, cf.process.BrokenProcessPool):
        return None
    return out
