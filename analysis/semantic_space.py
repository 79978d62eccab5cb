"""One or more loaded datasets mapped together: their rows, embeddings and map, cached on disk.

The map is cached by the datasets' fingerprints with their labels (the ``dataset`` column shows
the labels), the field, the embedding model, the seed and VERSION; the embeddings by each
dataset's own fingerprint, so adding a dataset to a comparison embeds only that one.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import replace

import numpy as np
import pandas as pd

from analysis.cache import cached_frame, has_frame
from analysis.embeddings import DEFAULT_MODEL, dataset_embeddings_resumable
from analysis.errors import Errors, WorkbenchError
from analysis.semantic_map import FIT_SAMPLE, SEED, build_map

NAMESPACE = "semantic_map"
#: Bump when the projection, the clustering or the labels change.
VERSION = "1"
#: The Map page's default rows per dataset: a larger one is mapped by a seeded sample. On a CPU
#: embedding runs at some hundred rows/s (111-139 on this project's two cores: a million rows
#: take over two hours), and the browser draws every point; `python -m analysis map` maps all.
PAGE_ROWS = 20_000


def sample(dataset, rows: int, seed: int = SEED):
    """At most `rows` rows of `dataset`, drawn with `seed` and kept in file order (ids as in the
    file); a dataset of `rows` or fewer is returned as it is. The sample's fingerprint names the
    draw, so its embeddings and map are cached apart from the whole dataset's."""
    if len(dataset) <= rows:
        return dataset
    picked = np.sort(np.random.default_rng(seed).choice(len(dataset), rows, replace=False))
    draw = f"{dataset.fingerprint}\x1fsample\x1f{rows}\x1f{seed}"
    return replace(
        dataset,
        frame=dataset.frame.iloc[picked].reset_index(drop=True),
        fingerprint=hashlib.sha256(draw.encode()).hexdigest()[:16],
    )


def sampled_notes(whole: Mapping[str, object], mapped: Mapping[str, object]) -> list[str]:
    """A line for each dataset `mapped` holds a sample of (the map's caption and CLI say it)."""
    return [
        f"{name}: a seeded sample of {len(mapped[name]):,} of its {len(dataset):,} rows"
        for name, dataset in whole.items()
        if len(mapped[name]) < len(dataset)
    ]


def rows(datasets: Mapping[str, object], field: str = "instruction") -> pd.DataFrame:
    """``dataset, id, text`` for every row of every dataset, in order."""
    return pd.concat(
        [
            pd.DataFrame(
                {
                    "dataset": name,
                    "id": dataset.frame["id"].astype(str).to_numpy(),
                    "text": dataset.frame[field].fillna("").astype(str).to_numpy(),
                }
            )
            for name, dataset in datasets.items()
        ],
        ignore_index=True,
    )


def vectors(
    datasets: Mapping[str, object],
    field: str = "instruction",
    model: str = DEFAULT_MODEL,
    progress: Callable[[int, int], None] | None = None,
) -> np.ndarray:
    """The datasets' embeddings stacked in `rows` order (each dataset's cached on its own)."""
    parts = [
        dataset_embeddings_resumable(dataset, field, model, progress)
        for dataset in datasets.values()
    ]
    return np.concatenate(parts) if parts else np.zeros((0, 0), dtype=np.float32)


def _key(datasets: Mapping[str, object]) -> str:
    labelled = "\x1f".join(f"{name}\x1e{dataset.fingerprint}" for name, dataset in datasets.items())
    return hashlib.sha256(labelled.encode()).hexdigest()


def _params(field: str, model: str, seed: int) -> dict:
    return {"field": field, "model": model, "seed": seed, "fit_sample": FIT_SAMPLE}


def is_cached(datasets: Mapping[str, object], field: str, model: str, seed: int = SEED) -> bool:
    return has_frame(NAMESPACE, _key(datasets), _params(field, model, seed), VERSION)


def semantic_map(
    datasets: Mapping[str, object],
    field: str = "instruction",
    model: str = DEFAULT_MODEL,
    seed: int = SEED,
    progress: Callable[[int, int], None] | None = None,
) -> pd.DataFrame:
    """``dataset, id, x, y, cluster, label`` per row of the datasets mapped together (cached);
    labels use each row's verb-noun pair (analysis.verbs, cached per dataset)."""
    from analysis.verbs import verb_noun_column

    def compute() -> pd.DataFrame:
        table = rows(datasets, field)
        with_text = int((table["text"].str.strip() != "").sum())
        if with_text < 4:
            raise WorkbenchError(Errors.E150.format(rows=with_text))
        pairs = pd.concat(
            [verb_noun_column(dataset, field) for dataset in datasets.values()],
            ignore_index=True,
        )
        frame, _ = build_map(
            vectors(datasets, field, model, progress),
            table["text"].tolist(),
            table["id"].tolist(),
            pairs["verb"].tolist(),
            pairs["noun"].tolist(),
            table["dataset"].tolist(),
            seed=seed,
        )
        return frame

    return cached_frame(NAMESPACE, _key(datasets), _params(field, model, seed), VERSION, compute)


def cluster_sizes(frame: pd.DataFrame) -> pd.DataFrame:
    """``cluster, label, size`` of a map, largest cluster first, noise last."""
    sizes = frame.groupby(["cluster", "label"]).size().reset_index(name="size")
    sizes["_noise"] = sizes["cluster"] < 0
    return sizes.sort_values(["_noise", "cluster"]).drop(columns="_noise").reset_index(drop=True)
