"""Self-Instruct's and Alpaca's novelty filter: one candidate at a time against a growing pool."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from analysis.defaults import DEFAULT_THRESHOLD
from analysis.errors import Errors, WorkbenchError
from analysis.rouge.codec import TokenCodec
from analysis.rouge.index import LcsIndex
from analysis.rouge.scores import f_measure
from analysis.rouge.tokens import ENGLISH, TOKENIZERS, tokenize, tokenize_all


class IncrementalRougeFilter:
    """A growing pool that scores each candidate against everything kept so far.

    `check` never changes the pool, `add` appends one text; each text is tokenized and indexed
    once (analysis.rouge.index), so checking a candidate against 50,000 texts takes about a
    millisecond and the pool is never rebuilt.
    """

    def __init__(
        self,
        pool_texts: Iterable[str] = (),
        threshold: float = DEFAULT_THRESHOLD,
        tokenizer: str = ENGLISH,
        pool_langs: Iterable[str | None] | None = None,
    ) -> None:
        if tokenizer not in TOKENIZERS:
            raise WorkbenchError(Errors.E015.format(name=tokenizer, names=", ".join(TOKENIZERS)))
        self.threshold = threshold
        self.tokenizer = tokenizer
        self.texts: list[str] = []
        pool_texts = list(pool_texts)
        token_lists = tokenize_all(pool_texts, tokenizer, pool_langs)
        self._codec = TokenCodec().fit(token_lists)
        self._index = LcsIndex()
        self._lengths = np.zeros(max(1024, 2 * len(token_lists)), dtype=np.int64)
        for text, tokens in zip(pool_texts, token_lists, strict=True):
            self._append(text, tokens)

    def __len__(self) -> int:
        return len(self.texts)

    def check(self, text: str, lang: str | None = None) -> tuple[float, int | None, str | None]:
        """(max ROUGE-L to the pool, index of the first nearest item, its text); (0.0, None,
        None) when nothing in the pool shares a token with the text."""
        tokens = tokenize(text, self.tokenizer, lang)
        if not tokens or not self.texts:
            return 0.0, None, None
        lcs = self._index.lcs(self._codec.encode_known(tokens))
        scores = f_measure(lcs, len(tokens), self._lengths[: len(self.texts)])
        nearest = int(scores.argmax())
        best = float(scores[nearest])
        if best == 0:
            return 0.0, None, None
        return best, nearest, self.texts[nearest]

    def is_novel(self, score: float) -> bool:
        """Self-Instruct's rule: reject only a score strictly above the threshold."""
        return not score > self.threshold

    def add(self, text: str, lang: str | None = None) -> int:
        """Append one text to the pool; returns its index."""
        return self._append(text, tokenize(text, self.tokenizer, lang))

    def _append(self, text: str, tokens: list[str]) -> int:
        index = self._index.add(self._codec.encode(tokens))
        if index == len(self._lengths):
            self._lengths = np.resize(self._lengths, 2 * index)
        self._lengths[index] = len(tokens)
        self.texts.append(text)
        return index


def filter_candidates(
    candidates: Sequence[str],
    pool_texts: Sequence[str],
    threshold: float = DEFAULT_THRESHOLD,
    *,
    tokenizer: str = ENGLISH,
) -> pd.DataFrame:
    """Self-Instruct's filter over a batch: each candidate against the pool plus the candidates
    kept before it. One row per candidate: kept, max_rougeL, nearest_index (into pool_texts
    followed by the kept candidates), nearest_text."""
    rouge_filter = IncrementalRougeFilter(pool_texts, threshold, tokenizer)
    rows = []
    for text in candidates:
        score, nearest, nearest_text = rouge_filter.check(text)
        kept = rouge_filter.is_novel(score)
        if kept:
            rouge_filter.add(text)
        rows.append((kept, score, -1 if nearest is None else nearest, nearest_text))
    frame = pd.DataFrame(rows, columns=["kept", "max_rougeL", "nearest_index", "nearest_text"])
    return frame.astype(
        {
            "kept": bool,
            "max_rougeL": np.float64,
            "nearest_index": np.int64,
            "nearest_text": "string",
        }
    )
