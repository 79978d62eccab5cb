"""The verb-noun column: ``verb, noun, method`` per row, each text by its language's method.

English (any text that is not CJK) is parsed by spaCy; Chinese is tagged by jieba, an
approximation; Japanese and Korean have no method here and are left without a pair, marked
``not_parsed`` so every view can count them instead of passing them off as Chinese.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import pandas as pd

from analysis.cache import cached_frame, has_frame
from analysis.cjk import CHINESE, cjk_language
from analysis.errors import Errors, WorkbenchError
from analysis.verbs.chinese import chinese_pair, jieba_version
from analysis.verbs.english import BATCH_SIZE, default_model_name, model_id, parse_pairs
from analysis.verbs.rules import RULE_FUNCTIONS, RULES

_NAMESPACE = "verbs"
#: Bump when any rule's output changes: cached columns of older versions are then never read.
VERSION = "2"

METHOD_SPACY = "spacy"
METHOD_JIEBA = "jieba"
METHOD_EMPTY = "empty"
#: Japanese and Korean rows: no rule for them here, so no pair.
METHOD_NOT_PARSED = "not_parsed"
#: Methods whose pairs are approximations of the English rule (label them in any view).
APPROXIMATE_METHODS: frozenset[str] = frozenset({METHOD_JIEBA})


def extract(
    texts: Iterable[str],
    rule: str = "paper",
    model: str | None = None,
    batch_size: int = BATCH_SIZE,
    progress: Callable[[int, int], None] | None = None,
) -> pd.DataFrame:
    """``verb, noun, method`` per text, in order; each distinct text is analysed once.

    `progress` hears (distinct English texts parsed, all of them) as the parse goes.
    """
    _check_rule(rule)
    texts = ["" if text is None or text is pd.NA else str(text) for text in texts]
    distinct = list(dict.fromkeys(texts))
    language = {text: cjk_language(text) for text in distinct if text.strip()}
    english = [text for text, lang in language.items() if lang is None]
    results: dict[str, tuple[str, str, str]] = {}
    if english:
        pairs = parse_pairs(english, rule, model or default_model_name(), batch_size, progress)
        results.update(
            (text, (verb, noun, METHOD_SPACY))
            for text, (verb, noun) in zip(english, pairs, strict=True)
        )
    for text in distinct:
        if text in results:
            continue
        if not text.strip():
            results[text] = ("", "", METHOD_EMPTY)
        elif language[text] == CHINESE:
            results[text] = (*chinese_pair(text), METHOD_JIEBA)
        else:
            results[text] = ("", "", METHOD_NOT_PARSED)
    rows = [results[text] for text in texts]
    return pd.DataFrame(rows, columns=["verb", "noun", "method"], dtype="str")


def verb_noun_column(
    dataset,
    field: str = "instruction",
    rule: str = "paper",
    model: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> pd.DataFrame:
    """``id, verb, noun, method`` for every row of ``dataset``, in row order, cached on disk.

    The cache key is the dataset's fingerprint, the field, the rule, the model with its version
    and :data:`VERSION`, so a second call on the same data parses nothing.
    """
    frame = dataset.frame
    params = _cache_params(dataset, field, rule, model)

    def compute() -> pd.DataFrame:
        pairs = extract(frame[field].tolist(), rule=rule, model=model, progress=progress)
        pairs.insert(0, "id", frame["id"].astype("str").to_numpy())
        return pairs

    return cached_frame(_NAMESPACE, dataset.fingerprint, params, VERSION, compute)


def is_cached(dataset, field: str, rule: str, model: str | None = None) -> bool:
    """Whether `verb_noun_column` would answer from the disk cache (a page shows progress
    for the parse otherwise)."""
    params = _cache_params(dataset, field, rule, model)
    return has_frame(_NAMESPACE, dataset.fingerprint, params, VERSION)


def _cache_params(dataset, field: str, rule: str, model: str | None) -> dict:
    _check_rule(rule)
    if field not in dataset.frame.columns:
        columns = ", ".join(dataset.frame.columns)
        raise WorkbenchError(Errors.E025.format(field=field, fields=columns))
    name = model or default_model_name()
    return {"field": field, "rule": rule, "model": model_id(name), "jieba": jieba_version()}


def _check_rule(rule: str) -> None:
    if rule not in RULE_FUNCTIONS:
        raise WorkbenchError(Errors.E026.format(rule=rule, rules=", ".join(RULES)))
