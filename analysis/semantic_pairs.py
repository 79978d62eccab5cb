"""Semantic near-duplicates: pairs of rows whose embeddings are close although their words
differ, i.e. paraphrases that the papers' ROUGE-L filter (above 0.7 rejects) lets through.

Vectors are L2-normalized, so the inner product is the cosine; the (rows x rows) products are
computed in row blocks, never held whole, and only pairs at or above the threshold are kept.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pandas as pd

from analysis.defaults import DEFAULT_THRESHOLD
from analysis.rouge import ENGLISH, rouge_l

#: Cosine at or above which two all-MiniLM-L6-v2 sentences usually say the same thing.
DEFAULT_COSINE = 0.85
BLOCK_ROWS = 2048


def _blocks(vectors: np.ndarray) -> Iterator[tuple[int, np.ndarray]]:
    for start in range(0, len(vectors), BLOCK_ROWS):
        yield start, vectors[start : start + BLOCK_ROWS] @ vectors.T


def similar_pairs(vectors: np.ndarray, threshold: float = DEFAULT_COSINE) -> pd.DataFrame:
    """``first, second, cosine`` for every pair of row positions first < second whose cosine
    is at least `threshold`, most similar first."""
    firsts, seconds, cosines = [], [], []
    for start, block in _blocks(np.asarray(vectors, dtype=np.float32)):
        rows, columns = np.nonzero(block >= threshold)
        later = columns > rows + start
        firsts.append(rows[later] + start)
        seconds.append(columns[later])
        cosines.append(block[rows[later], columns[later]])
    pairs = pd.DataFrame(
        {
            "first": np.concatenate(firsts) if firsts else np.array([], dtype=int),
            "second": np.concatenate(seconds) if seconds else np.array([], dtype=int),
            "cosine": np.concatenate(cosines) if cosines else np.array([], dtype=np.float32),
        }
    )
    return pairs.sort_values(
        ["cosine", "first", "second"], ascending=[False, True, True], ignore_index=True
    )


def nearest_similarity(vectors: np.ndarray, groups: np.ndarray | None = None) -> np.ndarray:
    """Each row's highest cosine to another row (of its own group when `groups` is given);
    -1 for a row with no other row to compare with."""
    vectors = np.asarray(vectors, dtype=np.float32)
    # integer codes: comparing (block x rows) strings would cost more than the products
    groups = np.zeros(len(vectors), dtype=int) if groups is None else pd.factorize(groups)[0]
    best = np.full(len(vectors), -1.0, dtype=np.float32)
    for start, block in _blocks(vectors):
        rows = np.arange(start, start + len(block))
        block[np.arange(len(block)), rows] = -np.inf  # not itself
        block[groups[rows][:, None] != groups[None, :]] = -np.inf
        best[rows] = np.maximum(block.max(axis=1), -1.0)
    return best


def semantic_pairs(
    rows: pd.DataFrame,
    vectors: np.ndarray,
    cosine: float = DEFAULT_COSINE,
    rouge_threshold: float = DEFAULT_THRESHOLD,
    tokenizer: str = ENGLISH,
) -> pd.DataFrame:
    """Paraphrase pairs side by side: cosine at least `cosine` but ROUGE-L at most
    `rouge_threshold` (pairs ROUGE-L already flags are left out). `rows` has ``id`` and
    ``text`` (and ``dataset`` when several sets are mapped), in the vectors' order.

    Columns: [first_dataset,] first_id, first_text, [second_dataset,] second_id, second_text,
    cosine, rougeL; most similar first."""
    pairs = similar_pairs(vectors, cosine)
    texts = rows["text"].astype(str).to_numpy()
    pairs["rougeL"] = [
        rouge_l(texts[a], texts[b], tokenizer)
        for a, b in zip(pairs["first"], pairs["second"], strict=True)
    ]
    pairs = pairs[pairs["rougeL"] <= rouge_threshold].reset_index(drop=True)
    columns = ["dataset", "id", "text"] if "dataset" in rows.columns else ["id", "text"]
    sides = []
    for side in ("first", "second"):
        part = rows.iloc[pairs[side].to_numpy()][columns].reset_index(drop=True)
        sides.append(part.rename(columns={c: f"{side}_{c}" for c in columns}))
    return pd.concat([*sides, pairs[["cosine", "rougeL"]]], axis=1)
