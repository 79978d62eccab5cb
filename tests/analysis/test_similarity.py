"""The similarity page's tables: histogram counts of max ROUGE-L and the rows above."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.similarity import count_above, rows_above, similarity_histogram_data

SCORES = pd.Series([0.0, 0.04, 0.05, 0.5, 0.7, 0.71, 1.0, 1.0, np.nan])


def test_similarity_histogram_counts_every_scored_row_and_keeps_one_in_the_last_bin():
    histogram = similarity_histogram_data(SCORES, bins=20)
    counts = histogram["count"].tolist()
    assert len(counts) == 20 and sum(counts) == 8  # the missing score is left out
    assert counts[0] == 2 and counts[1] == 1 and counts[-1] == 2
    assert histogram["bin_start"].iloc[0] == 0.0 and histogram["bin_end"].iloc[-1] == 1.0


def test_similarity_count_above_is_strict():
    assert count_above(SCORES, 0.7) == 3
    assert count_above(SCORES, 1.0) == 0


def test_similarity_rows_above_lists_strictly_higher_rows_most_similar_first():
    similarity = pd.DataFrame(
        {
            "id": ["a", "b", "c", "d"],
            "max_rougeL": [0.7, 0.9, 0.75, 0.1],
            "nearest_id": ["s1", "s2", "s3", "s4"],
            "nearest_text": ["p1", "p2", "p3", "p4"],
            "mean_rougeL": [0.1, 0.2, 0.3, 0.0],
        }
    )
    above = rows_above(similarity, 0.7, texts=pd.Series(["ta", "tb", "tc", "td"]))
    assert above["id"].tolist() == ["b", "c"]
    assert above["text"].tolist() == ["tb", "tc"]
    assert above["nearest_id"].tolist() == ["s2", "s3"]
