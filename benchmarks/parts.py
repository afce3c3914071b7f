"""Where the time goes: the stages of a cold and a warm read of a records tree, measured apart.

    python benchmarks/parts.py TREE [--sample 2000]

TREE is a repository folder with ``records/`` (make one with ``hs demo generate TREE
--records 50000``). Cold stages are timed per file on a sample (every n-th file) and
scaled to the whole tree; warm stages are timed on the whole tree with the cache fresh.
It also times a *safe-text prefilter* for the fast reader's hazard scan (a prototype, see
docs/performance.md): a text that the prefilter accepts must not be hazardous, and the
script counts any file where that is not so ("contradictions", which must be 0).

Everything here uses the library in this checkout; a stage whose function is missing (the
code moved on) prints "n/a".
"""

from __future__ import annotations

import argparse
import gc
import json
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

# --- prototype: a prefilter in front of the hazard scan ----------------------------------
# A line as hs writes it: a comment, "key: scalar", "key: [scalar, ...]", "key:", or
# "- scalar". Scalars: a date or year-month, a number without a leading zero, a code or
# text of words that starts with a letter (not a YAML 1.1/1.2 special word). A text made
# only of such lines cannot match any branch of hs.yamlio's hazard expression: no tab,
# backslash, CR, brace, quote, '&*!@`%=<>|?~', ': ' inside a value, '[' or ',' outside a
# flow list of safe scalars, ' - ' inside text, '---', or special word at a scalar start.
_SPECIAL = (r"(?:True|TRUE|False|FALSE|Null|NULL|null|true|false|nan|NaN|NAN|inf|Inf|INF"
            r"|infinity|Infinity|INFINITY)\b")
_WORD = rf"(?!{_SPECIAL})[A-Za-z][A-Za-z0-9-]*"
_TOKEN = r"[A-Za-z0-9][A-Za-z0-9.'()/-]*"
_SCALAR = (r"(?:[12][0-9]{3}-[01][0-9]-[0-3][0-9]|[12][0-9]{3}-[01][0-9]"
           r"|[1-9][0-9]*(?:\.[0-9]+)?|0\.[0-9]+|[1-9][a-z0-9-]*"
           rf"|{_WORD}(?:[ ]{_TOKEN})*)")
_VALUE_WORD = rf"(?:(?:true|false|null)\b|{_SCALAR})"
_FLOW = rf"\[{_SCALAR}(?:, {_SCALAR})*\]"
_KEY = rf"(?!{_SPECIAL})[a-z_][a-z0-9_-]*"
_LINE = (r"(?:# yaml-language-server: \$schema=[A-Za-z0-9./_-]+"
         rf"|[ ]*#(?:[ ]{_TOKEN})*"
         rf"|[ ]*(?:-[ ])*{_KEY}:(?:[ ](?:{_VALUE_WORD}|{_FLOW}))?"
         rf"|[ ]*(?:-[ ])+{_SCALAR})\n")
# Atomic lines (Python 3.11+): a line matches one way or not at all, so a text that is not
# safe fails in one pass instead of backtracking through the lines above it.
SAFE_TEXT = re.compile(rf"(?>{_LINE})*+")


def prefilter_safe(text: str) -> bool:
    """True if ``text`` is certainly not hazardous (then the full scan can be skipped)."""
    return SAFE_TEXT.fullmatch(text) is not None


# --- measuring ---------------------------------------------------------------------------


def per_file(name: str, texts: list[Any], fn: Callable[[Any], Any], total: int) -> None:
    try:
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
    args = parser.parse_args(argv)
    root: Path = args.tree

    from hs import models, yamlio
    from hs.index import ROW_TYPES
    from hs.store import load_tree, parse_file, walk

    files = walk(root)
    records = [rf for rf in files if rf.kind not in ("config", "vocabularies")]
    step = max(1, len(records) // args.sample)
    sample = records[::step]
    total = len(files)
    print(f"{total:,} files; cold stages on {len(sample):,} of them, scaled to the tree")
    raws = [rf.path.read_bytes() for rf in sample]
    texts = [raw.decode("utf-8") for raw in raws]
    datas = [json.loads(yamlio.fast_json(t) or b"null") for t in texts]
    kinds = [rf.kind for rf in sample]

    with yamlio.quiet_stderr():
        per_file("read the bytes", sample, lambda rf: rf.path.read_bytes(), total)
        per_file("decode (UTF-8, control characters)", raws, yamlio.decode, total)
        per_file("hazard scan (yamlio.is_hazardous)", texts, yamlio.is_hazardous, total)
        per_file("  prototype: prefilter, then scan if needed", texts,
                 lambda t: prefilter_safe(t) or yamlio.is_hazardous(t), total)
        import ryml

        per_file("rapidyaml parse + emit JSON", texts,
                 lambda t: ryml.emit_json(ryml.parse_in_arena(t.encode("utf-8"))), total)
        per_file("fast reader in all (yamlio.fast_json)", texts, yamlio.fast_json, total)
        pairs = list(zip(kinds, datas, strict=True))
        per_file("pydantic model_validate", pairs,
                 lambda kd: models.MODELS[kd[0]].model_validate(kd[1]), total)
        ids = [rf.id for rf in sample]
        triples = list(zip(kinds, ids, datas, strict=True))
        per_file("index row from the data (Row.from_data)", triples,
                 lambda kid: ROW_TYPES[kid[0]].from_data(kid[1], kid[2]), total)
        per_file("parse_file in all", sample, parse_file, total)

    safe = sum(prefilter_safe(t) for t in texts)
    contradictions = sum(1 for t in texts if prefilter_safe(t) and yamlio.is_hazardous(t))
    print(f"  prefilter: {safe:,} of {len(texts):,} sampled files certainly safe; "
          f"contradictions: {contradictions}")

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
    from hs.checks import tree_problems

    report = load_tree(root)
    once("tree_problems (validate across records)",
         lambda: tree_problems(root, report.files, report.index))
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
