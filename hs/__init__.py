"""hs: the record store and terminal tool of Home-Start coordinators."""

__version__ = "0.1.0"
SCHEMA_VERSION = 1
