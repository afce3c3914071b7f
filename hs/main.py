"""The console script. ``hs``, ``hs -h`` and ``hs --help`` are answered without importing
Typer (see :mod:`hs.commands`), and so are a shell's completion requests
(``_HS_COMPLETE``, :mod:`hs.complete`) and ``--show-completion``/``--install-completion``;
everything else goes to :func:`hs.cli.main`."""

from __future__ import annotations

import os
import sys


def main() -> None:
    argv = sys.argv[1:]
    if "_HS_COMPLETE" in os.environ:  # a shell asks for completions
        from hs.complete import answer  # lazy: start-up time (no Typer if it can)

        answer()  # exits when it answered; else Typer answers (below)
        from hs.cli import complete_main  # lazy: start-up time (Typer)

        complete_main()
        return
    if any(w.startswith(("--show-completion", "--install-completion")) for w in argv):
        from hs.complete import script_option, show_or_install  # lazy: start-up time

        asked = script_option(argv)
        if asked is not None:
            raise SystemExit(show_or_install(*asked))
    if argv in (["--help"], ["-h"], []):
        from hs.commands import root_help  # lazy: start-up time (help without Typer)

        if argv:
            sys.stdout.write(root_help())
            raise SystemExit(0)
        sys.stderr.write(root_help())  # no command at all: a usage error, as click does
        raise SystemExit(2)
    # lazy: start-up time, here and below: `hs --help` above imports none of these
    from hs.commands import COMMANDS, NO_TREE, command_word, repo_option  # lazy: start-up
    from hs.records import index  # lazy: start-up time

    index.short_process()  # one command: rows made are frozen out of the collector's reach

    word = command_word(argv)
    if word in COMMANDS and word not in NO_TREE and "--help" not in argv:
        from hs.store.load import prefetch  # lazy: start-up time

        prefetch(repo_option(argv))  # git looks at the tree while Typer is imported
    from hs.cli import main as cli_main  # lazy: start-up time (Typer)

    cli_main()


if __name__ == "__main__":
    main()
