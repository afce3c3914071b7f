"""Where the records are: the files of a records tree, their kinds and IDs, in one order.

Layout (relative to the repository root)::

    records/config.yaml         settings (check validity, due thresholds, matching weights)
    records/vocabularies.yaml   codes with Dutch and English labels
    records/locations/<code>.yaml
    records/families/<id>.yaml
    records/volunteers/<id>.yaml
    records/trajectories/<id>.yaml

Record folders may have subfolders (say ``families/archive/``); the file name is the ID.
:func:`scan` lists the files in the one order every way of reading the tree follows (of
two files with the same ID the one found last wins); :func:`entry_of` says whether a path
is a record file by the same rules, without listing anything. YAML files no command reads
are strays (:func:`stray_files`); :func:`known_strays` remembers them in the cache.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from hs.base.errors import HsError, RepoNotFound
from hs.base.i18n import Catalog
from hs.records.ids import KIND_OF_FOLDER, id_of_path
from hs.records.layout import CONFIG_FILE, RECORDS, SPECIAL
from hs.store.cache import RACY_NS, read_memo, write_memo

_MSG = Catalog("store.layout")

Entry = tuple[str, str, str, str]  # kind, id, path, rel (see RecordFile)
UNREADABLE = -1  # the "modification time" noted for a folder that cannot be listed


class RecordFile:
    """A file in the records tree: its kind, its ID (the stem) and its path.

    ``path`` may be given as text; the :class:`~pathlib.Path` is made only when asked for
    (making 50,000 of them costs more than reading a warm cache)."""

    __slots__ = ("_path", "id", "kind", "rel")

    def __init__(self, kind: str, id: str, path: Path | str, rel: str):
        self.kind = kind  # location | family | volunteer | trajectory | config | vocabularies
        self.id = id
        self._path = path
        self.rel = rel  # relative to the repository root, with forward slashes

    @property
    def path(self) -> Path:
        if not isinstance(self._path, Path):
            self._path = Path(self._path)
        return self._path

    @property
    def fspath(self) -> str:
        return str(self._path)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, RecordFile) and (self.kind, self.id, self.rel) == (
            other.kind, other.id, other.rel)

    def __hash__(self) -> int:
        return hash((self.kind, self.id, self.rel))

    def __repr__(self) -> str:
        return f"RecordFile({self.kind!r}, {self.id!r}, {self.rel!r})"


def find_root(repo: str | Path | None = None, cwd: Path | None = None) -> Path:
    """The repository root: --repo, else HS_REPO, else the nearest folder above the working
    directory that holds ``records/config.yaml``. A ``config.yaml`` there that is no plain
    file (a FIFO, a folder, a link to one) is an error that says so."""
    explicit = repo if repo is not None else os.environ.get("HS_REPO") or None
    if explicit is not None:
        root = Path(explicit).expanduser().resolve()
        if root.name == RECORDS and _has_config(root):
            root = root.parent
        if not _has_config(root / RECORDS):
            raise RepoNotFound(_MSG("no-tree", root=root, config=CONFIG_FILE),
                               hint=_MSG("no-tree-hint"))
        return root
    here = (cwd or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if _has_config(folder / RECORDS):
            return folder
    raise RepoNotFound(_MSG("no-repo"), hint=_MSG("no-repo-hint"))


def _has_config(records: Path) -> bool:
    """Whether a folder holds the config file: a plain file (or a link to one); anything
    else of that name is an error (:class:`HsError`), not "no records here"."""
    config = records / CONFIG_FILE
    if config.is_file():
        return True
    if os.path.lexists(config) and records.is_dir():
        raise HsError(_MSG("config-not-file", path=config))
    return False


def classify(root: Path, path: Path) -> RecordFile | None:
    """The kind and ID of a file under ``records/``, or None for a file that is no record."""
    try:
        rel_parts = path.resolve().relative_to((root / RECORDS).resolve()).parts
    except ValueError:
        return None
    if not rel_parts or not path.name.endswith((".yaml", ".yml")):
        return None
    rel = Path(RECORDS, *rel_parts).as_posix()
    if len(rel_parts) == 1:
        kind = SPECIAL.get(rel_parts[0])
        if kind is None:
            return None
        return RecordFile(kind, kind, path, rel)
    kind = KIND_OF_FOLDER.get(rel_parts[0])
    if kind is None:
        return None
    return RecordFile(kind, path.name.rsplit(".", 1)[0], path, rel)


def kind_of_rel(rel: str) -> tuple[str, str] | None:
    """(kind, id) of a path (relative to the root, forward slashes) if it is a record file
    by the rules of :func:`scan`, else None."""
    parts = rel.split("/")
    if len(parts) < 2 or parts[0] != RECORDS:
        return None
    name = parts[-1]
    if len(parts) == 2:
        kind = SPECIAL.get(name)
        return None if kind is None else (kind, kind)
    kind = KIND_OF_FOLDER.get(parts[1])
    if kind is None or not name.endswith((".yaml", ".yml")) or any(
            p.startswith(".") for p in parts[2:]):
        return None
    return kind, name.rsplit(".", 1)[0]


def entry_of(root: str, rel: str) -> Entry | None:
    """The entry of a path (relative to the root, forward slashes) if it is a record file
    by the rules of :func:`scan`, else None."""
    found = kind_of_rel(rel)
    if found is None:
        return None
    return found[0], found[1], os.path.join(root, *rel.split("/")), rel


def part_of_rel(rel: str) -> str:
    """The part of the cache a record file's row goes to: its kind, or ``special`` for
    config and vocabularies."""
    parts = rel.split("/")
    if len(parts) == 2:
        return "special"
    return KIND_OF_FOLDER.get(parts[1], "special")


def scan(root: Path, dirs: dict[str, int] | None = None, strays: list[str] | None = None
         ) -> list[Entry]:
    """Every record file of the tree as (kind, id, path, rel), config and vocabularies
    first, then each kind's folder in name order (subfolders after files). With ``dirs``,
    also note the modification time of every folder looked into (by its rel); with
    ``strays``, add to it what :func:`stray_files` gives (from the same listing)."""
    found: list[Entry] = []
    scan_folder(str(root), RECORDS, found, dirs if dirs is not None else {}, None, strays)
    if strays is not None:
        strays.sort()
    return found


def scan_folder(root: str, rel: str, found: list[Entry], dirs: dict[str, int],
                known: dict[str, int] | None = None, strays: list[str] | None = None
                ) -> None:
    """Add the record files of one folder of the tree (``records`` or below) to ``found``,
    and those of its subfolders not in ``known``, noting each folder's modification time
    (taken before it is listed, so that a file added meanwhile changes it again). With
    ``strays``, add the YAML files there that no command reads to it (as
    :func:`stray_files` does, which does not look into a record folder that is a link)."""
    linked: set[str] = set()  # record folders that are symbolic links
    stack = [rel]
    while stack:
        rel_dir = stack.pop()
        parts = rel_dir.split("/")
        path = os.path.join(root, *parts)
        try:
            dirs[rel_dir] = os.stat(path).st_mtime_ns
            with os.scandir(path) as it:
                entries = {e.name: e for e in it}
        except (FileNotFoundError, NotADirectoryError):
            dirs.pop(rel_dir, None)
            continue
        except OSError:  # there but not listable: kept, so every read looks again and
            dirs[rel_dir] = UNREADABLE  # says so (unreadable_folders)
            continue
        if len(parts) == 1:
            subfolders = _scan_top(rel_dir, entries, found, linked, strays)
        else:
            look = strays is not None and "/".join(parts[:2]) not in linked
            subfolders = _scan_kind_folder(rel_dir, KIND_OF_FOLDER[parts[1]], entries, found,
                                           strays if look else None)
        if known is not None:
            subfolders = [f for f in subfolders if f not in known]
        stack.extend(reversed(subfolders))


def _scan_top(rel_dir: str, entries: dict[str, os.DirEntry[str]], found: list[Entry],
              linked: set[str], strays: list[str] | None) -> list[str]:
    """:func:`scan_folder` in ``records/`` itself: config, vocabularies, the kinds' folders
    (noting those that are links); its subfolders to look into."""
    subfolders: list[str] = []
    for name, kind in SPECIAL.items():
        e = entries.get(name)
        if e is not None and _listed_file(e):
            found.append((kind, kind, e.path, f"{rel_dir}/{name}"))
    for name in KIND_OF_FOLDER:
        e = entries.get(name)
        if e is not None and e.is_dir():
            subfolders.append(f"{rel_dir}/{name}")
            if e.is_symlink():
                linked.add(f"{rel_dir}/{name}")
    if strays is not None:
        strays.extend(_top_strays(rel_dir, entries))
    return subfolders


def _scan_kind_folder(rel_dir: str, kind: str, entries: dict[str, os.DirEntry[str]],
                      found: list[Entry], strays: list[str] | None) -> list[str]:
    """:func:`scan_folder` in a kind's folder or below: its record files, the strays
    there (with ``strays``); its subfolders to look into."""
    subfolders: list[str] = []
    for name in sorted(entries):
        if name.startswith("."):
            continue
        e = entries[name]
        if name.endswith((".yaml", ".yml")) and _listed_file(e):
            found.append((kind, name.rsplit(".", 1)[0], e.path, f"{rel_dir}/{name}"))
        elif e.is_dir(follow_symlinks=False):
            subfolders.append(f"{rel_dir}/{name}")
        elif strays is not None and name.lower().endswith((".yaml", ".yml")) and \
                not name.endswith((".yaml", ".yml")):
            strays.append(f"{rel_dir}/{name}")
    return subfolders


def _listed_file(e: os.DirEntry[str]) -> bool:
    """Whether a record file's name in a listing is read as a record: a plain file, or
    anything else there that is no folder (a FIFO, a device, a link to one), which the
    reader then refuses as a problem rather than skipping it silently. A broken link is
    not listed (as a file gone)."""
    try:
        return e.is_file() or (not e.is_dir() and os.path.exists(e.path))
    except OSError:
        return True


def unreadable_folders(root: str, rels: list[str]) -> list[str]:
    """Of the folders ``rels`` (relative to ``root``; ``records`` and its record folders
    are always looked at), those that are there but cannot be listed (permission denied,
    an I/O error): their records cannot be used. One opendir a folder."""
    wanted = dict.fromkeys([RECORDS, *(f"{RECORDS}/{name}" for name in KIND_OF_FOLDER),
                            *rels])
    out: list[str] = []
    for rel in wanted:
        try:
            with os.scandir(os.path.join(root, *rel.split("/"))):
                pass
        except (FileNotFoundError, NotADirectoryError):
            continue
        except OSError:
            out.append(rel)
    return out


def walk(root: Path) -> list[RecordFile]:
    """Every record file of the tree (config and vocabularies first), in a stable order."""
    return [RecordFile(*entry) for entry in scan(root)]


def scan_key(rel: str) -> list[tuple[int, str]]:
    """Sorts paths in the order :func:`scan` finds them (in each folder its files by name,
    then its subfolders by name)."""
    parts = rel.split("/")
    return [(1, p) for p in parts[:-1]] + [(0, parts[-1])]


def listing_order(rel: str) -> tuple[int, list[tuple[int, str]]]:
    """Sorts record files (below a kind's folder) as :func:`scan` finds them: the kinds'
    folders in their order, in each folder its files by name, then its subfolders."""
    folder, rest = rel.split("/", 2)[1:]
    return list(KIND_OF_FOLDER).index(folder), scan_key(rest)


def paths_of(rels: dict[str, int]) -> dict[str, str]:
    """Record ID -> file, for the files of the record folders among ``rels``. Of two files
    with the same ID (an error ``hs validate`` reports) the one :func:`scan` finds last
    wins, as in a read without the cache."""
    files = [rel for rel in rels if rel.count("/") > 1]
    # id_of_path written out: one call less for each of 50,000 files
    out = {rel[rel.rfind("/") + 1:rel.rfind(".")]: rel for rel in files}
    if len(out) == len(files):
        return out  # no ID twice (the usual case): no order to settle
    out = {}
    for rel in files:
        rid = id_of_path(rel)
        seen = out.get(rid)
        if seen is None or scan_key(rel) > scan_key(seen):
            out[rid] = rel
    return out


def through_link(entry: Entry) -> bool:
    """Whether a file lies in a subfolder (below its kind's folder) that is a symbolic
    link: :func:`scan` does not follow those, so neither does any other way of reading."""
    rel = entry[3]
    parts = rel.split("/")
    if len(parts) <= 3:
        return False
    base = entry[2][:len(entry[2]) - len(rel)]
    return any(os.path.islink(base + os.sep.join(parts[:i])) for i in range(3, len(parts)))


# --- stray files -------------------------------------------------------------------------


def stray_files(root: Path, dirs: dict[str, tuple[int, int]] | None = None) -> list[str]:
    """YAML files under ``records/`` that no command reads: outside the record folders
    (say ``records/famlies/x.yaml``) or with an extension in capitals (``X.YAML``). With
    ``dirs``, note there the signature of every folder looked into (:func:`_folder_sig`,
    taken before it is listed; (-1, -1) for one that could not be listed)."""
    return _strays_below(str(root / RECORDS), RECORDS, False, dirs)


def known_strays(root: Path) -> list[str]:
    """:func:`stray_files`, as the cache remembers them while no folder under
    ``records/`` changed (a file added, removed or renamed changes its folder's time; a
    file edited in place cannot become stray or stop being one). A folder changed within
    two seconds before the last walk is walked again (a coarse clock could hide a second
    change), as for the record files."""
    kept = read_memo(root, "strays")
    if isinstance(kept, dict):
        try:  # a folder changed just before the last walk might change again unseen
            trusted = int(kept["walked"]) - RACY_NS
            if all(_folder_sig(os.path.join(root, rel)) == sig and sig[0] < trusted
                   for rel, sig in kept["dirs"].items()):
                return [str(rel) for rel in kept["found"]]
        except (OSError, TypeError, KeyError, AttributeError, ValueError):
            pass
    dirs: dict[str, tuple[int, int]] = {}
    walked = time.time_ns()
    found = stray_files(root, dirs)
    write_memo(root, "strays", {"found": found, "dirs": dirs, "walked": walked})
    return found


def _folder_sig(path: str) -> tuple[int, int]:
    """A folder's modification time and inode: a folder put back with its old time
    (``cp -a``, ``rsync -t``, a link to a copy) is another inode."""
    st = os.stat(path)
    return st.st_mtime_ns, st.st_ino


def _top_strays(rel: str, entries: dict[str, os.DirEntry[str]]) -> list[str]:
    """The stray files in ``records/`` itself and in its folders that are not record
    folders (see :func:`stray_files`), from the listing of ``records/``."""
    out: list[str] = []
    for name in sorted(entries):
        e = entries[name]
        if name.startswith("."):
            continue
        if e.is_dir(follow_symlinks=False):
            if name not in KIND_OF_FOLDER:
                out.extend(_strays_below(e.path, f"{rel}/{name}", False))
        elif name.lower().endswith((".yaml", ".yml")) and name not in SPECIAL:
            out.append(f"{rel}/{name}")
    return out


def _strays_below(folder_path: str, folder_rel: str, known_folder: bool,
                  dirs: dict[str, tuple[int, int]] | None = None) -> list[str]:
    out: list[str] = []
    stack: list[tuple[str, str, bool]] = [(folder_path, folder_rel, known_folder)]
    while stack:
        folder, rel, known = stack.pop()
        try:
            if dirs is not None:  # before the listing: a file added meanwhile changes it
                dirs[rel] = (-1, -1)
                dirs[rel] = _folder_sig(folder)
            with os.scandir(folder) as it:
                entries = list(it)
        except OSError:
            continue
        for e in entries:
            if e.name.startswith("."):
                continue
            if e.is_dir(follow_symlinks=False):
                inside = known or (rel == RECORDS and e.name in KIND_OF_FOLDER)
                stack.append((e.path, f"{rel}/{e.name}", inside))
                continue
            lower = e.name.lower()
            if not lower.endswith((".yaml", ".yml")):
                continue
            if known:
                if not e.name.endswith((".yaml", ".yml")):
                    out.append(f"{rel}/{e.name}")
            elif not (rel == RECORDS and e.name in SPECIAL):
                out.append(f"{rel}/{e.name}")
    return sorted(out)
