"""hs: the record store and terminal tool of Home-Start coordinators."""

__version__ = "0.2.0"
SCHEMA_VERSION = 1
