"""``hs match plan`` of two versions on one tree, interleaved: wall, CPU and peak memory.

    python benchmarks/match_plan.py --before OLD_HS --after NEW_HS --tree DIR \
        [--before-tree COPY] [--runs 7]

``OLD_HS`` and ``NEW_HS`` are commands (split on spaces), e.g. ``.venv/bin/hs`` or
``env PYTHONPATH=/old/checkout .venv/bin/python -m hs``. Each version first runs ``hs
waitlist`` once (its cache warm), then one run of each alternates ``--runs`` times, so
both see the same load on a shared machine. Every run's output must be byte for byte the
same as the first run's of the old version.

The cache keeps one version's folder (named after the code of hs/base, records, store
and rules): two versions that differ there would throw each other's cache away on one
tree, and every run would be cold. Give the old version a copy of the tree then
(``--before-tree``; ``cp -a`` and one ``hs waitlist`` there).

For each version: median, lowest and highest of the wall clock, of the CPU time (user +
system, git included) and of the peak resident memory (``ru_maxrss``: the largest of
the ``hs`` process and the processes it waited for).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import time
from pathlib import Path

ENV = {**os.environ, "HS_TODAY": "2025-12-31", "HS_LANG": "en", "NO_COLOR": "1",
       "COLUMNS": "120"}
ENV.pop("HS_REPO", None)
ENV.pop("PYTHONDONTWRITEBYTECODE", None)  # a user's Python keeps its bytecode


def once(cmd: list[str], tree: Path) -> tuple[float, float, float, bytes]:
    """Wall seconds, CPU seconds, peak memory (MB) and the output of one run."""
    start = time.perf_counter()
    proc = subprocess.Popen([*cmd, "match", "plan", "--format", "plain"], cwd=tree, env=ENV,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    assert proc.stdout is not None
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)}: exit {proc.returncode}")
    # wait4's usage is the process's own with that of the processes it waited for (git)
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", required=True)
    parser.add_argument("--after", required=True)
    parser.add_argument("--tree", type=Path, required=True)
    parser.add_argument("--before-tree", type=Path, help="the old version's copy of the tree")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    cmds = {"before": args.before.split(), "after": args.after.split()}
    trees = {"before": args.before_tree or args.tree, "after": args.tree}
    for name, cmd in cmds.items():
        subprocess.run([*cmd, "waitlist", "--format", "plain"], cwd=trees[name], env=ENV,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    figures: dict[str, list[tuple[float, float, float]]] = {name: [] for name in cmds}
    expected: bytes | None = None
    for _ in range(args.runs):
        for name, cmd in cmds.items():
            wall, cpu, mem, out = once(cmd, trees[name])
            if expected is None:
                expected = out
            elif out != expected:
                raise SystemExit(f"{name}: the output differs")
            figures[name].append((wall, cpu, mem))
    print(f"hs match plan, {args.runs} interleaved runs each; output byte for byte the same")
    for i, what in enumerate(("wall s", "CPU s", "peak MB")):
        for name in cmds:
            values = [f[i] for f in figures[name]]
            print(f"{what:8} {name:7} median {statistics.median(values):7.3f}  "
                  f"[{min(values):.3f}-{max(values):.3f}]")


if __name__ == "__main__":
    main()
