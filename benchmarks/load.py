"""Benchmarks of reading a records tree: hs against raw bytes, ruamel.yaml and check-jsonschema.

    python benchmarks/load.py [--sizes 1000,10000,50000] [--out DIR] [--json FILE]

For each size it generates a demo tree (``hs demo generate --records N``, fictional data)
in a temporary folder (or under ``--out``; never in git) and measures:

* ``load_tree`` cold (no ``.hs`` cache) and warm (cache fresh), in a fresh Python process
  each time, timed inside the process around the call (imports it needs included), per
  record and as a ratio to reading the raw bytes of the same files;
* whole processes, wall clock: ``hs validate`` cold (cache removed), ``hs validate`` and
  ``hs waitlist`` warm with nothing changed and right after a few files were edited (a
  comment line added), the same outside git, ``hs --help``;
* a writing command, whole process, wall clock, warm cache: ``hs visit`` on a running
  trajectory (a visit on a new day each run, with its commit; the cache was warmed by the
  command before, as a coordinator's previous command would);
* ``hs match plan`` for every location, warm cache, whole process (wall, CPU, and its
  peak memory);
* ruamel.yaml round-trip load (what a tool that keeps comments must do per file) on a
  sample of files, extrapolated to the whole tree;
* check-jsonschema on a sample of files against the JSON Schemas of the records,
  extrapolated to the whole tree.

The operating system's file cache is warm in every case ("cold" means no hs cache): the
files were just written. Warm figures are the best of ``--repeat`` runs (after one warm-up
run); process figures give the wall clock and the CPU time (user + system, children
included), which other load on the machine disturbs less. The cold ``hs validate`` is
also the best of ``--repeat`` runs, each with the cache removed first (every run is
printed).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from hs.records.ids import FOLDER

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
SCHEMAS = REPO / "schemas"
KINDS = {folder: kind for kind, folder in FOLDER.items()}  # the record kinds of the spec
ENV = {**os.environ, "HS_TODAY": "2025-12-31", "HS_LANG": "en", "NO_COLOR": "1",
       "COLUMNS": "120"}
ENV.pop("HS_REPO", None)
ENV.pop("PYTHONDONTWRITEBYTECODE", None)  # a user's Python keeps its bytecode
GIT = ["git", "-c", "user.name=bench", "-c", "user.email=bench@example.org",
       "-c", "commit.gpgsign=false"]


def hs_command() -> list[str]:
    script = Path(sys.executable).parent / "hs"
    return [str(script)] if script.exists() else [sys.executable, "-m", "hs"]


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def wall(cmd: Sequence[str], check: bool = True) -> tuple[float, int, float]:
    """Wall-clock seconds, exit code and CPU seconds (user + system) of one process."""
    cpu = children_cpu()
    started = time.perf_counter()
    proc = subprocess.run(list(cmd), env=ENV, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True)
    seconds = time.perf_counter() - started
    if check and proc.returncode not in (0,):
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}): {proc.stderr[-500:]}")
    return seconds, proc.returncode, children_cpu() - cpu


def best_wall(cmd: Sequence[str], repeat: int, check: bool = True) -> tuple[float, float]:
    """Best wall time of ``repeat`` runs after a warm-up run, and the CPU time of that run."""
    wall(cmd, check)  # warm-up (also refreshes the cache)
    runs = [wall(cmd, check) for _ in range(repeat)]
    best = min(runs, key=lambda r: r[0])
    return best[0], best[2]


def in_process(code: str) -> dict[str, Any]:
    """Run ``code`` in a fresh interpreter; it prints one JSON object as its last line."""
    proc = subprocess.run([sys.executable, "-"], input=code, env=ENV, capture_output=True,
                          text=True, check=True)  # on stdin: a long list of paths fits
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


LOAD = """
import json, sys, time
from pathlib import Path
from hs.store.load import load_tree
t0 = time.perf_counter()
r = load_tree(Path({root!r}))
t1 = time.perf_counter()
print(json.dumps({{"seconds": t1 - t0, "parsed": r.parsed, "files": len(r.files),
                  "problems": len(r.problems)}}))
"""

RAW = """
import json, time
from pathlib import Path
from hs.store.layout import walk
t0 = time.perf_counter()
n = 0
size = 0
for rf in walk(Path({root!r})):
    size += len(rf.path.read_bytes())
    n += 1
print(json.dumps({{"seconds": time.perf_counter() - t0, "files": n, "bytes": size}}))
"""

RUAMEL = """
import json, time
from pathlib import Path
paths = {paths!r}
t0 = time.perf_counter()
from ruamel.yaml import YAML
y = YAML(typ="rt")
for p in paths:
    y.load(Path(p).read_text(encoding="utf-8"))
print(json.dumps({{"seconds": time.perf_counter() - t0, "files": len(paths)}}))
"""


def sample(files: list[Path], k: int) -> list[Path]:
    """Every n-th file, so that every kind is in proportion."""
    if k >= len(files):
        return files
    step = len(files) / k
    return [files[int(i * step)] for i in range(k)]


def record_files(root: Path) -> list[Path]:
    out: list[Path] = []
    for folder in KINDS:
        out.extend(sorted((root / "records" / folder).glob("*.yaml")))
    return out


def schema_dir(workdir: Path) -> tuple[Path, str]:
    """The JSON Schemas: the repository's, else `hs schema`, else straight from the models."""
    if all((SCHEMAS / f"{kind}.schema.json").is_file() for kind in KINDS.values()):
        return SCHEMAS, "schemas/ of the repository"
    out = workdir / "schemas"
    out.mkdir(exist_ok=True)
    proc = subprocess.run([*hs_command(), "schema", "--out", str(out)], env=ENV,
                          capture_output=True, text=True)
    if proc.returncode == 0 and all((out / f"{k}.schema.json").is_file()
                                    for k in KINDS.values()):
        return out, "hs schema"
    from hs.records.models import MODELS

    for kind in KINDS.values():
        schema = MODELS[kind].model_json_schema()
        (out / f"{kind}.schema.json").write_text(json.dumps(schema, indent=1))
    return out, "pydantic model_json_schema (hs schema not available)"


def check_jsonschema(root: Path, schemas: Path, k: int) -> dict[str, Any]:
    exe = Path(sys.executable).parent / "check-jsonschema"
    if not exe.exists():
        return {"available": False}
    total = 0.0
    checked = 0
    failures = 0
    for folder, kind in KINDS.items():
        files = sorted((root / "records" / folder).glob("*.yaml"))
        n_all = len(files)
        share = max(1, round(k * n_all / max(1, len(record_files(root))))) if k else n_all
        part = sample(files, min(share, n_all))
        if not part:
            continue
        started = time.perf_counter()
        proc = subprocess.run([str(exe), "--schemafile", str(schemas / f"{kind}.schema.json"),
                               *map(str, part)], env=ENV, capture_output=True, text=True)
        seconds = time.perf_counter() - started
        total += seconds * n_all / len(part)
        checked += len(part)
        if proc.returncode != 0:
            failures += 1
    return {"available": True, "seconds_extrapolated": total, "files_checked": checked,
            "kinds_with_errors": failures}


def touch(files: list[Path], start: int, n: int = 5) -> None:
    """Change ``n`` files as a coordinator's editor would: a comment line added at the end
    (new bytes, same record), not committed."""
    for i in range(n):
        p = files[(start * 7919 + i * 104729) % len(files)]
        with p.open("a", encoding="utf-8") as fh:
            fh.write(f"# checked {start}.{i}\n")


RUNNING = """
import json
from pathlib import Path
from hs.store.load import load_tree
index = load_tree(Path({root!r})).index
found = sorted(t.id for t in index.trajectories.values()
               if t.end is None and t.start.isoformat() < "2025-11-01")
print(json.dumps({{"trajectory": found[0] if found else None}}))
"""
WRITER = {**ENV, "GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "bench@example.org",
          "GIT_COMMITTER_NAME": "bench", "GIT_COMMITTER_EMAIL": "bench@example.org"}


def visit_runs(hs: list[str], root: Path, repeat: int) -> dict[str, Any]:
    """``hs visit`` on a running trajectory, warm cache: the best of ``repeat`` runs (after
    a warm-up run), each a visit on a new day in December 2025, committed."""
    trajectory = in_process(RUNNING.format(root=str(root)))["trajectory"]
    if trajectory is None:
        return {"available": False}
    runs = []
    for i in range(repeat + 1):
        cmd = [*hs, "visit", trajectory, "--date", f"2025-12-{2 + i:02d}", "--minutes", "60",
               "--repo", str(root)]
        t0, cpu0 = time.perf_counter(), children_cpu()
        subprocess.run(cmd, env=WRITER, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       check=True)
        runs.append((time.perf_counter() - t0, children_cpu() - cpu0))
    best = min(runs[1:], key=lambda x: x[0])
    return {"available": True, "seconds": best[0], "cpu": best[1],
            "runs": [x[0] for x in runs[1:]]}


def plan_runs(hs: list[str], root: Path, repeat: int) -> tuple[float, float, float]:
    """``hs match plan`` (every location), warm cache: the best wall time of ``repeat``
    runs after a warm-up, its CPU time, and the highest peak memory (MB) of the runs."""
    cmd = [*hs, "match", "plan", "--format", "plain", "--repo", str(root)]
    wall(cmd)
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, env=ENV, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        _pid, status, used = os.wait4(proc.pid, 0)  # this process's own resource usage
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode})")
        runs.append((time.perf_counter() - started, used.ru_utime + used.ru_stime,
                     used.ru_maxrss / 1024))
    best = min(runs)
    return best[0], best[1], max(r[2] for r in runs)


def bench(size: int, base: Path, args: argparse.Namespace) -> dict[str, Any]:
    hs = hs_command()
    root = base / f"demo-{size}"
    if root.exists():
        shutil.rmtree(root)
    t0 = time.perf_counter()
    gen = subprocess.run([*hs, "demo", "generate", str(root), "--records", str(size),
                          "--seed", str(args.seed)], env=ENV, capture_output=True, text=True,
                         check=True)
    r: dict[str, Any] = {"size": size, "generate_seconds": time.perf_counter() - t0,
                         "generate_message": gen.stderr.strip().splitlines()[0]}
    files = record_files(root)
    r["records"] = len(files)
    cache = root / ".hs"
    # a records tree lives in git: commit it, as `hs init` and every hs command do
    t0 = time.perf_counter()
    subprocess.run([*GIT, "init", "-q", str(root)], check=True)
    subprocess.run([*GIT, "-C", str(root), "add", "records"], check=True)
    subprocess.run([*GIT, "-C", str(root), "commit", "-q", "-m", "demo"], check=True)
    r["git_commit_seconds"] = time.perf_counter() - t0

    raw = [in_process(RAW.format(root=str(root))) for _ in range(args.repeat)]
    r["raw_seconds"] = min(x["seconds"] for x in raw)
    r["raw_bytes"] = raw[0]["bytes"]

    shutil.rmtree(cache, ignore_errors=True)
    cold = in_process(LOAD.format(root=str(root)))
    r["load_cold_seconds"] = cold["seconds"]
    r["load_cold_parsed"] = cold["parsed"]
    r["load_problems"] = cold["problems"]
    warm = [in_process(LOAD.format(root=str(root))) for _ in range(args.repeat)]
    r["load_warm_seconds"] = min(x["seconds"] for x in warm)
    r["load_warm_parsed"] = warm[0]["parsed"]

    validate = [*hs, "validate", "--repo", str(root)]
    colds = []
    for _ in range(args.repeat):  # the best of several, as for the warm figures
        shutil.rmtree(cache, ignore_errors=True)
        colds.append(wall(validate, False))
    r["validate_cold_seconds"], code, r["validate_cold_cpu"] = min(colds, key=lambda c: c[0])
    r["validate_cold_runs"] = [c[0] for c in colds]
    r["validate_exit_code"] = code
    r["validate_warm_seconds"], r["validate_warm_cpu"] = best_wall(validate, args.repeat,
                                                                   False)
    waitlist = [*hs, "waitlist", "--repo", str(root), "--format", "plain"]
    has_waitlist = wall([*hs, "waitlist", "--help"], False)[1] == 0
    r["waitlist_available"] = has_waitlist
    if has_waitlist:
        r["waitlist_warm_seconds"], r["waitlist_warm_cpu"] = best_wall(waitlist, args.repeat)

    touched_validate = []
    touched_waitlist = []
    for i in range(args.repeat):
        touch(files, 2 * i)
        touched_validate.append(wall(validate, False))
        if has_waitlist:
            touch(files, 2 * i + 1)
            touched_waitlist.append(wall(waitlist))
    best = min(touched_validate, key=lambda x: x[0])
    r["validate_touched_seconds"], r["validate_touched_cpu"] = best[0], best[2]
    if has_waitlist:
        best = min(touched_waitlist, key=lambda x: x[0])
        r["waitlist_touched_seconds"], r["waitlist_touched_cpu"] = best[0], best[2]

    r["help_seconds"], r["help_cpu"] = best_wall([*hs, "--help"], max(5, args.repeat))
    r["plan_seconds"], r["plan_cpu"], r["plan_mb"] = plan_runs(hs, root, args.repeat)
    if has_waitlist:
        wall(waitlist)  # the cache warm again after the edits, as after any command
    r["visit"] = visit_runs(hs, root, args.repeat)

    # the same tree outside git: every file's signature is looked at
    os.rename(root / ".git", root / ".git-away")
    try:
        if has_waitlist:
            r["nogit_waitlist_warm_seconds"], r["nogit_waitlist_warm_cpu"] = best_wall(
                waitlist, args.repeat)
            runs = []
            for i in range(args.repeat):
                touch(files, 2 * i + 101)
                runs.append(wall(waitlist))
            best = min(runs, key=lambda x: x[0])
            r["nogit_waitlist_touched_seconds"], r["nogit_waitlist_touched_cpu"] = (
                best[0], best[2])
        r["nogit_validate_warm_seconds"], r["nogit_validate_warm_cpu"] = best_wall(
            validate, args.repeat, False)
    finally:
        os.rename(root / ".git-away", root / ".git")

    part = sample(files, args.ruamel_sample)
    rt = in_process(RUAMEL.format(paths=[str(p) for p in part]))
    r["ruamel_sample"] = len(part)
    r["ruamel_seconds_extrapolated"] = rt["seconds"] * len(files) / len(part)

    schemas, source = schema_dir(base)
    r["schemas_from"] = source
    r["check_jsonschema"] = check_jsonschema(root, schemas, args.jsonschema_sample)
    if not args.keep:
        shutil.rmtree(root)
    return r


def report(results: list[dict[str, Any]]) -> str:
    lines = []
    for r in results:
        n = r["records"]
        cj = r["check_jsonschema"]
        lines += [
            f"== {n:,} records ({r['raw_bytes'] / 1e6:.1f} MB), generated in "
            f"{r['generate_seconds']:.1f} s, committed to git in "
            f"{r['git_commit_seconds']:.1f} s",
            f"  raw bytes read (walk + read)     {r['raw_seconds']:8.3f} s",
            f"  load_tree cold (no cache)        {r['load_cold_seconds']:8.3f} s   "
            f"{r['load_cold_seconds'] / n * 1e6:7.1f} us/record   "
            f"{r['load_cold_seconds'] / r['raw_seconds']:6.1f}x raw",
            f"  load_tree warm (cache)           {r['load_warm_seconds']:8.3f} s   "
            f"{r['load_warm_seconds'] / n * 1e6:7.1f} us/record   "
            f"{r['load_warm_seconds'] / r['raw_seconds']:6.1f}x raw",
            f"  hs validate, cold, process       {r['validate_cold_seconds']:8.3f} s   "
            f"cpu {r['validate_cold_cpu']:6.3f} s   (exit {r['validate_exit_code']}; runs "
            + ", ".join(f"{x:.2f}" for x in r["validate_cold_runs"]) + " s)",
            f"  hs validate, warm, process       {r['validate_warm_seconds']:8.3f} s   "
            f"cpu {r['validate_warm_cpu']:6.3f} s",
            f"  hs validate, 5 files edited      {r['validate_touched_seconds']:8.3f} s   "
            f"cpu {r['validate_touched_cpu']:6.3f} s",
            f"  outside git: hs validate warm    {r['nogit_validate_warm_seconds']:8.3f} s   "
            f"cpu {r['nogit_validate_warm_cpu']:6.3f} s",
        ]
        if r["waitlist_available"]:
            lines += [
                f"  hs waitlist, warm, process       {r['waitlist_warm_seconds']:8.3f} s   "
                f"cpu {r['waitlist_warm_cpu']:6.3f} s",
                f"  hs waitlist, 5 files edited      {r['waitlist_touched_seconds']:8.3f} s   "
                f"cpu {r['waitlist_touched_cpu']:6.3f} s",
                f"  outside git: hs waitlist warm    {r['nogit_waitlist_warm_seconds']:8.3f} s"
                f"   cpu {r['nogit_waitlist_warm_cpu']:6.3f} s",
                f"  outside git: 5 files edited      "
                f"{r['nogit_waitlist_touched_seconds']:8.3f} s   "
                f"cpu {r['nogit_waitlist_touched_cpu']:6.3f} s",
            ]
        else:
            lines.append("  hs waitlist                      not available")
        visit = r.get("visit", {})
        if visit.get("available"):
            lines.append(
                f"  hs visit (a write), warm         {visit['seconds']:8.3f} s   "
                f"cpu {visit['cpu']:6.3f} s   (runs "
                + ", ".join(f"{x:.2f}" for x in visit["runs"]) + " s)")
        else:
            lines.append("  hs visit                         no running trajectory")
        lines.append(
            f"  hs match plan, warm              {r['plan_seconds']:8.3f} s   "
            f"cpu {r['plan_cpu']:6.3f} s   peak memory {r['plan_mb']:.0f} MB")
        lines += [
            f"  hs --help, process               {r['help_seconds']:8.3f} s   "
            f"cpu {r['help_cpu']:6.3f} s",
            f"  ruamel.yaml round trip (est.)    {r['ruamel_seconds_extrapolated']:8.3f} s   "
            f"(sample of {r['ruamel_sample']:,} files, extrapolated)   "
            f"hs validate cold is "
            f"{r['ruamel_seconds_extrapolated'] / r['validate_cold_seconds']:.1f}x faster",
        ]
        if cj.get("available"):
            lines.append(
                f"  check-jsonschema (est.)          {cj['seconds_extrapolated']:8.3f} s   "
                f"(sample of {cj['files_checked']:,} files, extrapolated; schemas from "
                f"{r['schemas_from']}; kinds with errors: {cj['kinds_with_errors']})")
        else:
            lines.append("  check-jsonschema                 not installed (pip install "
                         "'hs[bench]')")
    return "\n".join(lines)


def targets(r: dict[str, Any]) -> list[tuple[str, bool]]:
    out = []
    if r["waitlist_available"]:
        out.append(("warm read-everything command (hs waitlist) < 0.3 s",
                    r["waitlist_warm_seconds"] < 0.3))
        out.append(("same after a few files changed < 0.5 s",
                    r["waitlist_touched_seconds"] < 0.5))
    out.append(("warm hs validate < 0.3 s", r["validate_warm_seconds"] < 0.3))
    out.append(("hs validate after a few files changed < 0.5 s",
                r["validate_touched_seconds"] < 0.5))
    out.append(("cold hs validate >= 100x faster than ruamel round trip",
                r["ruamel_seconds_extrapolated"] / r["validate_cold_seconds"] >= 100))
    out.append(("hs --help < 0.1 s", r["help_seconds"] < 0.1))
    visit = r.get("visit", {})
    if visit.get("available"):  # 0.3 s up to 1,000 records (and a half), 0.5 s beyond
        limit = 0.3 if r["records"] <= 1500 else 0.5
        out.append((f"a write (hs visit), warm < {limit} s", visit["seconds"] < limit))
    out.append(("hs match plan, warm < 1 s", r["plan_seconds"] < 1.0))
    out.append(("hs match plan, peak memory < 150 MB", r["plan_mb"] < 150))
    cj = r["check_jsonschema"]
    if cj.get("available"):
        out.append(("cold hs validate beats check-jsonschema",
                    r["validate_cold_seconds"] < cj["seconds_extrapolated"]))
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000,50000",
                        help="record counts, comma-separated (default 1000,10000,50000)")
    parser.add_argument("--out", type=Path, help="folder for the trees (default: temporary)")
    parser.add_argument("--keep", action="store_true", help="keep the generated trees")
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--repeat", type=int, default=3, help="runs per warm figure")
    parser.add_argument("--ruamel-sample", type=int, default=2000)
    parser.add_argument("--jsonschema-sample", type=int, default=2000,
                        help="files to give check-jsonschema (0: all)")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s]
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
          f"{platform.python_version()}, {platform.system()} {platform.release()}")
    results = []
    with tempfile.TemporaryDirectory(prefix="hs-bench-") as tmp:
        base = args.out or Path(tmp)
        base.mkdir(parents=True, exist_ok=True)
        for size in sizes:
            r = bench(size, base, args)
            results.append(r)
            print(report([r]), flush=True)
    print("\ntargets at", f"{results[-1]['records']:,}", "records:")
    for name, ok in targets(results[-1]):
        print(f"  [{'ok' if ok else 'MISSED'}] {name}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
