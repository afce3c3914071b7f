"""`hs dossier ID [--out FILE]`: everything held about one family or volunteer."""

from __future__ import annotations

import typer


def dossier() -> None:
    """Everything held about one family or volunteer (subject access)."""


def register(app: typer.Typer) -> None:
    app.command("dossier")(dossier)
