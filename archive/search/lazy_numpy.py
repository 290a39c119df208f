"""numpy, imported when a search first needs it.

Importing numpy costs about 80 ms, a quarter of an `archive search` process, and only searches
over long posting lists need it (a common word's tens of thousands of postings scored as
arrays); shorter ones are read and scored in Python until something has imported numpy
(``postings.arrays_from``). Modules of this package use ``np`` from here as they would
``numpy``; the first attribute read imports numpy and copies its names onto the stand-in, so
later reads are plain attribute lookups.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any


class _Numpy:
    def __getattr__(self, name: str) -> Any:
        import numpy

        self.__dict__.update(numpy.__dict__)
        return getattr(numpy, name)


def numpy_imported() -> bool:
    """Whether numpy has been imported into this process (by anything)."""
    return "numpy" in sys.modules


if TYPE_CHECKING:
    import numpy as np
else:
    np = _Numpy()
