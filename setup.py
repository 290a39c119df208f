"""The one compiled part (archive/provenance/_calign.c); everything else is in pyproject.toml.

Optional: where no C compiler is present the install still succeeds and align.py runs the
same walk in Python (slower, same results).
"""

from setuptools import Extension, setup

setup(ext_modules=[Extension("archive.provenance._calign", ["archive/provenance/_calign.c"], optional=True,
                             extra_compile_args=["-O2"])])
