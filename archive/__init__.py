"""archive: a searchable news archive with provenance."""

__version__ = "0.1.0"
