"""CLI: python -m analysis stats|verbs|similarity|dedup|figures ...

Sub-commands live in analysis/commands/ (see analysis.cli).
"""

from __future__ import annotations

import sys

from analysis import commands
from analysis.cli import build_parser, run_cli


def main(argv: list[str] | None = None) -> int:
    return run_cli(build_parser("python -m analysis", __doc__.splitlines()[0], commands), argv)


if __name__ == "__main__":
    sys.exit(main())
