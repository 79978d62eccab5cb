"""Similarity to a pool (Self-Instruct Fig. 3): the tables drawn from each row's max ROUGE-L.

The scores themselves come from ``analysis.rouge`` (``similarity_to_pool``); here they become
the histogram's counts and the list of rows above the novelty threshold.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.defaults import DEFAULT_THRESHOLD

#: Bins of the histogram over [0, 1] (Self-Instruct's figure steps by 0.05).
DEFAULT_BINS = 20


def similarity_histogram_data(
    max_scores: pd.Series | np.ndarray, bins: int = DEFAULT_BINS
) -> pd.DataFrame:
    """Rows per bin of max ROUGE-L over [0, 1] (bin_start, bin_end, count), missing scores left
    out; numpy's last bin holds 1.0, which plotly's half-open bins would drop."""
    scores = pd.Series(max_scores, dtype="float64").dropna().to_numpy()
    counts, edges = np.histogram(scores, bins=bins, range=(0.0, 1.0))
    return pd.DataFrame({"bin_start": edges[:-1], "bin_end": edges[1:], "count": counts})


def count_above(max_scores: pd.Series | np.ndarray, threshold: float = DEFAULT_THRESHOLD) -> int:
    """Rows the novelty filter would reject: max ROUGE-L strictly above the threshold."""
    return int((pd.Series(max_scores, dtype="float64") > threshold).sum())


def rows_above(
    similarity: pd.DataFrame,
    threshold: float = DEFAULT_THRESHOLD,
    texts: pd.Series | None = None,
) -> pd.DataFrame:
    """Rows whose max ROUGE-L is strictly above the threshold, most similar first, with their
    nearest pool item; `texts` (aligned with `similarity`) adds each row's own text."""
    columns = [c for c in ("id", "max_rougeL", "nearest_id", "nearest_text") if c in similarity]
    above = similarity["max_rougeL"].to_numpy() > threshold
    selected = similarity.loc[above, columns].reset_index(drop=True)
    if texts is not None:  # only the rows above: a million texts made Python strings took 1 s
        selected.insert(1, "text", pd.Series(texts).reset_index(drop=True)[above].to_numpy())
    return selected.sort_values("max_rougeL", ascending=False, kind="stable").reset_index(drop=True)
