"""The compiled kernels of linking (_calign.c), or None where they are not usable.

``setup.py`` builds them at install where a C compiler is present; without one, or when the
built module is older than the Python beside it (a checkout updated without reinstalling), the
Python forms run instead, with the same results (tests/test_provenance_calign.py).
"""

from __future__ import annotations

from types import ModuleType

# The version of the kernels this Python expects: raised with CALIGN_VERSION in _calign.c.
EXPECTED_VERSION = 4


def _load() -> ModuleType | None:
    try:
        from . import _calign
    except ImportError:
        return None
    return _calign if getattr(_calign, "VERSION", None) == EXPECTED_VERSION else None


calign: ModuleType | None = _load()
