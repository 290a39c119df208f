"""Provenance: which document was copied, spun or rewritten from which, and who cites whom.

Pure library: no database, no CLI. Deterministic for a given set of documents.
"""

from .attribution import Attribution
from .candidates import CandidateIndex
from .engine import METHOD_VERSION, ProvenanceIndex, build, fingerprint, update
from .fingerprint import FINGERPRINT_VERSION, Fingerprint
from .model import DERIVATIONS, RELATIONS, DocInput, Link, ProvenanceResult

__all__ = [
    "FINGERPRINT_VERSION",
    "METHOD_VERSION",
    "Attribution",
    "CandidateIndex",
    "DERIVATIONS",
    "DocInput",
    "Fingerprint",
    "Link",
    "ProvenanceIndex",
    "ProvenanceResult",
    "RELATIONS",
    "build",
    "fingerprint",
    "update",
]
