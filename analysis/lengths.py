"""Lengths: per-row lengths of each text field (cached) and the tables drawn from them.

GPT-4-LLM compares datasets and models by the length distributions of their instructions,
inputs and outputs (Fig. 1d); Self-Instruct's Table 1 averages the same word counts.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from analysis.cache import cached_frame
from analysis.cjk import cjk_language

#: Bump when the length rule changes: cached length columns of older versions are not reused.
LENGTHS_VERSION = "2"
LENGTH_FIELDS: tuple[str, ...] = ("instruction", "input", "output")
#: GPT-4-LLM plots 0-512 words.
DEFAULT_MAX_LENGTH = 512
#: Bars of a histogram whose bin width is not given (GPT-4-LLM: 512 words in bins of 8).
HISTOGRAM_BINS = 64


def word_counts(texts: pd.Series) -> pd.Series:
    """Whitespace-separated words, as the papers count them (a list comprehension: 3x pandas .str)."""
    return pd.Series(
        [len(text.split()) if isinstance(text, str) else 0 for text in texts],
        index=texts.index,
        dtype="int64",
    )


def length_units(texts: pd.Series) -> pd.Series:
    """Words for alphabetic text, characters (without spaces) for Chinese/Japanese/Korean text."""
    return pd.Series(
        [_length_units(text) if isinstance(text, str) else 0 for text in texts],
        index=texts.index,
        dtype="int64",
    )


def _length_units(text: str) -> int:
    words = text.split()
    return sum(map(len, words)) if cjk_language(text) else len(words)


def length_frame(frame: pd.DataFrame, fields: tuple[str, ...] = LENGTH_FIELDS) -> pd.DataFrame:
    """Per-row lengths (words, or characters for CJK) of each text field, in row order."""
    return pd.DataFrame(
        {"id": frame["id"], **{f"{field}_length": length_units(frame[field]) for field in fields}}
    )


def length_columns(dataset) -> pd.DataFrame:
    """`length_frame` of a loaded dataset, cached on disk by its fingerprint."""
    return cached_frame(
        "lengths", dataset.fingerprint, {}, LENGTHS_VERSION, lambda: length_frame(dataset.frame)
    )


def length_table(length_frames: dict[str, pd.DataFrame], field: str) -> pd.DataFrame:
    """Long table (series, id, length) from each series' `length_frame` / `length_columns`."""
    parts = [
        pd.DataFrame(
            {
                "series": name,
                "id": lengths["id"].to_numpy(),
                "length": lengths[f"{field}_length"].to_numpy(),
            }
        )
        for name, lengths in length_frames.items()
    ]
    if not parts:
        return pd.DataFrame(columns=["series", "id", "length"])
    return pd.concat(parts, ignore_index=True)


def length_histogram_data(
    lengths: pd.DataFrame, max_length: int = DEFAULT_MAX_LENGTH, bin_width: int | None = None
) -> pd.DataFrame:
    """Rows per series and bin, as a count and as a share of the series' rows (so 175 rows can
    be set beside 5,000): what the figure draws.

    The bins run from 0 to the longest text, at most `max_length` (longer texts go to the last
    bin), so a field of short texts is not squashed into the first bins of a wide axis; the
    bin width defaults to a `HISTOGRAM_BINS`th of that range.
    """
    longest = int(lengths["length"].max()) if len(lengths) else 0
    top = max(1, min(max_length, longest))
    width = bin_width or max(1, math.ceil(top / HISTOGRAM_BINS))
    edges = np.arange(0, top + width, width)
    rows = []
    for series, group in lengths.groupby("series", sort=False):
        counts, _ = np.histogram(group["length"].clip(upper=top), bins=edges)
        rows.append(
            pd.DataFrame(
                {
                    "series": series,
                    "bin_start": edges[:-1],
                    "bin_end": edges[1:],
                    "count": counts,
                    "share": counts / len(group),
                }
            )
        )
    return (
        pd.concat(rows, ignore_index=True)
        if rows
        else pd.DataFrame(columns=["series", "bin_start", "bin_end", "count", "share"])
    )


#: Headers a reader sees over `length_summary`'s columns.
SUMMARY_LABELS = {
    "series": "dataset",
    "rows": "rows",
    "mean": "mean",
    "median": "median",
    "p90": "90th percentile",
    "max": "longest",
}


def length_summary(lengths: pd.DataFrame) -> pd.DataFrame:
    """Per-series count, mean, median, 90th percentile and max length."""
    grouped = lengths.groupby("series", sort=False)["length"]
    summary = grouped.agg(rows="count", mean="mean", median="median", max="max")
    summary.insert(3, "p90", grouped.quantile(0.9))
    return summary.reset_index()
