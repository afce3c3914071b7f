"""How `hs init` prints the recovery key (review finding 8)."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from hs.cli.setup import recovery_line
from hs.store import identity as ident


@pytest.mark.parametrize("width", [None, 200, 80, 74, 70, 40])
def test_the_recovery_key_fits_one_terminal_line_and_still_reads(width: int | None) -> None:
    who = ident.Identity(X25519PrivateKey.generate())
    text = ident.recovery_text(who)
    assert len(text) > 80  # a terminal of 80 would split the groups-of-four form
    line = recovery_line(text, width)
    assert "\n" not in line and line.startswith("HS-RECOVERY-")
    if width is None or width >= len(text):
        assert line == text
    elif width >= 74:
        assert len(line) <= width
    assert ident.parse_recovery(line).raw() == who.raw()
