"""Near-duplicates within one set: every pair above a threshold, clusters, the rows to drop."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np
import pandas as pd

from analysis.defaults import DEFAULT_THRESHOLD
from analysis.errors import Errors, WorkbenchError
from analysis.rouge import scores as rouge_scores
from analysis.rouge.allpairs import VerifyChunks, all_pairs_above
from analysis.rouge.codec import encode_together
from analysis.rouge.scores import f_measure, lcs_lengths
from analysis.rouge.tokens import ENGLISH, tokenize_all

#: From these sizes on near_duplicate_pairs filters candidates by shared prefix tokens
#: (measured: 2.7 s instead of 21 s for 20,000 recombined instructions at 0.7; slower than
#: comparing by length bands at 0.3, where most pairs share enough tokens to be candidates).
ALLPAIRS_MIN_THRESHOLD = 0.5
ALLPAIRS_MIN_ROWS = 2_000
#: How `deduplicate` chooses the rows to drop (see near_duplicate_clusters).
DEDUP_RULES: tuple[str, ...] = ("filter", "cluster")


def _loosened(threshold: float) -> float:
    """The threshold less 1e-9, so that float rounding in F never hides a pair from a bound."""
    return threshold - 1e-9


def _later_pairs(
    start: int, stop: int, end: int
) -> Iterator[tuple[tuple[int, int], tuple[int, int]]]:
    """Row and column ranges that hold each pair i < j of rows [start, stop) and columns
    [start, end) exactly once, never a row with itself: a text's LCS with itself costs its
    length squared, which made one long row take minutes while it has no pair at all."""
    if stop < end:
        yield (start, stop), (stop, end)
    halves = [(start, stop)]
    while halves:  # the block's own pairs: each half against the other, then within each
        low, high = halves.pop()
        if high - low > 1:
            middle = (low + high) // 2
            yield (low, middle), (middle, high)
            halves += [(low, middle), (middle, high)]


def near_duplicate_pairs(
    texts: Sequence[str],
    threshold: float = DEFAULT_THRESHOLD,
    *,
    tokenizer: str = ENGLISH,
    langs: Sequence[str | None] | None = None,
    workers: int = -1,
    verify: VerifyChunks | None = None,
) -> pd.DataFrame:
    """Every pair (i < j) with ROUGE-L strictly above the threshold: columns i, j, rougeL,
    sorted by i then j. Both methods find exactly these pairs; prefix filtering (allpairs)
    is the faster from a few thousand texts at thresholds of 0.5 and up, comparing texts of
    similar length (banded_pairs) below that, where nearly every pair is a candidate.
    `verify`: another engine's verification of candidates (Ray); it always takes allpairs'
    candidates, whose verification is what it spreads over workers."""
    if verify is not None:
        return all_pairs_above(
            texts, threshold, tokenizer=tokenizer, langs=langs, workers=workers, verify=verify
        )
    if threshold >= ALLPAIRS_MIN_THRESHOLD and len(texts) >= ALLPAIRS_MIN_ROWS:
        return all_pairs_above(texts, threshold, tokenizer=tokenizer, langs=langs, workers=workers)
    return banded_pairs(texts, threshold, tokenizer=tokenizer, langs=langs, workers=workers)


def banded_pairs(
    texts: Sequence[str],
    threshold: float = DEFAULT_THRESHOLD,
    *,
    tokenizer: str = ENGLISH,
    langs: Sequence[str | None] | None = None,
    workers: int = -1,
) -> pd.DataFrame:
    """near_duplicate_pairs by comparing each text with the later texts of similar length.

    Since F <= 2*min(la,lb)/(la+lb) and F ~ 2*lcs/(la+lb), texts are ordered by token count,
    each row block meets only the later texts short enough to pass, and the LCS is cut off below
    what any pair of the block would need; exact F is computed only for the survivors. So all
    pairs of 52,000 instructions take seconds and little memory, and only found pairs are kept.
    """
    (encoded,) = encode_together(tokenize_all(texts, tokenizer, langs))[1]
    order = np.argsort(encoded.lengths, kind="stable")
    codes = [encoded.codes[i] for i in order]
    lengths = encoded.lengths[order]
    bound = _loosened(threshold)
    ratio = (2 - bound) / bound if bound > 0 else np.inf
    count = len(codes)
    found_i, found_j, found_score = [], [], []
    start = 0
    while start < count:
        # One block holds rows of one length band, so their column windows nearly coincide;
        # columns start at the block (earlier texts already met it) and stop where too long.
        shortest = int(lengths[start])
        band_top = max(1, shortest) * 1.1
        end = count
        if np.isfinite(ratio):
            end = int(np.searchsorted(lengths, band_top * ratio, "right"))
        budget = max(1, rouge_scores.BLOCK_CELLS // max(1, end - start))
        stop = max(start + 1, min(start + budget, int(np.searchsorted(lengths, band_top, "right"))))
        # la, lb >= shortest here, so F > threshold needs lcs > bound * shortest.
        cutoff = max(1, int(np.floor(bound * shortest)) + 1)
        for (row_start, row_stop), (column_start, column_stop) in _later_pairs(start, stop, end):
            lcs = lcs_lengths(
                codes[row_start:row_stop], codes[column_start:column_stop], workers, cutoff
            )
            rows, columns = np.nonzero(lcs)
            if not len(rows):
                continue
            scores = f_measure(
                lcs[rows, columns], lengths[rows + row_start], lengths[columns + column_start]
            )
            above = scores > threshold
            found_i.append(order[rows[above] + row_start])
            found_j.append(order[columns[above] + column_start])
            found_score.append(scores[above])
        start = stop
    i = np.concatenate(found_i) if found_i else np.empty(0, dtype=np.int64)
    j = np.concatenate(found_j) if found_j else np.empty(0, dtype=np.int64)
    pairs = pd.DataFrame(
        {
            "i": np.minimum(i, j),
            "j": np.maximum(i, j),
            "rougeL": np.concatenate(found_score) if found_score else np.empty(0),
        }
    )
    return pairs.sort_values(["i", "j"], kind="stable").reset_index(drop=True)


def clusters_from_pairs(count: int, pairs: pd.DataFrame) -> np.ndarray:
    """Union-find over the pairs: each row's cluster is the index of its first member."""
    parent = list(range(count))

    def find(node: int) -> int:
        root = node
        while parent[root] != root:
            root = parent[root]
        while parent[node] != root:
            parent[node], node = root, parent[node]
        return root

    for a, b in zip(pairs["i"].tolist(), pairs["j"].tolist(), strict=True):
        root_a, root_b = find(a), find(b)
        if root_a != root_b:
            parent[max(root_a, root_b)] = min(root_a, root_b)
    return np.array([find(node) for node in range(count)], dtype=np.int64)


def _filter_rule(count: int, pairs: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Self-Instruct's filter over the set: a row goes when it scores above the threshold with
    an earlier row that stays; its match is the highest-scoring such row."""
    dropped = np.zeros(count, dtype=bool)
    matched = np.full(count, -1, dtype=np.int64)
    score = np.zeros(count, dtype=np.float64)
    ordered = pairs.sort_values(["j", "rougeL", "i"], ascending=[True, False, True])
    for i, j, rouge_l_ij in ordered.itertuples(index=False):  # i < j: i is decided before j
        if matched[j] < 0 and not dropped[i]:
            dropped[j], matched[j], score[j] = True, i, rouge_l_ij
    return dropped, matched, score


def _cluster_rule(
    count: int, pairs: pd.DataFrame, cluster: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every row but the first of its cluster goes; its match is its highest-scoring partner."""
    both = pd.concat(
        [
            pairs.rename(columns={"i": "row", "j": "partner"}),
            pairs.rename(columns={"j": "row", "i": "partner"}),
        ],
        ignore_index=True,
    ).sort_values(["row", "rougeL", "partner"], ascending=[True, False, True], kind="stable")
    best = both.drop_duplicates("row").set_index("row").reindex(range(count))
    dropped = cluster != np.arange(count)
    matched = np.where(dropped, best["partner"].fillna(-1).to_numpy(), -1).astype(np.int64)
    score = np.where(dropped, best["rougeL"].fillna(0.0).to_numpy(), 0.0)
    return dropped, matched, score


def near_duplicate_clusters(
    texts: Sequence[str],
    threshold: float = DEFAULT_THRESHOLD,
    *,
    rule: str = "filter",
    tokenizer: str = ENGLISH,
    langs: Sequence[str | None] | None = None,
    workers: int = -1,
    pairs: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Near-duplicate clusters and the rows to drop; one row per text, in order.

    cluster: union-find over the pairs above the threshold, named by its first text's index.
    is_duplicate, by `rule`: "filter" (default) drops a row that scores above the threshold
    with an earlier row that stays, exactly as Self-Instruct's filter would over this set, so
    every drop has a direct match among the kept rows; "cluster" keeps only the first row of
    each cluster, so rows linked to it only through chains of others go too (on recombined
    instructions a few chains swallow most rows). matched_index and matched_rougeL name the
    row that justifies the drop (-1 and 0.0 for kept rows). `pairs`, when given, are these
    texts' near_duplicate_pairs at this threshold, already computed.
    """
    if rule not in DEDUP_RULES:
        raise WorkbenchError(Errors.E027.format(name=rule, names=", ".join(DEDUP_RULES)))
    if pairs is None:
        pairs = near_duplicate_pairs(
            texts, threshold, tokenizer=tokenizer, langs=langs, workers=workers
        )
    cluster = clusters_from_pairs(len(texts), pairs)
    if rule == "filter":
        dropped, matched, score = _filter_rule(len(texts), pairs)
    else:
        dropped, matched, score = _cluster_rule(len(texts), pairs, cluster)
    return pd.DataFrame(
        {
            "cluster": cluster,
            "is_duplicate": dropped,
            "matched_index": matched,
            "matched_rougeL": score,
        }
    )
