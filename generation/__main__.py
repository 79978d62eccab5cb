"""CLI: python -m generation ask|self-instruct|answer|judge|compare-score|export-pairs|citing ...

Sub-commands live in generation/commands/ (see analysis.cli).
"""

from __future__ import annotations

import sys

from analysis.cli import build_parser, run_cli
from generation import commands


def main(argv: list[str] | None = None) -> int:
    return run_cli(build_parser("python -m generation", __doc__.splitlines()[0], commands), argv)


if __name__ == "__main__":
    sys.exit(main())
