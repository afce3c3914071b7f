"""One change written whole: its record files, then one commit, under a journal.

:func:`write_change` is the write protocol of every command that changes records (see
:mod:`hs.store.journal` for the journal and the recovery after a kill, and the "Writes"
section of docs/design.md): the journal first, then each file
(:meth:`hs.store.repo.Repo.write`: validated, atomic), then the commit, then the journal
removed. Whatever fails on the way is undone before the error is raised, so that
"nothing was written" is true; when even the undo fails (a full disk) the error says
exactly what the files hold now, and the next hs command undoes the rest.
"""

from __future__ import annotations

from collections.abc import Sequence

from hs.base.errors import WriteRejected
from hs.base.i18n import Catalog
from hs.store import faults, gitops, journal, ownwrite
from hs.store.atomic import sync_folder, why
from hs.store.repo import Repo

MSG = Catalog("store.transaction")


def write_change(repo: Repo, files: Sequence[tuple[str, str | None]], *, action: str,
                 subject: str, message: gitops.CommitMessage | None, commit: bool = True,
                 dirty: Sequence[str] = (), status_known: bool = False) -> str | None:
    """Write ``files`` ((path from the root, text) pairs) and, with a ``message`` (the
    tree is in git), stage them and (with ``commit``) commit them. Returns the commit.

    Call under ``repo.lock()``. ``dirty``: the files that had uncommitted changes before
    (they stay in git's index as they were if the write is undone). On failure every file
    is as it was and the error is raised; if the undo itself fails, a WriteRejected says
    what the files hold now (the journal stays for the next command).

    ``status_known``: ``dirty`` is what ``git status`` said of these very files, under
    the lock, before the write; then a file that existed and is not in it is tracked and
    clean, and the commit stages it without a ``git add`` first
    (:func:`hs.store.gitops.record_text`)."""
    root = repo.root
    triples: list[tuple[str, bytes | None, bytes | None]] = []
    for rel, text in files:
        path = root / rel
        try:
            before = path.read_bytes() if path.exists() else None
        except OSError as exc:
            raise WriteRejected(MSG("cannot-read", path=rel, why=why(exc))) from None
        triples.append((rel, before, None if text is None else text.encode("utf-8")))
    text_message = message.text() if message is not None else None
    intent = journal.intent_of(root, action, subject, text_message, commit, triples, dirty)
    proof: ownwrite.Pending | None = None
    vouched = None
    journal.begin(root, intent)
    try:
        if text_message is not None and commit:  # may the next read skip listing git's
            proof = ownwrite.before(root)  # index (hs.store.ownwrite)? git looks meanwhile
        for i, (rel, text) in enumerate(files):
            path = root / rel
            if intent.files[i].before is not None:
                journal.keep_old(root, i, path)
            try:
                if text is None:  # removed (hs undo of a change that made the file)
                    path.unlink()
                    sync_folder(path.parent)
                else:
                    repo.write(path, text)
            except OSError as exc:
                raise WriteRejected(MSG("cannot-write", path=rel, why=why(exc))) from None
            faults.point("written")
        sha = None
        if text_message is not None:
            vouched = proof.wait() if proof is not None else None
            clean = {rel for rel, before, _ in triples
                     if before is not None and rel not in dirty} if status_known else set()
            sha = gitops.record_text(root, [rel for rel, _ in files], text_message, commit,
                                     clean=clean)
        faults.point("committed")
    except BaseException:
        if proof is not None:
            proof.cancel()
        problem = journal.undo(root, intent, git=text_message is not None)
        repo.refresh()
        if problem is not None:
            raise WriteRejected(problem) from None
        raise
    journal.end(root)
    if sha is not None and commit:
        ownwrite.after(root, vouched, [rel for rel, _ in files])
    return sha


__all__ = ["write_change"]
