"""Where the time goes: the stages of a cold and a warm read of a records tree, measured apart.

    python benchmarks/parts.py TREE [--sample 2000]

TREE is a repository folder with ``records/`` (make one with ``hs demo generate TREE
--records 50000``). Cold stages are timed per file on a sample (every n-th file) and
scaled to the whole tree; warm stages are timed on the whole tree with the cache fresh.
The fast reader's stages are timed apart: the line reader (which takes most files), the
hazard scan with and without its safe-lines prefilter, rapidyaml and the JSON decoding
(which take the rest). With ``--verify`` the sampled files the line reader takes are also
read by ruamel.yaml, and any file where the two differ is counted ("contradictions",
which must be 0; the tests prove the same on generated documents).

Everything here uses the library in this checkout; a stage whose function is missing (the
code moved on) prints "n/a".
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

# --- measuring ---------------------------------------------------------------------------


def per_file(name: str, texts: list[Any], fn: Callable[[Any], Any], total: int,
             warm: bool = False) -> None:
    """Time ``fn`` on every item; ``warm``: after one pass that is not timed (so that the
    line memories of the readers hold the sample's lines, as they hold most lines of a
    large tree after its first files)."""
    try:
        if warm:
            for x in texts:
                fn(x)
        started = time.perf_counter()
        for x in texts:
            fn(x)
        seconds = time.perf_counter() - started
    except Exception as exc:  # the code moved on
        print(f"  {name:<44} n/a ({type(exc).__name__}: {exc})")
        return
    us = seconds / max(1, len(texts)) * 1e6
    print(f"  {name:<44} {us:8.1f} us/file   {us * total / 1e6:7.2f} s for the tree")


def once(name: str, fn: Callable[[], Any]) -> Any:
    try:
        started = time.perf_counter()
        out = fn()
        seconds = time.perf_counter() - started
    except Exception as exc:
        print(f"  {name:<44} n/a ({type(exc).__name__}: {exc})")
        return None
    print(f"  {name:<44} {seconds:8.3f} s")
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("tree", type=Path)
    parser.add_argument("--sample", type=int, default=2000)
    parser.add_argument("--verify", action="store_true",
                        help="read the sample with ruamel.yaml too (slow)")
    args = parser.parse_args(argv)
    root: Path = args.tree

    from hs.records import models
    from hs.records.index import ROW_TYPES
    from hs.store import yamlio
    from hs.store.layout import walk
    from hs.store.load import load_tree
    from hs.store.read import parse_file

    files = walk(root)
    records = [rf for rf in files if rf.kind not in ("config", "vocabularies")]
    step = max(1, len(records) // args.sample)
    sample = records[::step]
    total = len(files)
    print(f"{total:,} files; cold stages on {len(sample):,} of them, scaled to the tree")
    raws = [rf.path.read_bytes() for rf in sample]
    texts = [raw.decode("utf-8") for raw in raws]
    datas = [yamlio.load_plain(t) for t in texts]
    kinds = [rf.kind for rf in sample]

    def cold(fn: Callable[[Any], Any]) -> Callable[[Any], Any]:
        """``fn`` with the line memories emptied first (each file as if it came first)."""
        def run(x: Any) -> Any:
            yamlio._LINES.clear()
            yamlio._SAFE_LINES.clear()
            return fn(x)
        return run

    with yamlio.quiet_stderr():
        per_file("read the bytes", sample, lambda rf: rf.path.read_bytes(), total)
        per_file("decode (UTF-8, control characters)", raws, yamlio.decode, total)
        per_file("line reader (yamlio._line_load)", texts, yamlio._line_load, total, True)
        per_file("  the same, nothing remembered", texts, cold(yamlio._line_load), total)
        per_file("hazard scan, full (yamlio._hazard_scan)", texts,
                 lambda t: yamlio._hazard_scan("\n" + t), total)
        per_file("hazard scan with safe-lines prefilter", texts, yamlio.is_hazardous, total,
                 True)
        per_file("  the same, nothing remembered", texts, cold(yamlio.is_hazardous), total)
        import ryml

        per_file("rapidyaml parse + emit JSON", texts,
                 lambda t: ryml.emit_json(ryml.parse_in_arena(t.encode("utf-8"))), total)
        jsons = [yamlio._ryml_json(t) or "null" for t in texts]
        per_file("JSON decoding, duplicate keys found", jsons, yamlio._DECODER.decode, total)
        per_file("rapidyaml path in all (hazard, parse, JSON)", texts, yamlio._ryml, total,
                 True)
        per_file("fast reader in all (yamlio.fast_load)", texts, yamlio.fast_load, total,
                 True)
        pairs = list(zip(kinds, datas, strict=True))
        per_file("pydantic model_validate", pairs,
                 lambda kd: models.MODELS[kd[0]].model_validate(kd[1]), total)
        ids = [rf.id for rf in sample]
        triples = list(zip(kinds, ids, datas, strict=True))
        per_file("the row's cached tuple (Row.tuple_of)", triples,
                 lambda kid: ROW_TYPES[kid[0]].tuple_of(kid[1], kid[2]), total)
        per_file("parse_file in all", sample, parse_file, total, True)

    taken = [t for t in texts if yamlio._line_load(t) is not yamlio._NO]
    safe = sum(yamlio.lines_safe(t) for t in texts)
    print(f"  line reader takes {len(taken):,} of {len(texts):,} sampled files; the "
          f"safe-lines prefilter passes {safe:,}")
    if args.verify:
        contradictions = sum(
            1 for t in taken
            if json.dumps(yamlio._line_load(t)) != json.dumps(
                yamlio.plain(yamlio.load_document(t))))
        contradictions += sum(1 for t in texts
                              if yamlio.lines_safe(t) and yamlio._hazard_scan("\n" + t))
        print(f"  contradictions with ruamel.yaml and the full scan: {contradictions}")

    print("warm (cache fresh), whole tree:")
    load_tree(root)  # make sure the cache is fresh
    once("walk (scan the folders)", lambda: walk(root))
    import os

    once("stat every file", lambda: [os.stat(rf.path) for rf in files])
    report = once("load_tree (cache hit)", lambda: load_tree(root))
    if report is not None:
        index = report.index
        once("build the family rows", lambda: len(index.families))
        once("build the trajectory rows", lambda: len(index.trajectories))
        once("build the volunteer rows", lambda: len(index.volunteers))
    gc.collect()
    gc.disable()
    once("load_tree (cache hit), gc disabled", lambda: load_tree(root).index.trajectories)
    gc.enable()
    from hs.app.validation import tree_problems

    report = load_tree(root)
    once("tree_problems (validate across records)",
         lambda: tree_problems(root, report.entries, report.index))
    import subprocess

    def process(code: str) -> float:
        best = 1e9
        for _ in range(5):
            started = time.perf_counter()
            subprocess.run([sys.executable, "-c", code], check=True)
            best = min(best, time.perf_counter() - started)
        return best

    bare = process("pass")
    print(f"  {'python startup (best of 5)':<44} {bare:8.3f} s")
    print(f"  {'import hs.cli, beyond startup (best of 5)':<44} "
          f"{process('import hs.cli') - bare:8.3f} s")
    print(f"  {'import typer, beyond startup (best of 5)':<44} "
          f"{process('import typer') - bare:8.3f} s")

if __name__ == "__main__":
    main()
