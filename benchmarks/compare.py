"""Two versions of hs on one tree, measured interleaved: the figures of a change.

    python benchmarks/compare.py --before OLD/.venv/bin/hs --after NEW/.venv/bin/hs \
        --tree DIR [--runs 5] [--visit TRAJECTORY] [--json FILE]

Each figure is measured as whole processes, wall clock, alternating one run of the
``--before`` command with one run of the ``--after`` command, so that both see the same
load on a shared machine; it reports the median, the lowest and the highest of ``--runs``
runs of each, and the ratio of the medians (after / before). The tree (``--tree``, a
records repository in git, e.g. made by ``hs demo generate`` and committed) is used by
both versions; each one's cache is its own (the cache folder is named after the code), so
a warm run of one never reads the other's cache.

Figures:

* ``validate cold``: ``hs validate``, the ``.hs`` folder removed first;
* ``validate warm`` and ``waitlist warm``: nothing changed since the last run;
* ``validate edited`` and ``waitlist edited``: right after five files were edited (a
  comment line added, as a coordinator's editor would);
* ``visit``: ``hs visit TRAJECTORY --date D``, a writing command with its commit, on a
  warm cache (each run logs a visit on a new day; the commits are undone at the end);
* ``--help``;
* ``match plan``: ``hs match plan`` for every location, warm cache.

With ``--cpu`` every figure is the CPU time (user and system) of the process and of the
processes it waited for (git included) instead of the wall clock: a busy machine
disturbs it less.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import shutil
import statistics
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ENV = {**os.environ, "HS_TODAY": "2025-12-31", "HS_LANG": "en", "NO_COLOR": "1",
       "COLUMNS": "120", "GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "bench@example.org",
       "GIT_COMMITTER_NAME": "bench", "GIT_COMMITTER_EMAIL": "bench@example.org"}
ENV.pop("HS_REPO", None)
ENV.pop("PYTHONDONTWRITEBYTECODE", None)  # a user's Python keeps its bytecode


CPU = {"on": False}  # --cpu: measure CPU time instead of the wall clock


def _cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def run(cmd: list[str], cwd: Path, ok: tuple[int, ...] = (0, 1)) -> float:
    """Wall-clock seconds of one process (with ``--cpu``: its CPU seconds and those of the
    processes it waited for); a failure stops the benchmark (exit 1 is allowed by
    default: validate exits 1 when it finds problems)."""
    started, cpu = time.perf_counter(), _cpu()
    proc = subprocess.run(cmd, cwd=cwd, env=ENV, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True)
    seconds = _cpu() - cpu if CPU["on"] else time.perf_counter() - started
    if proc.returncode not in ok:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}): {proc.stderr[-500:]}")
    return seconds


def edit(tree: Path, n: int, round_: int) -> None:
    """Add a comment line to ``n`` record files (other files each round)."""
    files = sorted((tree / "records" / "families").glob("*.yaml"))
    step = max(1, len(files) // (n * 7))
    for i in range(n):
        path = files[(round_ * n + i) * step % len(files)]
        with path.open("a", encoding="utf-8") as fh:
            fh.write(f"# benchmark edit {round_}.{i}\n")


def measure(name: str, runs: int, versions: dict[str, list[str]],
            once: Callable[[str, list[str]], float]) -> dict[str, Any]:
    times: dict[str, list[float]] = {v: [] for v in versions}
    for _ in range(runs):
        for version, hs in versions.items():
            times[version].append(once(version, hs))
    out: dict[str, Any] = {"figure": name}
    for version, ts in times.items():
        out[version] = {"median": statistics.median(ts), "min": min(ts), "max": max(ts),
                        "runs": ts}
    out["ratio"] = out["after"]["median"] / out["before"]["median"]
    print(f"{name:<18} before {out['before']['median']:7.3f} s "
          f"[{out['before']['min']:.3f}-{out['before']['max']:.3f}]   "
          f"after {out['after']['median']:7.3f} s "
          f"[{out['after']['min']:.3f}-{out['after']['max']:.3f}]   "
          f"after/before {out['ratio']:.2f}", flush=True)
    return out


def _command(given: str) -> str:
    """A command given as a path relative to here (``.venv/bin/hs``) made absolute: the
    commands run in the tree's folder."""
    return str(Path(given).resolve()) if os.sep in given and Path(given).exists() else given


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", required=True, help="the old version's hs command")
    parser.add_argument("--after", required=True, help="the new version's hs command")
    parser.add_argument("--tree", type=Path, required=True, help="a records repository")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--visit", help="a running trajectory of the tree, for 'visit'")
    parser.add_argument("--skip", default="", help="figures to leave out, comma-separated")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--cpu", action="store_true",
                        help="CPU time (process and children) instead of wall clock")
    args = parser.parse_args(argv)
    CPU["on"] = args.cpu
    tree: Path = args.tree.resolve()
    versions = {"before": [_command(args.before)], "after": [_command(args.after)]}
    skip = set(filter(None, args.skip.split(",")))
    results: list[dict[str, Any]] = []
    counter = {"round": 0}

    def cold(_: str, hs: list[str]) -> float:
        shutil.rmtree(tree / ".hs", ignore_errors=True)
        return run([*hs, "validate"], tree)

    def warm(command: list[str]) -> Callable[[str, list[str]], float]:
        def once(_: str, hs: list[str]) -> float:
            run([*hs, *command], tree)  # brings this version's cache up to date
            return run([*hs, *command], tree)
        return once

    def edited(command: list[str]) -> Callable[[str, list[str]], float]:
        def once(_: str, hs: list[str]) -> float:
            run([*hs, *command], tree)
            counter["round"] += 1
            edit(tree, 5, counter["round"])
            return run([*hs, *command], tree)
        return once

    figures: list[tuple[str, Callable[[str, list[str]], float]]] = [
        ("validate cold", cold),
        ("validate warm", warm(["validate"])),
        ("waitlist warm", warm(["waitlist", "--format", "plain"])),
        ("validate edited", edited(["validate"])),
        ("waitlist edited", edited(["waitlist", "--format", "plain"])),
        ("--help", warm(["--help"])),
        ("match plan", warm(["match", "plan", "--format", "plain"])),
    ]
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=tree, env=ENV, text=True,
                          capture_output=True, check=True).stdout.strip()
    if args.visit:
        day = {"n": 0}

        def visit(_: str, hs: list[str]) -> float:
            run([*hs, "waitlist", "--format", "plain"], tree)  # a warm cache
            day["n"] += 1
            date = (dt.date(2025, 12, 5) + dt.timedelta(days=day["n"])).isoformat()
            return run([*hs, "visit", args.visit, "--date", date, "--minutes", "60"], tree,
                       ok=(0,))

        figures.append(("visit", visit))
    try:
        for name, once in figures:
            if name not in skip:
                results.append(measure(name, args.runs, versions, once))
    finally:  # the tree as it was: no edits, no benchmark commits
        subprocess.run(["git", "reset", "-q", "--hard", head], cwd=tree, env=ENV, check=True)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
