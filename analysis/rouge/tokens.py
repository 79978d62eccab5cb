"""The tokenizers: rouge_score's English one, per character for CJK text, or chosen per text."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

import pandas as pd

from analysis.cjk import CJK_CHARACTERS, cjk_language
from analysis.errors import Errors, WorkbenchError

ENGLISH = "english"
CJK = "cjk"
AUTO = "auto"
TOKENIZERS: tuple[str, ...] = (ENGLISH, CJK, AUTO)

#: rouge_score's tokenizer replaces every run outside [a-z0-9] by a space after lowercasing and
#: keeps the non-empty [a-z0-9] pieces; finding the runs directly gives the same tokens.
#: Byte table keeping 0-9 and a-z, mapping every other byte to a space.
_ENGLISH_BYTES = bytes(c if (48 <= c <= 57 or 97 <= c <= 122) else 32 for c in range(256))

#: A CJK character alone, or a run of other letters/digits (underscore excluded, like a space).
_CJK_TOKEN = re.compile(f"[{CJK_CHARACTERS}]|[^\\W_{CJK_CHARACTERS}]+")
#: "auto" tokenizes a text per character from one CJK character on: rouge_score's tokenizer
#: would drop them all.
_ANY_CJK = 0.0


def default_tokenizer(langs: pd.Series) -> str:
    """The papers' tokenizer (rouge_score's English one), or "auto" for a dataset with rows
    tagged with a CJK language (a teacher's Chinese answers), which English would score 0."""
    tagged = {lang for lang in langs.dropna().unique() if isinstance(lang, str)}
    return AUTO if any(cjk_language("", lang) for lang in tagged) else ENGLISH


def tokenize_english(text: str) -> list[str]:
    """rouge_score's default tokenizer without stemming: lowercase, [a-z0-9] runs only.

    Byte translation instead of a regex (twice as fast, same tokens): after lower(), every
    character outside [a-z0-9] - non-ASCII ones become "?" first - turns into a space.
    """
    return text.lower().encode("ascii", "replace").translate(_ENGLISH_BYTES).decode("ascii").split()


def tokenize_cjk(text: str) -> list[str]:
    """Each Han, Kana or Hangul character is a token; other text gives lowercase words."""
    return _CJK_TOKEN.findall(text.lower())


def _single_tokenizer(name: str) -> Callable[[str], list[str]]:
    single = {ENGLISH: tokenize_english, CJK: tokenize_cjk}.get(name)
    if single is None:
        raise WorkbenchError(Errors.E015.format(name=name, names=", ".join(TOKENIZERS)))
    return single


def tokenize(text: str, tokenizer: str = ENGLISH, lang: str | None = None) -> list[str]:
    """Tokens of one text; "auto" picks the CJK tokenizer for text in a CJK language (its lang)
    or with a CJK character, English otherwise."""
    if tokenizer == AUTO:
        tokenizer = CJK if cjk_language(text, lang, _ANY_CJK) else ENGLISH
    return _single_tokenizer(tokenizer)(text)


def tokenize_all(
    texts: Iterable[str], tokenizer: str = ENGLISH, langs: Iterable[str | None] | None = None
) -> list[list[str]]:
    """Tokens of each text; `langs` (one per text, or None) guide "auto"."""
    if tokenizer != AUTO:
        return list(map(_single_tokenizer(tokenizer), texts))
    texts = list(texts)
    langs = [None] * len(texts) if langs is None else list(langs)
    return [tokenize(text, AUTO, lang) for text, lang in zip(texts, langs, strict=True)]
