"""`hs demo generate`: write a fictional demo records tree (see :mod:`hs.app.demo`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from hs.base.i18n import Catalog

DEFAULT_SEED = 2025  # hs.app.demo.DEFAULT_SEED; not imported here to keep `hs --help` fast

MSG = Catalog("cli.demo")

demo = typer.Typer(
    help="Generate the fictional demo records.",
    no_args_is_help=True,
)


@demo.command("generate")
def generate(
    out: Annotated[Path, typer.Argument(
        help="Repository folder: the records go to OUT/records.", show_default=False)],
    seed: Annotated[int, typer.Option(
        "--seed", help="Random seed: the same seed gives the same files.")] = DEFAULT_SEED,
    scale: Annotated[int | None, typer.Option(
        "--scale", min=1, show_default=False,
        help="Number of regions of four locations (default 1: about 150 families, "
             "80 volunteers, 110 trajectories).")] = None,
    records: Annotated[int | None, typer.Option(
        "--records", min=1, show_default=False,
        help="About this many records in all (sets the number of regions).")] = None,
    force: Annotated[bool, typer.Option(
        "--force", help="Replace OUT/records if it holds a generated demo.")] = False,
) -> None:
    """Write a seeded, clearly fictional demo records tree (2023-2025) to OUT/records."""
    from hs.app.demo import generate as run
    from hs.cli.output import message

    summary = run(out, seed=seed, scale=scale, records=records, force=force)
    message(MSG("wrote", records=summary.records, path=out / "records",
                locations=summary.locations, families=summary.families,
                volunteers=summary.volunteers, trajectories=summary.trajectories,
                visits=summary.visits, events=summary.events, seconds=summary.seconds))
    message(MSG("today"))


def register(app: typer.Typer) -> None:
    app.add_typer(demo, name="demo")
