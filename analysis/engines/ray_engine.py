"""The Ray engine: verbs, similarity and dedup's heavy work on the actors of a Ray cluster.

This process (the driver) reads the dataset and the cache and writes every result; Ray Data
ships the rows to pools of actors that load their state once (a spaCy pipeline; the encoded
pool), and dedup's candidate pairs go to actors holding the encoded texts, put once in the
object store. The actors call the local engine's own pure functions (``extract``,
``score_rows``, ``verify_pairs``), so the results are identical, and they read and write no
file: only the driver needs the data and WORKBENCH_CACHE; every node needs the workbench
installed. Imported only through ``analysis.engines``, which checks that Ray is there.
"""

from __future__ import annotations

import logging
import math
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager

import numpy as np
import pandas as pd
import pyarrow as pa
import ray
import ray.data
from threadpoolctl import threadpool_limits

from analysis.embeddings import encode_chunks_of, load_model
from analysis.errors import Errors, WorkbenchError
from analysis.rouge import scores as rouge_scores
from analysis.rouge.allpairs import verify_pairs
from analysis.rouge.codec import EncodedTexts, TokenCodec
from analysis.rouge.pool import encode_for_pool, pool_scores_frame, score_rows
from analysis.rouge.tokens import ENGLISH, tokenize_all
from analysis.verbs.column import PAIR_COLUMNS, extract
from analysis.verbs.english import default_model_name, load_english

#: Row blocks per actor for similarity, at least: a slow block then delays little.
BLOCKS_PER_ACTOR = 4
#: Candidate chunks queued per dedup actor: one being verified, the next already sent.
CHUNKS_PER_ACTOR = 2


def init_arguments(address: str | None = None) -> dict:
    """ray.init's arguments: the cluster at `address`, else at RAY_ADDRESS, else a new local
    one of this machine's CPUs ("local": never one a `ray start` left running here); no
    dashboard, and the workers' logs stay off this terminal."""
    address = address or os.environ.get("RAY_ADDRESS")
    quiet = {"log_to_driver": False, "logging_level": logging.WARNING}
    if address:
        return {"address": address, **quiet}
    return {"address": "local", "num_cpus": os.cpu_count(), "include_dashboard": False, **quiet}


@contextmanager
def connected(address: str | None = None) -> Iterator[None]:
    """Ray connected while the block runs: a connection this process already has is used as it
    is (and left open); otherwise one is opened with :func:`init_arguments` and shut after.
    Ray's usage statistics are off: the workbench sends nothing off the machine."""
    if ray.is_initialized():
        yield
        return
    os.environ["RAY_USAGE_STATS_ENABLED"] = "0"
    arguments = init_arguments(address)
    try:
        ray.init(**arguments)
    except (ConnectionError, RuntimeError, ValueError) as error:
        where = arguments["address"]
        raise WorkbenchError(Errors.E111.format(address=where, why=error)) from None
    ray.data.DataContext.get_current().enable_progress_bars = False  # verbs has its own bar
    data_logger = logging.getLogger("ray.data")
    level = data_logger.level
    data_logger.setLevel(logging.ERROR)  # its plan and timing on every run, and tuning hints
    try:
        yield
    finally:
        data_logger.setLevel(level)
        ray.shutdown()


def _cpus() -> int:
    return max(1, int(ray.cluster_resources().get("CPU", 1)))


class ChunkParser:
    """Ray Data actor: the English pipeline loaded once, then whole verb-noun chunks parsed."""

    def __init__(self, rule: str, model: str | None) -> None:
        threadpool_limits(1)  # the actors are the parallelism (as the local worker processes)
        load_english(model or default_model_name())
        self.rule, self.model = rule, model

    def __call__(self, batch: pa.Table) -> pa.Table:
        parsed = [
            extract(texts, rule=self.rule, model=self.model)
            for texts in batch.column("texts").to_pylist()
        ]
        columns = {name: [frame[name].tolist() for frame in parsed] for name in PAIR_COLUMNS}
        return pa.table({"index": batch.column("index"), **columns})


def parse_chunks(
    chunks: dict[int, list[str]],
    rule: str,
    model: str | None,
    store: Callable[[int, pd.DataFrame], None],
) -> None:
    """extract_in_chunks' parse of the chunks still to do, one chunk per Ray Data batch on a
    pool of ChunkParser actors; each result is stored here as it arrives, so a killed run
    loses only the chunks in flight and the cache files are the local engine's."""
    items = [{"index": index, "texts": texts} for index, texts in chunks.items()]
    parsed = ray.data.from_items(items, override_num_blocks=len(items)).map_batches(
        ChunkParser,
        fn_constructor_args=(rule, model),
        batch_size=1,
        batch_format="pyarrow",
        compute=ray.data.ActorPoolStrategy(size=min(len(items), _cpus())),
    )
    for batch in parsed.iter_batches(batch_size=None, batch_format="pyarrow"):
        for row in batch.to_pylist():
            pairs = pd.DataFrame({name: row[name] for name in PAIR_COLUMNS}, dtype="str")
            store(row["index"], pairs)


class ChunkEncoder:
    """Ray Data actor: the sentence-transformers model loaded once, then whole chunks encoded
    (analysis.embeddings.encode_chunks_of, as the local engine)."""

    def __init__(self, model: str) -> None:
        load_model(model)
        self.model = model

    def __call__(self, batch: pa.Table) -> pa.Table:
        vectors = [
            encode_chunks_of(texts, self.model).tolist()
            for texts in batch.column("texts").to_pylist()
        ]
        return pa.table({"start": batch.column("start"), "vectors": vectors})


def encode_chunks(
    chunks: dict[int, list[str]], model: str, store: Callable[[int, np.ndarray], None]
) -> None:
    """dataset_embeddings_resumable's chunks still to encode, one per Ray Data batch on a pool
    of ChunkEncoder actors; each stored here as it arrives (the same part files as local)."""
    if not chunks:
        return
    items = [{"start": start, "texts": texts} for start, texts in chunks.items()]
    encoded = ray.data.from_items(items, override_num_blocks=len(items)).map_batches(
        ChunkEncoder,
        fn_constructor_args=(model,),
        batch_size=1,
        batch_format="pyarrow",
        compute=ray.data.ActorPoolStrategy(size=min(len(items), _cpus())),
    )
    for batch in encoded.iter_batches(batch_size=None, batch_format="pyarrow"):
        for row in batch.to_pylist():
            store(row["start"], np.asarray(row["vectors"], dtype=np.float32))


class PoolScorer:
    """Ray Data actor: the pool tokenized and encoded once, then row blocks scored against it."""

    def __init__(
        self, pool_texts: list[str], pool_langs: list[str | None] | None, tokenizer: str
    ) -> None:
        tokens = tokenize_all(pool_texts, tokenizer, pool_langs)
        self.codec = TokenCodec().fit(tokens)
        self.pool = EncodedTexts.build(tokens, self.codec)
        self.tokenizer = tokenizer

    def __call__(self, batch: pa.Table) -> pa.Table:
        langs = batch.column("lang").to_pylist() if "lang" in batch.column_names else None
        tokens = tokenize_all(batch.column("text").to_pylist(), self.tokenizer, langs)
        best, mean, nearest = score_rows(encode_for_pool(tokens, self.codec), self.pool, 1)
        return pa.table(
            {"position": batch.column("position"), "max": best, "mean": mean, "nearest": nearest}
        )


def rouge_to_pool(
    texts: Sequence[str],
    pool_texts: Sequence[str],
    *,
    tokenizer: str = ENGLISH,
    langs: Sequence[str | None] | None = None,
    pool_langs: Sequence[str | None] | None = None,
    workers: int = -1,
) -> pd.DataFrame:
    """analysis.rouge.rouge_to_pool on the cluster: row blocks through a pool of PoolScorer
    actors (one thread each: `workers` is the local engine's), put back in row order."""
    if len(pool_texts) == 0:
        raise WorkbenchError(Errors.E017)
    if len(texts) == 0:
        empty = np.empty(0)
        return pool_scores_frame(empty, empty, np.empty(0, dtype=np.int64), pool_texts)
    columns = {"position": np.arange(len(texts), dtype=np.int64), "text": list(texts)}
    if langs is not None:
        columns["lang"] = list(langs)
    table = pa.table(columns)
    actors = _cpus()
    block = max(1, rouge_scores.BLOCK_CELLS // len(pool_texts))
    block = min(block, max(1, math.ceil(len(texts) / (actors * BLOCKS_PER_ACTOR))))
    blocks = [table.slice(start, block) for start in range(0, len(texts), block)]
    scored = ray.data.from_arrow(blocks).map_batches(
        PoolScorer,
        fn_constructor_args=(
            list(pool_texts),
            None if pool_langs is None else list(pool_langs),
            tokenizer,
        ),
        batch_size=None,
        batch_format="pyarrow",
        compute=ray.data.ActorPoolStrategy(size=min(actors, len(blocks))),
    )
    batches = scored.iter_batches(batch_size=None, batch_format="pyarrow")
    result = pa.concat_tables(batches).sort_by("position")
    return pool_scores_frame(
        result.column("max").to_numpy(),
        result.column("mean").to_numpy(),
        result.column("nearest").to_numpy(),
        pool_texts,
    )


class PairVerifier:
    """Ray actor: the encoded texts received once, then candidate chunks verified."""

    def __init__(self, codes: list[str], lengths: np.ndarray) -> None:
        self.codes, self.lengths = codes, lengths

    def verify(self, a: np.ndarray, b: np.ndarray, threshold: float):
        return verify_pairs(self.codes, self.lengths, a, b, threshold)


def verify_chunks(
    codes: list[str],
    lengths: np.ndarray,
    chunks: Iterable[tuple[np.ndarray, np.ndarray]],
    threshold: float,
    workers: int,
) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """all_pairs_above's verification on the cluster: candidate chunks, made here, go to one
    PairVerifier actor per CPU as they free up (CHUNKS_PER_ACTOR queued each, so memory stays
    bounded); each actor verifies on one thread (`workers` is the local engine's)."""
    verifier = ray.remote(num_cpus=1)(PairVerifier)
    codes_ref, lengths_ref = ray.put(codes), ray.put(lengths)
    actors = [verifier.remote(codes_ref, lengths_ref) for _ in range(_cpus())]
    try:
        free = deque(actors * CHUNKS_PER_ACTOR)
        pending: dict = {}
        for a, b in chunks:
            if not free:
                (ready,), _ = ray.wait(list(pending), num_returns=1)
                free.append(pending.pop(ready))
                yield ray.get(ready)
            actor = free.popleft()
            pending[actor.verify.remote(a, b, threshold)] = actor
        for ready in pending:
            yield ray.get(ready)
    finally:
        for actor in actors:
            ray.kill(actor)
