"""How much of the semantic space each dataset covers, from a map of several datasets together.

Coverage: each cluster's share of each dataset's rows; a cluster is a gap of a dataset when
another dataset puts at least GAP_MIN_ROWS rows there and the dataset's own share of its rows
there is under GAP_RATIO of that dataset's share ("many rows there, almost none here").

Diversity, per dataset: clusters covered (with at least one row), the entropy of its rows over
clusters (bits; noise left out), the mean pairwise cosine distance on a seeded sample with a
seeded bootstrap interval (rows resampled, each row's mean distance to the rest of the sample
as the unit), and the share of rows with a semantic near-duplicate in the same dataset.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.semantic_map import NOISE, SEED
from analysis.semantic_pairs import DEFAULT_COSINE, nearest_similarity

GAP_MIN_ROWS = 5
GAP_RATIO = 0.1
#: Rows per dataset in the pairwise-distance sample (all pairs of 1,000 rows: 0.5M distances).
DISTANCE_SAMPLE = 1000
BOOTSTRAP = 1000
CONFIDENCE = 0.95


def coverage(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per cluster (noise left out): ``cluster, label``, then per dataset its row count
    and its share of that dataset's rows (``share <name>``, 0-1), then ``gap_in``: the datasets
    with almost none of a cluster another dataset has many rows in. Gaps first, by size."""
    names = list(dict.fromkeys(frame["dataset"]))
    clustered = frame[frame["cluster"] != NOISE]
    counts = pd.crosstab(clustered["cluster"], clustered["dataset"]).reindex(
        columns=names, fill_value=0
    )
    totals = frame["dataset"].value_counts().reindex(names)
    shares = counts / totals
    table = pd.DataFrame({"cluster": counts.index.astype(int)})
    labels = clustered.drop_duplicates("cluster").set_index("cluster")["label"]
    table["label"] = labels.reindex(counts.index).to_numpy()
    for name in names:
        table[name] = counts[name].to_numpy()
    for name in names:
        table[f"share {name}"] = shares[name].to_numpy()
    gaps = []
    for cluster in counts.index:
        missing = [
            name
            for name in names
            if any(
                counts.at[cluster, other] >= GAP_MIN_ROWS
                and shares.at[cluster, name] < GAP_RATIO * shares.at[cluster, other]
                for other in names
                if other != name
            )
        ]
        gaps.append(", ".join(missing))
    table["gap_in"] = gaps
    table["_size"] = counts.sum(axis=1).to_numpy()
    table = table.sort_values(
        ["gap_in", "_size", "cluster"], ascending=[True, False, True], key=_gaps_first
    )
    return table.drop(columns="_size").reset_index(drop=True)


def _gaps_first(column: pd.Series) -> pd.Series:
    return column == "" if column.name == "gap_in" else column


def cluster_entropy(clusters: np.ndarray) -> float:
    """Shannon entropy (bits) of the rows over clusters, noise left out; 0 with one cluster."""
    kept = np.asarray(clusters)[np.asarray(clusters) != NOISE]
    if kept.size == 0:
        return 0.0
    _, counts = np.unique(kept, return_counts=True)
    shares = counts / counts.sum()
    return float(-(shares * np.log2(shares)).sum())


def mean_distance(
    vectors: np.ndarray,
    sample: int = DISTANCE_SAMPLE,
    boots: int = BOOTSTRAP,
    seed: int = SEED,
) -> tuple[float, float, float]:
    """Mean pairwise cosine distance (1 - cosine) of a seeded sample of the rows, and its
    bootstrap interval (CONFIDENCE; rows resampled with a seeded generator)."""
    rng = np.random.default_rng(seed)
    vectors = np.asarray(vectors, dtype=np.float32)
    if len(vectors) < 2:
        return float("nan"), float("nan"), float("nan")
    if len(vectors) > sample:
        vectors = vectors[np.sort(rng.choice(len(vectors), size=sample, replace=False))]
    distances = 1.0 - vectors @ vectors.T
    per_row = (distances.sum(axis=1) - np.diag(distances)) / (len(vectors) - 1)
    estimate = float(per_row.mean())
    draws = rng.integers(0, len(per_row), size=(boots, len(per_row)))
    means = per_row[draws].mean(axis=1)
    tail = (1 - CONFIDENCE) / 2
    return estimate, float(np.quantile(means, tail)), float(np.quantile(means, 1 - tail))


def diversity(
    frame: pd.DataFrame, vectors: np.ndarray, cosine: float = DEFAULT_COSINE, seed: int = SEED
) -> pd.DataFrame:
    """One row per dataset of a map (``dataset, cluster`` per row, in the vectors' order):
    rows, clusters, cluster_entropy_bits, noise_share, mean_cosine_distance with ci_low and
    ci_high, near_duplicate_share (rows with another row of the same dataset at `cosine` or
    more)."""
    datasets = frame["dataset"].to_numpy()
    nearest = nearest_similarity(vectors, datasets)
    records = []
    for name in dict.fromkeys(datasets):
        mine = datasets == name
        clusters = frame["cluster"].to_numpy()[mine]
        estimate, low, high = mean_distance(vectors[mine], seed=seed)
        records.append(
            {
                "dataset": name,
                "rows": int(mine.sum()),
                "clusters": int(len(set(clusters.tolist()) - {NOISE})),
                "cluster_entropy_bits": cluster_entropy(clusters),
                "noise_share": float((clusters == NOISE).mean()),
                "mean_cosine_distance": estimate,
                "ci_low": low,
                "ci_high": high,
                "near_duplicate_share": float((nearest[mine] >= cosine).mean()),
            }
        )
    return pd.DataFrame(records)
