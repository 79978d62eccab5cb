"""Counts worded with their noun."""

from __future__ import annotations

from analysis.wording import counted


def test_wording_counted_is_singular_for_one_only():
    assert [counted(n, "Chinese row") for n in (0, 1, 2)] == [
        "0 Chinese rows",
        "1 Chinese row",
        "2 Chinese rows",
    ]
