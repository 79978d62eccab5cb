"""Texts as short strings of code points, one per distinct token, for rapidfuzz's LCS."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import chain

import numpy as np

from analysis.errors import Errors, WorkbenchError


class TokenCodec:
    """Gives every distinct token one code point, so a token list becomes a str.

    rapidfuzz compares str natively (and with SIMD); code points below 256 take its fastest
    lookup, so `fit` hands them to the most frequent tokens. Codes skip the surrogate range.
    Tokens never seen by `encode` can be encoded for lookups only with `encode_known`, which
    maps them to a code no stored text contains, so the vocabulary does not grow on queries.
    """

    _UNKNOWN = chr(0x10FFFF)
    _CAPACITY = 0x10FFFF - 0x800

    def __init__(self) -> None:
        self._codes: dict[str, str] = {}

    def __len__(self) -> int:
        return len(self._codes)

    def fit(self, token_lists: Iterable[Sequence[str]]) -> TokenCodec:
        for token, _ in Counter(chain.from_iterable(token_lists)).most_common():
            self._code(token)
        return self

    def _code(self, token: str) -> str:
        code = self._codes.get(token)
        if code is None:
            number = len(self._codes)
            if number >= self._CAPACITY:
                raise WorkbenchError(Errors.E016.format(limit=self._CAPACITY))
            code = self._codes[token] = chr(number if number < 0xD800 else number + 0x800)
        return code

    def encode(self, tokens: Sequence[str]) -> str:
        codes = self._codes
        try:
            return "".join([codes[token] for token in tokens])
        except KeyError:  # a new token: the slow path assigns its code
            return "".join([self._code(token) for token in tokens])

    def encode_known(self, tokens: Sequence[str]) -> str:
        codes = self._codes
        return "".join([codes.get(token, self._UNKNOWN) for token in tokens])


@dataclass
class EncodedTexts:
    """Texts as code strings plus their token counts, sharing one codec."""

    codes: list[str]
    lengths: np.ndarray

    @classmethod
    def build(cls, token_lists: Sequence[Sequence[str]], codec: TokenCodec) -> EncodedTexts:
        codes = [codec.encode(tokens) for tokens in token_lists]
        return cls(codes, np.fromiter(map(len, token_lists), dtype=np.int64, count=len(codes)))


def encode_together(
    *token_lists: Sequence[Sequence[str]],
) -> tuple[TokenCodec, list[EncodedTexts]]:
    """Encode several text sets with one frequency-ordered codec (tokens must share codes)."""
    codec = TokenCodec().fit(tokens for group in token_lists for tokens in group)
    return codec, [EncodedTexts.build(group, codec) for group in token_lists]
