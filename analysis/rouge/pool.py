"""Each text's max and mean ROUGE-L against a pool, in row blocks (Self-Instruct Fig. 3)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from analysis.errors import Errors, WorkbenchError
from analysis.rouge import scores as rouge_scores
from analysis.rouge.codec import EncodedTexts, TokenCodec, encode_together
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
    return pool_scores_frame(*score_rows(rows, pool, workers), pool_texts)


def score_rows(
    rows: EncodedTexts, pool: EncodedTexts, workers: int = -1
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Max and mean ROUGE-L of each row against the pool, and the nearest pool index (-1 when
    the max is 0), in row blocks. Every engine calls this one, so their floats are the same;
    the codes only have to agree where tokens are equal (see :func:`encode_for_pool`)."""
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
    return best, mean, nearest


def encode_for_pool(token_lists: Sequence[Sequence[str]], codec: TokenCodec) -> EncodedTexts:
    """Rows encoded against a codec fitted on the pool alone (a worker holding only the pool):
    tokens the pool lacks share one code no pool text holds, so no LCS with a pool text
    changes, and the token counts stay the rows' own."""
    codes = [codec.encode_known(tokens) for tokens in token_lists]
    return EncodedTexts(codes, np.fromiter(map(len, token_lists), dtype=np.int64, count=len(codes)))


def pool_scores_frame(
    best: np.ndarray, mean: np.ndarray, nearest: np.ndarray, pool_texts: Sequence[str]
) -> pd.DataFrame:
    """:func:`rouge_to_pool`'s frame from :func:`score_rows`' arrays."""
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
