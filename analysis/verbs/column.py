"""The verb-noun column: ``verb, noun, method`` per row, each text by its language's method.

English (any text that is not CJK) is parsed by spaCy; Chinese is tagged by jieba, an
approximation; Japanese and Korean have no method here and are left without a pair, marked
``not_parsed`` so every view can count them instead of passing them off as Chinese.
"""

from __future__ import annotations

import multiprocessing
import sys
import types
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from analysis.cache import cache_key, cached_frame, has_frame, read_frame, write_frame
from analysis.cjk import CHINESE, cjk_language
from analysis.errors import Errors, WorkbenchError
from analysis.verbs.chinese import chinese_pair, jieba_version
from analysis.verbs.english import (
    BATCH_SIZE,
    default_model_name,
    load_english,
    model_id,
    parse_pairs,
)
from analysis.verbs.rules import RULE_FUNCTIONS, RULES

_NAMESPACE = "verbs"
_CHUNK_NAMESPACE = "verbs_chunks"
PAIR_COLUMNS = ("verb", "noun", "method")
#: Distinct texts per cached chunk: what a killed run loses at most per process.
CHUNK_SIZE = 20_000
#: Processes parsing chunks when there is more than one to parse. Two need ~15-25% more CPU
#: per text than one (two model loads, two sets of cold caches), so they win on two free cores
#: and not on a saturated machine: docs/verbs.md, "Chunks, resume and processes".
WORKERS = 2
#: Another engine's parse of chunks: (chunks by index, rule, model, store) -> None.
ParseChunks = Callable[
    [dict[int, list[str]], str, str | None, Callable[[int, pd.DataFrame], None]], None
]
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
    texts = [_as_text(text) for text in texts]
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
    return pd.DataFrame(rows, columns=list(PAIR_COLUMNS), dtype="str")


def verb_noun_column(
    dataset,
    field: str = "instruction",
    rule: str = "paper",
    model: str | None = None,
    progress: Callable[[int, int], None] | None = None,
    workers: int | None = None,
    chunk_size: int | None = None,
    parse_chunks: ParseChunks | None = None,
) -> pd.DataFrame:
    """``id, verb, noun, method`` for every row of ``dataset``, in row order, cached on disk.

    The cache key is the dataset's fingerprint, the field, the rule, the model with its version
    and :data:`VERSION`, so a second call on the same data parses nothing. The distinct texts
    are parsed in chunks, each cached as it finishes (:func:`extract_in_chunks`): a run that
    is killed loses only the chunks in flight, and the next call continues. `progress` hears
    (distinct texts done, distinct texts in all). `parse_chunks`: another engine's parse of the
    chunks still to do (see :func:`extract_in_chunks`); the cache is the same either way.
    """
    frame = dataset.frame
    params = _cache_params(dataset, field, rule, model)

    def compute() -> pd.DataFrame:
        pairs = extract_in_chunks(
            frame[field].tolist(),
            rule=rule,
            model=model,
            chunk_key=lambda index, size: cache_key(
                _CHUNK_NAMESPACE,
                dataset.fingerprint,
                {**params, "chunk": index, "chunk_size": size},
                VERSION,
            ),
            chunk_size=chunk_size or CHUNK_SIZE,
            workers=workers or WORKERS,
            progress=progress,
            parse_chunks=parse_chunks,
        )
        pairs.insert(0, "id", frame["id"].astype("str").to_numpy())
        return pairs

    return cached_frame(_NAMESPACE, dataset.fingerprint, params, VERSION, compute)


def extract_in_chunks(
    texts: Iterable[str],
    rule: str,
    model: str | None,
    chunk_key: Callable[[int, int], str],
    chunk_size: int = CHUNK_SIZE,
    workers: int = WORKERS,
    progress: Callable[[int, int], None] | None = None,
    parse_chunks: ParseChunks | None = None,
) -> pd.DataFrame:
    """:func:`extract`'s answer, computed `chunk_size` distinct texts at a time.

    Each chunk's ``text, verb, noun, method`` is stored under ``chunk_key(index, chunk_size)``
    as soon as it is done, and read back instead of parsed on the next call. With more than
    one chunk to parse and ``workers > 1``, chunks are parsed by that many processes, each
    loading the pipeline once. `parse_chunks`, when given, parses the chunks still to do
    instead (the Ray engine: ``parse_chunks(chunks by index, rule, model, store)``, calling
    ``store(index, extract(texts))`` for each chunk as it arrives).
    """
    _check_rule(rule)
    # Each row's position among the distinct texts, in order of first appearance. An object
    # array: given a list of str, pandas and NumPy make a fixed-width array, which for a
    # million outputs up to 6,170 characters long is 23 GiB.
    codes, distinct = pd.factorize(np.array([_as_text(text) for text in texts], dtype=object))
    distinct = distinct.tolist()
    chunks = [distinct[start : start + chunk_size] for start in range(0, len(distinct), chunk_size)]
    done: dict[int, pd.DataFrame] = {}
    for index in range(len(chunks)):
        cached = read_frame(_CHUNK_NAMESPACE, chunk_key(index, chunk_size))
        if cached is not None:
            done[index] = cached[0]
    todo = [index for index in range(len(chunks)) if index not in done]
    finished = sum(len(chunks[index]) for index in done)

    def store(index: int, pairs: pd.DataFrame) -> None:
        nonlocal finished
        pairs.insert(0, "text", chunks[index])
        write_frame(_CHUNK_NAMESPACE, chunk_key(index, chunk_size), pairs)
        done[index] = pairs
        finished += len(chunks[index])
        if progress is not None:
            progress(finished, len(distinct))

    if progress is not None and distinct:
        progress(finished, len(distinct))
    if parse_chunks is not None and todo:
        parse_chunks({index: chunks[index] for index in todo}, rule, model, store)
    elif workers > 1 and len(todo) > 1:
        _parse_in_processes({index: chunks[index] for index in todo}, rule, model, workers, store)
    else:
        with threadpool_limits(1):  # measured: BLAS threads only slow the parse down here
            _parse_here(chunks, todo, rule, model, store, finished, len(distinct), progress)
    if not done:
        return pd.DataFrame({name: pd.Series([], dtype="str") for name in PAIR_COLUMNS})
    results = pd.concat([done[index] for index in range(len(chunks))], ignore_index=True)
    return results[list(PAIR_COLUMNS)].take(codes).reset_index(drop=True)


def _parse_here(
    chunks: list[list[str]],
    todo: list[int],
    rule: str,
    model: str | None,
    store: Callable[[int, pd.DataFrame], None],
    finished: int,
    total: int,
    progress: Callable[[int, int], None] | None,
) -> None:
    """Parse chunks one after another in this process, with progress inside each chunk."""
    for index in todo:
        size = len(chunks[index])

        def within(parsed: int, english: int, before: int = finished, size: int = size) -> None:
            if progress is not None and parsed < english:
                progress(before + parsed * size // english, total)

        store(index, extract(chunks[index], rule=rule, model=model, progress=within))
        finished += size


def _as_text(text) -> str:
    return "" if text is None or text is pd.NA else str(text)


def _parse_in_processes(
    chunks: dict[int, list[str]],
    rule: str,
    model: str | None,
    workers: int,
    store: Callable[[int, pd.DataFrame], None],
) -> None:
    """Parse chunks in `workers` fresh processes (spawned: nothing of a Streamlit or test
    process is forked), storing each as it arrives."""
    context = multiprocessing.get_context("spawn")
    tasks = [(index, texts, rule, model) for index, texts in chunks.items()]
    with _bare_main():
        pool = context.Pool(min(workers, len(tasks)), initializer=_start_worker, initargs=(model,))
    with pool:
        for index, pairs in pool.imap_unordered(_parse_chunk, tasks):
            store(index, pairs)


@contextmanager
def _bare_main() -> Iterator[None]:
    """While workers start, a main module without a file: a spawned process runs the parent's
    main script again before its task, and under Streamlit that script is the app itself (which
    would start workers of its own). The workers need nothing from it."""
    main = sys.modules.get("__main__")
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        sys.modules["__main__"] = main


def _start_worker(model: str | None) -> None:
    """One BLAS thread per worker (the workers are the parallelism), the model loaded once."""
    threadpool_limits(1)
    load_english(model or default_model_name())


def _parse_chunk(task: tuple[int, list[str], str, str | None]) -> tuple[int, pd.DataFrame]:
    index, texts, rule, model = task
    return index, extract(texts, rule=rule, model=model)


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
