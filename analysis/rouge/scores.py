"""LCS lengths (rapidfuzz, bit-parallel) and rouge_score's F-measure on them, bit for bit."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import LCSseq

from analysis.rouge.codec import TokenCodec, encode_together
from analysis.rouge.tokens import ENGLISH, tokenize, tokenize_all

#: Cells of one LCS block (int32): bounds the memory of every bulk comparison (~16 MB + scores).
#: Callers read it as `scores.BLOCK_CELLS`, so one setting bounds them all.
BLOCK_CELLS = 1 << 22
#: Below this many cells a comparison runs on one thread: starting rapidfuzz's workers costs
#: ~150 us a call, more than a small block takes.
_PARALLEL_CELLS = 16_384
#: Elements per block of `f_measure` (about 256 KB of float64 per temporary).
_F_BLOCK_ELEMENTS = 32_768


def f_measure(lcs: np.ndarray, len_target: np.ndarray, len_prediction: np.ndarray) -> np.ndarray:
    """rouge_score's F-measure, element-wise and bit-identical: p = lcs/len(prediction),
    r = lcs/len(target), 2*p*r/(p+r), and 0 when p+r is 0 (also for empty texts).

    `2*lcs/(la+lb)` is the same rational number but rounds differently in the last bit, which
    flips keep/reject decisions at exactly 0.7; F is symmetric, so argument order cannot matter.
    """
    lcs = np.asarray(lcs)  # already of the result's shape
    len_target = np.asarray(len_target)
    len_prediction = np.asarray(len_prediction)
    if lcs.ndim == 2 and lcs.size > _F_BLOCK_ELEMENTS:
        # Row blocks keep the temporaries in cache: 3x faster on a 1000 x 175 matrix.
        scores = np.empty(lcs.shape, dtype=np.float64)
        step = max(1, _F_BLOCK_ELEMENTS // lcs.shape[1])
        for start in range(0, lcs.shape[0], step):
            rows = slice(start, start + step)
            target = (
                len_target[rows] if len_target.ndim == 2 and len_target.shape[0] > 1 else len_target
            )
            prediction = (
                len_prediction[rows]
                if len_prediction.ndim == 2 and len_prediction.shape[0] > 1
                else len_prediction
            )
            scores[rows] = _f_block(lcs[rows], target, prediction)
        return scores
    return _f_block(lcs, len_target, len_prediction)


def _f_block(lcs: np.ndarray, len_target: np.ndarray, len_prediction: np.ndarray) -> np.ndarray:
    lcs_float = lcs.astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        scores = lcs_float / len_prediction.astype(np.float64)  # precision
        recall = np.divide(lcs_float, len_target.astype(np.float64), out=lcs_float)
        total = scores + recall
        scores *= 2
        scores *= recall
        scores /= total
    np.putmask(scores, lcs == 0, 0.0)  # p + r == 0 exactly when the LCS is empty
    return scores


def lcs_lengths(
    queries: Sequence[str], choices: Sequence[str], workers: int, cutoff: int = 0
) -> np.ndarray:
    """LCS lengths of every query with every choice (0 where below the cutoff)."""
    return process.cdist(
        queries,
        choices,
        scorer=LCSseq.similarity,
        dtype=np.int32,
        workers=workers if len(queries) * len(choices) >= _PARALLEL_CELLS else 1,
        score_cutoff=cutoff,
    )


def rouge_l(target: str, prediction: str, tokenizer: str = ENGLISH) -> float:
    """ROUGE-L F-measure of one pair, as rouge_score's `score(target, prediction)["rougeL"]`."""
    target_tokens = tokenize(target, tokenizer)
    prediction_tokens = tokenize(prediction, tokenizer)
    codec = TokenCodec()
    lcs = LCSseq.similarity(codec.encode(target_tokens), codec.encode(prediction_tokens))
    return float(f_measure(np.array([lcs]), len(target_tokens), len(prediction_tokens))[0])


def rouge_l_matrix(
    targets: Sequence[str],
    predictions: Sequence[str],
    tokenizer: str = ENGLISH,
    workers: int = -1,
) -> np.ndarray:
    """All scores between two small sets (targets x predictions); bulk work uses the block APIs."""
    _, (rows, columns) = encode_together(
        tokenize_all(targets, tokenizer), tokenize_all(predictions, tokenizer)
    )
    lcs = lcs_lengths(rows.codes, columns.codes, workers)
    return f_measure(lcs, rows.lengths[:, None], columns.lengths[None, :])
