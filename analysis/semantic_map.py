"""The semantic map: sentence embeddings projected to 2-D, density clusters, a label per cluster.

Projection: UMAP with the cosine metric and a fixed seed (`random_state`, which also makes UMAP
run single-threaded: the same input and seed give the same map). Up to FIT_SAMPLE rows are
projected together; above that UMAP is fitted on a seeded sample of FIT_SAMPLE rows and the
other rows are placed with `transform` (a 52K-row set then costs about a 10K-row fit plus a
cheap transform, and the layout of the sample does not depend on the rest).

Clusters: scikit-learn's HDBSCAN on the 2-D map (as Embedding Atlas does: the clusters are the
dense regions a reader sees), -1 for rows in no cluster. Each cluster's label is built from its
members alone: its top c-TF-IDF terms (each cluster's texts as one document, term frequency
times log(1 + mean words per cluster / the term's frequency over all clusters), BERTopic's
class-based TF-IDF) and its most frequent verb-noun pair.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from analysis.errors import Errors, WorkbenchError

SEED = 0
#: Above this many rows UMAP is fitted on a seeded sample of this size and transforms the rest.
FIT_SAMPLE = 10_000
N_NEIGHBORS = 15
MIN_DIST = 0.1
NOISE = -1
#: A label's number of c-TF-IDF terms.
LABEL_TERMS = 3


def min_cluster_size(rows: int) -> int:
    """HDBSCAN's smallest cluster: 5 rows, or 0.5% of the rows for large sets (about 260 at
    52K), so a map has tens of clusters rather than thousands."""
    return max(5, rows // 200)


def project(vectors: np.ndarray, seed: int = SEED, fit_sample: int = FIT_SAMPLE) -> np.ndarray:
    """(rows x 2) UMAP coordinates of normalized `vectors`, reproducible for a seed."""
    rows = len(vectors)
    if rows < 4:
        raise WorkbenchError(Errors.E150.format(rows=rows))
    import umap  # numba compiles on first use: only when a map is asked for

    reducer = umap.UMAP(
        n_components=2,
        n_neighbors=min(N_NEIGHBORS, rows - 1),
        min_dist=MIN_DIST,
        metric="cosine",
        random_state=seed,
        n_jobs=1,  # what a seed implies anyway (UMAP warns otherwise)
        init="spectral" if rows > N_NEIGHBORS + 1 else "random",
    )
    if rows <= fit_sample:
        return reducer.fit_transform(vectors).astype(np.float32)
    sample = np.sort(np.random.default_rng(seed).choice(rows, size=fit_sample, replace=False))
    coords = np.empty((rows, 2), dtype=np.float32)
    coords[sample] = reducer.fit_transform(vectors[sample])
    rest = np.setdiff1d(np.arange(rows), sample)
    coords[rest] = reducer.transform(vectors[rest])
    return coords


def cluster(coords: np.ndarray, min_size: int | None = None) -> np.ndarray:
    """HDBSCAN cluster of each point of the map (NOISE for none), numbered by size: 0 largest."""
    from sklearn.cluster import HDBSCAN

    size = min_size or min_cluster_size(len(coords))
    labels = HDBSCAN(min_cluster_size=size, copy=True).fit_predict(coords)
    return renumber_by_size(labels)


def renumber_by_size(labels: np.ndarray) -> np.ndarray:
    """Clusters renumbered 0, 1, ... from the largest (ties: the lower old number); noise stays."""
    kept = labels[labels != NOISE]
    if kept.size == 0:
        return labels.copy()
    ids, counts = np.unique(kept, return_counts=True)
    order = ids[np.lexsort((ids, -counts))]
    mapping = {old: new for new, old in enumerate(order)}
    return np.array([mapping.get(label, NOISE) for label in labels], dtype=int)


def top_terms(texts: Sequence[str], clusters: Sequence[int], k: int = LABEL_TERMS) -> dict:
    """Each cluster's k highest c-TF-IDF terms (English stop words left out), from its members."""
    from sklearn.feature_extraction.text import CountVectorizer

    frame = pd.DataFrame({"text": list(texts), "cluster": list(clusters)})
    frame = frame[frame["cluster"] != NOISE]
    if frame.empty:
        return {}
    documents = frame.groupby("cluster")["text"].apply(" ".join)
    try:
        counts = CountVectorizer(stop_words="english").fit(documents)
    except ValueError:  # only stop words (or nothing) in every cluster
        return {number: [] for number in documents.index}
    matrix = counts.transform(documents).toarray().astype(float)
    term_frequency = matrix / np.maximum(matrix.sum(axis=1, keepdims=True), 1)
    average_words = matrix.sum() / len(documents)
    idf = np.log1p(average_words / np.maximum(matrix.sum(axis=0), 1))
    scores = term_frequency * idf
    vocabulary = counts.get_feature_names_out()
    result = {}
    for number, row, present in zip(documents.index, scores, matrix > 0, strict=True):
        order = [i for i in np.argsort(-row, kind="stable") if present[i]][:k]
        result[number] = [str(vocabulary[i]) for i in order]
    return result


def top_pairs(verbs: Sequence[str], nouns: Sequence[str], clusters: Sequence[int]) -> dict:
    """Each cluster's most frequent verb-noun pair ("verb noun", or the verb alone when no
    noun), ties broken alphabetically; "" when no member has a verb."""
    frame = pd.DataFrame({"verb": verbs, "noun": nouns, "cluster": clusters}).fillna("")
    frame = frame[(frame["cluster"] != NOISE) & (frame["verb"] != "")]
    result = {}
    for number, members in frame.groupby("cluster"):
        pairs = (members["verb"] + " " + members["noun"]).str.strip().value_counts()
        best = pairs[pairs == pairs.max()].index
        result[number] = sorted(best)[0]
    return result


def cluster_table(
    texts: Sequence[str],
    clusters: Sequence[int],
    verbs: Sequence[str] | None = None,
    nouns: Sequence[str] | None = None,
) -> pd.DataFrame:
    """``cluster, size, terms, verb_noun, label`` per cluster (noise first, labelled "no
    cluster"); the label is the verb-noun pair and the terms, e.g. "write poem · poem, love"."""
    clusters = np.asarray(clusters)
    terms = top_terms(texts, clusters)
    pairs = top_pairs(verbs, nouns, clusters) if verbs is not None else {}
    numbers, sizes = np.unique(clusters, return_counts=True)
    rows = []
    for number, size in zip(numbers, sizes, strict=True):
        if number == NOISE:
            rows.append((NOISE, size, "", "", "no cluster"))
            continue
        words = ", ".join(terms.get(number, []))
        pair = pairs.get(number, "")
        label = " · ".join(part for part in (pair, words) if part) or f"cluster {number}"
        rows.append((int(number), int(size), words, pair, f"{number}: {label}"))
    return pd.DataFrame(rows, columns=["cluster", "size", "terms", "verb_noun", "label"])


def map_frame(
    ids: Sequence[str],
    coords: np.ndarray,
    clusters: np.ndarray,
    labels: pd.DataFrame,
    datasets: Sequence[str] | None = None,
) -> pd.DataFrame:
    """``id, x, y, cluster, label`` per row (``dataset`` first when several are mapped)."""
    label_of = dict(zip(labels["cluster"], labels["label"], strict=True))
    frame = pd.DataFrame(
        {
            "id": list(ids),
            "x": coords[:, 0],
            "y": coords[:, 1],
            "cluster": clusters,
            "label": [label_of[number] for number in clusters],
        }
    )
    if datasets is not None:
        frame.insert(0, "dataset", list(datasets))
    return frame


def build_map(
    vectors: np.ndarray,
    texts: Sequence[str],
    ids: Sequence[str],
    verbs: Sequence[str] | None = None,
    nouns: Sequence[str] | None = None,
    datasets: Sequence[str] | None = None,
    seed: int = SEED,
    fit_sample: int = FIT_SAMPLE,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The map (one row per text) and its cluster table, from the vectors and the texts."""
    coords = project(vectors, seed, fit_sample)
    clusters = cluster(coords)
    labels = cluster_table(texts, clusters, verbs, nouns)
    return map_frame(ids, coords, clusters, labels, datasets), labels
