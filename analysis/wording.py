"""Numbers in sentences, worded once for the pages and the CLI."""

from __future__ import annotations


def counted(count: int, noun: str) -> str:
    """The count with its noun, plural unless the count is one: "1 row", "2 rows"."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"
