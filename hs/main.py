"""The console script. ``hs``, ``hs -h`` and ``hs --help`` are answered without importing
Typer (see :mod:`hs.commands`); everything else goes to :func:`hs.cli.main`."""

from __future__ import annotations

import sys


def main() -> None:
    argv = sys.argv[1:]
    if argv in (["--help"], ["-h"], []):
        from hs.commands import root_help

        if argv:
            sys.stdout.write(root_help())
            raise SystemExit(0)
        sys.stderr.write(root_help())  # no command at all: a usage error, as click does
        raise SystemExit(2)
    from hs.cli import main as cli_main

    cli_main()


if __name__ == "__main__":
    main()
