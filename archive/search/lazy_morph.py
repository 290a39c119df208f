"""Defer the one costly part of importing Whoosh that this package never uses.

``whoosh.query.terms`` imports ``variations`` from ``whoosh.lang.morph_en`` for its Variations
query, and that module compiles dozens of large regular expressions of English word endings as
it is imported: about a tenth of an `archive search` process. Queries here never build a
Variations query. So a stand-in module, put in place before Whoosh's query package is first
imported, offers the same ``variations``, which loads the real module when first called.
"""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType

_NAME = "whoosh.lang.morph_en"


def _real_module() -> ModuleType:
    module = sys.modules.get(_NAME)
    if module is not None and module is not _stand_in:
        return module
    spec = importlib.util.find_spec("whoosh.lang")
    assert spec is not None and spec.submodule_search_locations is not None
    real_spec = importlib.util.spec_from_file_location(
        _NAME, f"{spec.submodule_search_locations[0]}/morph_en.py")
    assert real_spec is not None and real_spec.loader is not None
    real = importlib.util.module_from_spec(real_spec)
    real_spec.loader.exec_module(real)
    sys.modules[_NAME] = real
    return real


def variations(word: str) -> set[str]:
    """``whoosh.lang.morph_en.variations``, loaded on first use."""
    result: set[str] = _real_module().variations(word)
    return result


_stand_in = ModuleType(_NAME, __doc__)
_stand_in.variations = variations  # type: ignore[attr-defined]


def install() -> None:
    """Put the stand-in in place unless Whoosh's module is imported already."""
    sys.modules.setdefault(_NAME, _stand_in)
