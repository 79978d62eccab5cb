"""Chinese rows: jieba's part-of-speech tags stand in for a parse (an approximation).

Chinese rows (``analysis.cjk`` tells them from Japanese and Korean) have no spaCy parse here:
``jieba.posseg`` tags the first sentence and the first verb (flag ``v*``) pairs with
the first noun (flag ``n*``) after it. This is an approximation of the English rule and is
marked ``method == "jieba"`` so every view can say so.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

from analysis.verbs.rules import Pair

_CHINESE_SENTENCE_END = re.compile(r"[。！？!?；;\n]")
#: "Please", which jieba tags as a verb, is skipped as the English rule skips it.
_CHINESE_COURTESY = frozenset({"请"})


def chinese_pair(text: str) -> Pair:
    """First verb of the first sentence and the first noun after it, by jieba's POS flags.

    "请" (please) is not taken as the verb. Approximate: jieba tags words, it does not parse,
    so the noun is the first one after the verb, not necessarily its object.
    """
    sentence = next((s for s in _CHINESE_SENTENCE_END.split(text) if s.strip()), "")
    verb = ""
    for word, flag in _jieba_tagger()(sentence):
        if not verb:
            if flag.startswith("v") and word not in _CHINESE_COURTESY:
                verb = word
        elif flag.startswith("n"):
            return verb, word
    return verb, ""


@lru_cache(maxsize=1)
def _jieba_tagger() -> Callable[[str], list]:
    """jieba's tagger, without its dictionary-loading chatter and warnings on stderr."""
    import logging
    import warnings

    with warnings.catch_warnings():  # jieba 0.42's regexes use invalid escapes
        warnings.simplefilter("ignore", DeprecationWarning)
        import jieba
        import jieba.posseg

    jieba.setLogLevel(logging.WARNING)
    return jieba.posseg.lcut


def jieba_version() -> str:
    """jieba's version: its tags decide the Chinese pairs, so it keys the cached column."""
    import jieba

    return jieba.__version__
