"""Progress in words: counts, and a time left that never reads "about 0 min"."""

from __future__ import annotations

import pytest

from analysis.progress import progress_text, time_left


@pytest.mark.parametrize(
    ("done", "total", "elapsed", "expected"),
    [
        (0, 100, 5.0, ""),  # no pace yet
        (100, 100, 5.0, ""),  # finished
        (50, 100, 0.2, "about 1 s left"),
        (10, 100, 4.0, "about 36 s left"),
        (10, 100, 40.0, "about 6 min left"),
    ],
)
def test_progress_time_left(done, total, elapsed, expected):
    assert time_left(done, total, elapsed) == expected


def test_progress_text_counts_with_thousands():
    assert progress_text("Parsing", 1500, 5000, 3.0) == "Parsing: 1,500 of 5,000 · about 7 s left"
