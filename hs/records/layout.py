"""Where things are in a records repository: the tree's folder and its special files.

The kinds' folders are :data:`hs.records.ids.FOLDER`.
"""

from __future__ import annotations

RECORDS = "records"
CONFIG_FILE = "config.yaml"
VOCABULARIES_FILE = "vocabularies.yaml"
SPECIAL: dict[str, str] = {CONFIG_FILE: "config", VOCABULARIES_FILE: "vocabularies"}
SPECIAL_KINDS = frozenset(SPECIAL.values())

# Where the CI workflow and the pre-commit hook install hs from (``install:`` in
# records/config.yaml): a git URL pinned to a tag or commit, or a wheel of this project;
# never a bare package name (another project's on the package index).
DISTRIBUTION = "homestart-hs"
INSTALL_PATTERN = (r"^(git\+(https|ssh|file)://[^\s@]*(@[^\s/@]+/)?[^\s@]+@[^\s/@]+"
                   r"|\S*(^|/)homestart_hs-[^\s/]+\.whl)$")
