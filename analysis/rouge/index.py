"""A growing set of encoded texts that gives the LCS of one query with all of them at once.

Checking one candidate against a 50,000-text pool with rapidfuzz's cdist costs ~3-5 ms, almost
all of it converting the 50,000 Python strings on every call. Here each token keeps a posting
list (the texts holding it, with a 64-bit mask of its positions in each), and the bit-parallel
LCS (Hyyro 2004: U = V & M, V = (V + U) | (V - U), LCS = zero bits of V) runs for all texts
at once in numpy; a text lacking a query token is left unchanged by that step, so only the
posting lists of the query's tokens are touched (~0.5 ms at 50,000). Texts longer than 64
tokens, rare among instructions, are compared by rapidfuzz.
"""

from __future__ import annotations

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import LCSseq

WORD_BITS = 64
_ALL_ONES = np.uint64(0xFFFF_FFFF_FFFF_FFFF)


class _Postings:
    """Texts holding one token and the token's position mask in each (growable arrays)."""

    __slots__ = ("masks", "size", "texts")

    def __init__(self) -> None:
        self.texts = np.empty(4, dtype=np.intp)
        self.masks = np.empty(4, dtype=np.uint64)
        self.size = 0

    def append(self, text: int, mask: int) -> None:
        if self.size == len(self.texts):
            self.texts = np.resize(self.texts, 2 * self.size)
            self.masks = np.resize(self.masks, 2 * self.size)
        self.texts[self.size] = text
        self.masks[self.size] = mask
        self.size += 1


class LcsIndex:
    """Encoded texts (one code point a token) that can only grow; `lcs(query)` gives the LCS
    length of the query with every text, in insertion order."""

    def __init__(self) -> None:
        self._postings: dict[str, _Postings] = {}
        self._low_bits = np.zeros(1024, dtype=np.uint64)  # mask of each short text's positions
        self._state = np.empty(1024, dtype=np.uint64)  # scratch: the bit vector V of each text
        self._long: list[int] = []
        self._long_codes: list[str] = []
        self._size = 0

    def add(self, code: str) -> int:
        index = self._size
        if index == len(self._low_bits):
            self._low_bits = np.resize(self._low_bits, 2 * index)
            self._state = np.resize(self._state, 2 * index)
        self._size += 1
        if len(code) > WORD_BITS:
            self._low_bits[index] = 0
            self._long.append(index)
            self._long_codes.append(code)
            return index
        self._low_bits[index] = (1 << len(code)) - 1
        masks: dict[str, int] = {}
        for position, token in enumerate(code):
            masks[token] = masks.get(token, 0) | (1 << position)
        for token, mask in masks.items():
            postings = self._postings.get(token)
            if postings is None:
                postings = self._postings[token] = _Postings()
            postings.append(index, mask)
        return index

    def lcs(self, query: str) -> np.ndarray:
        """LCS length of the query with each text (int64 array of len(self))."""
        state = self._state[: self._size]
        state.fill(_ALL_ONES)
        for token in query:
            postings = self._postings.get(token)
            if postings is None:
                continue
            texts = postings.texts[: postings.size]
            before = state[texts]
            matched = before & postings.masks[: postings.size]
            state[texts] = (before + matched) | (before - matched)
        lengths = np.bitwise_count(~state & self._low_bits[: self._size]).astype(np.int64)
        if self._long:
            lengths[self._long] = process.cdist(
                [query], self._long_codes, scorer=LCSseq.similarity, dtype=np.int64, workers=1
            )[0]
        return lengths
