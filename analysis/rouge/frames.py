"""ROUGE-L on record-schema frames: the cached similarity-to-a-pool column, deduplication."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import pandas as pd

from analysis.cache import cached_frame
from analysis.defaults import DEFAULT_THRESHOLD
from analysis.rouge.allpairs import VerifyChunks
from analysis.rouge.duplicates import near_duplicate_clusters, near_duplicate_pairs
from analysis.rouge.pool import rouge_to_pool
from analysis.rouge.tokens import ENGLISH

if TYPE_CHECKING:
    from analysis.datasets import Dataset

#: Bump when the scores or columns of the cached similarity frame change.
CACHE_VERSION = "1"
SIMILARITY_COLUMNS: tuple[str, ...] = (
    "id",
    "max_rougeL",
    "nearest_id",
    "nearest_text",
    "mean_rougeL",
)


def _langs(frame: pd.DataFrame) -> list[str | None] | None:
    if "lang" not in frame:
        return None
    return [None if pd.isna(lang) else str(lang) for lang in frame["lang"]]


def similarity_to_pool(
    frame: pd.DataFrame,
    pool_frame: pd.DataFrame,
    field: str = "instruction",
    tokenizer: str = ENGLISH,
    workers: int = -1,
    score: Callable[..., pd.DataFrame] | None = None,
) -> pd.DataFrame:
    """Each row's max and mean ROUGE-L to the pool's distinct texts, with the nearest pool row.

    The pool counts each distinct text once (a seed task with several instances is one
    instruction); nearest_id is the first pool row holding the nearest text. `score`: another
    engine's :func:`rouge_to_pool` (same arguments, same frame), e.g. Ray's; None: this one.
    """
    pool = pool_frame.drop_duplicates(field).reset_index(drop=True)
    scores = (score or rouge_to_pool)(
        frame[field].tolist(),
        pool[field].tolist(),
        tokenizer=tokenizer,
        langs=_langs(frame),
        pool_langs=_langs(pool),
        workers=workers,
    )
    nearest = scores["nearest_index"].to_numpy()
    pool_ids = pool["id"].astype(str).to_numpy()
    return pd.DataFrame(
        {
            "id": frame["id"].astype("string").reset_index(drop=True),
            "max_rougeL": scores["max_rougeL"],
            "nearest_id": pd.Series(
                [pool_ids[i] if i >= 0 else None for i in nearest], dtype="string"
            ),
            "nearest_text": scores["nearest_text"],
            "mean_rougeL": scores["mean_rougeL"],
        },
        columns=list(SIMILARITY_COLUMNS),
    )


def max_rouge_to_pool_cached(
    dataset: Dataset, pool_dataset: Dataset, field: str = "instruction", tokenizer: str = ENGLISH
) -> pd.DataFrame:
    """`similarity_to_pool` of two loaded datasets, cached by both fingerprints (for pages)."""
    return cached_frame(
        "rouge",
        dataset.fingerprint,
        {"pool": pool_dataset.fingerprint, "field": field, "tokenizer": tokenizer},
        CACHE_VERSION,
        lambda: similarity_to_pool(dataset.frame, pool_dataset.frame, field, tokenizer),
    )


def frame_near_duplicate_pairs(
    frame: pd.DataFrame,
    threshold: float = DEFAULT_THRESHOLD,
    field: str = "instruction",
    tokenizer: str = ENGLISH,
    workers: int = -1,
    verify: VerifyChunks | None = None,
) -> pd.DataFrame:
    """Every pair of rows (0-based positions i < j) whose `field` scores above the threshold:
    columns i, j, rougeL. `verify`: as in near_duplicate_pairs (another engine's)."""
    return near_duplicate_pairs(
        frame[field].tolist(),
        threshold,
        tokenizer=tokenizer,
        langs=_langs(frame),
        workers=workers,
        verify=verify,
    )


def deduplicate(
    frame: pd.DataFrame,
    threshold: float = DEFAULT_THRESHOLD,
    field: str = "instruction",
    tokenizer: str = ENGLISH,
    rule: str = "filter",
    workers: int = -1,
    pairs: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Drop near-duplicates, first occurrences kept (`rule` as in near_duplicate_clusters).

    Returns the kept rows and a report of each removed row: id, text, cluster_id (its cluster's
    first row, always kept), matched_id and matched_text (the row that justifies the drop) and
    rougeL (their score, above the threshold). `pairs`: the frame_near_duplicate_pairs of the
    same arguments, when the caller already has them."""
    frame = frame.reset_index(drop=True)
    texts = frame[field].tolist()
    clusters = near_duplicate_clusters(
        texts,
        threshold,
        rule=rule,
        tokenizer=tokenizer,
        langs=_langs(frame),
        workers=workers,
        pairs=pairs,
    )
    removed = clusters[clusters["is_duplicate"]]
    ids = frame["id"].astype(str).to_numpy()
    report = pd.DataFrame(
        {
            "id": ids[removed.index],
            "text": [texts[i] for i in removed.index],
            "cluster_id": ids[removed["cluster"].to_numpy()],
            "matched_id": ids[removed["matched_index"].to_numpy()],
            "matched_text": [texts[i] for i in removed["matched_index"]],
            "rougeL": removed["matched_rougeL"].to_numpy(),
        }
    )
    kept = frame[~clusters["is_duplicate"].to_numpy()].reset_index(drop=True)
    return kept, report
