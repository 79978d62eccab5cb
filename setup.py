"""The one compiled module: spaCy's greedy parse loop without profiling hooks (see its docstring).

Built against the spaCy in the environment, so install with ``--no-build-isolation`` (the
Makefile does). Without Cython, spaCy or a C++ compiler the package installs without it and the
verb-noun analysis parses with spaCy's own loop: the same results, slower.
"""

from __future__ import annotations

import sys
from importlib.metadata import PackageNotFoundError
from pathlib import Path

from setuptools import setup
from setuptools.command.build_ext import build_ext

sys.path.insert(0, str(Path(__file__).resolve().parent))


class OptionalBuildExt(build_ext):
    """Build the extension if possible; never fail the install because of it."""

    def run(self) -> None:
        try:
            super().run()
        except Exception as error:  # a missing compiler raises several kinds of errors
            print(f"warning: analysis._greedy_parse not built ({error})", file=sys.stderr)

    def build_extension(self, ext) -> None:
        try:
            super().build_extension(ext)
        except Exception as error:
            print(f"warning: {ext.name} not built ({error})", file=sys.stderr)


def extensions() -> list:
    try:
        import numpy
        from Cython.Build import cythonize
        from setuptools import Extension

        from analysis.verbs_pipeline import compiled_against

        against = compiled_against()
    except (ImportError, PackageNotFoundError) as error:
        print(f"warning: analysis._greedy_parse not built ({error})", file=sys.stderr)
        return []
    module = Extension(
        "analysis._greedy_parse",
        ["analysis/_greedy_parse.pyx"],
        language="c++",
        include_dirs=[numpy.get_include()],
        # spaCy's modules export profiled copies of the same inline StateC methods; hidden
        # symbols bind this module's calls to its own copies.
        extra_compile_args=["-fvisibility=hidden", "-fvisibility-inlines-hidden"],
        define_macros=[("WORKBENCH_BUILT_AGAINST", f'"{against}"')],
    )
    return cythonize([module], quiet=True)


setup(ext_modules=extensions(), cmdclass={"build_ext": OptionalBuildExt})
