"""Each text's max and mean ROUGE-L against a pool, in row blocks (Self-Instruct Fig. 3)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from analysis.errors import Errors, WorkbenchError
from analysis.rouge import scores as rouge_scores
from analysis.rouge.codec import encode_together
from analysis.rouge.scores import f_measure, lcs_lengths
from analysis.rouge.tokens import ENGLISH, tokenize_all


def rouge_to_pool(
    texts: Sequence[str],
    pool_texts: Sequence[str],
    *,
    tokenizer: str = ENGLISH,
    langs: Sequence[str | None] | None = None,
    pool_langs: Sequence[str | None] | None = None,
    workers: int = -1,
) -> pd.DataFrame:
    """Max and mean ROUGE-L of each text against a pool, with the nearest pool item.

    One row per text, in order: max_rougeL, mean_rougeL, nearest_index (first pool item with
    the max; -1 when the max is 0, where no pool item is nearer than another), nearest_text.
    """
    if len(pool_texts) == 0:
        raise WorkbenchError(Errors.E017)
    _, (rows, pool) = encode_together(
        tokenize_all(texts, tokenizer, langs), tokenize_all(pool_texts, tokenizer, pool_langs)
    )
    count = len(rows.codes)
    best = np.zeros(count, dtype=np.float64)
    mean = np.zeros(count, dtype=np.float64)
    nearest = np.full(count, -1, dtype=np.int64)
    step = max(1, rouge_scores.BLOCK_CELLS // len(pool.codes))
    for start in range(0, count, step):
        stop = min(count, start + step)
        scores = f_measure(
            lcs_lengths(rows.codes[start:stop], pool.codes, workers),
            rows.lengths[start:stop, None],
            pool.lengths[None, :],
        )
        argmax = scores.argmax(axis=1)
        best[start:stop] = scores[np.arange(stop - start), argmax]
        nearest[start:stop] = np.where(best[start:stop] > 0, argmax, -1)
        mean[start:stop] = scores.mean(axis=1)
    return pd.DataFrame(
        {
            "max_rougeL": best,
            "mean_rougeL": mean,
            "nearest_index": nearest,
            "nearest_text": pd.Series(
                [pool_texts[i] if i >= 0 else None for i in nearest], dtype="string"
            ),
        }
    )
