"""Where things are in a records repository: the tree's folder and its special files.

The kinds' folders are :data:`hs.records.ids.FOLDER`.
"""

from __future__ import annotations

RECORDS = "records"
CONFIG_FILE = "config.yaml"
VOCABULARIES_FILE = "vocabularies.yaml"
SPECIAL: dict[str, str] = {CONFIG_FILE: "config", VOCABULARIES_FILE: "vocabularies"}
SPECIAL_KINDS = frozenset(SPECIAL.values())
