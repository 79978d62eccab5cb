"""Which items an annotator sees, in which order: reproducible from a seed.

A study's sample is drawn once from its datasets (optionally stratified, so each model, verb or
category keeps its share) and shared by every annotator; each annotator gets their own order,
and with `per_item=k` only k of the named annotators see each item. A pairwise item is one row
id present in both datasets; which response shows left is drawn per annotator and item.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.datasets import Dataset
from analysis.errors import Errors, WorkbenchError

STRATA = ("none", "model", "verb", "category")


@dataclass(frozen=True)
class Item:
    """One thing to label: a row of a dataset, or the same row of two (fingerprint "A+B")."""

    fingerprint: str
    row_id: str
    datasets: tuple[str, ...]  # names, for the page (hidden from annotators where asked)


def _rng(*parts: object) -> np.random.Generator:
    digest = hashlib.sha256("\x1f".join(map(str, parts)).encode()).digest()
    return np.random.default_rng(int.from_bytes(digest[:8], "big"))


def pair_fingerprint(first: Dataset, second: Dataset) -> str:
    return f"{first.fingerprint}+{second.fingerprint}"


def candidates(datasets: list[Dataset], pairwise: bool) -> pd.DataFrame:
    """Every item the datasets offer: fingerprint, row_id, datasets, model, category, index."""
    if pairwise:
        if len(datasets) != 2:
            raise WorkbenchError(Errors.E052.format(count=len(datasets)))
        first, second = datasets
        shared = first.frame[first.frame["id"].isin(set(second.frame["id"]))]
        return pd.DataFrame(
            {
                "fingerprint": pair_fingerprint(first, second),
                "row_id": shared["id"].astype(str).to_numpy(),
                "datasets": [(first.name, second.name)] * len(shared),
                "model": f"{first.name} vs {second.name}",
                "category": shared["category"].fillna("").to_numpy(),
                "index": shared.index.to_numpy(),
                "source": 0,
            }
        )
    parts = [
        pd.DataFrame(
            {
                "fingerprint": dataset.fingerprint,
                "row_id": dataset.frame["id"].astype(str).to_numpy(),
                "datasets": [(dataset.name,)] * len(dataset),
                "model": dataset.name,
                "category": dataset.frame["category"].fillna("").to_numpy(),
                "index": dataset.frame.index.to_numpy(),
                "source": number,
            }
        )
        for number, dataset in enumerate(datasets)
    ]
    return pd.concat(parts, ignore_index=True)


def draw_sample(
    pool: pd.DataFrame, size: int, seed: int, strata: pd.Series | None = None
) -> pd.DataFrame:
    """`size` rows of `pool`, the same for the same seed; with `strata`, each stratum keeps its
    share (each row gets a random rank within its stratum, scaled to 0..1; the smallest win)."""
    rng = _rng("sample", seed)
    draws = rng.random(len(pool))
    if strata is None:
        order = np.argsort(draws, kind="stable")
    else:
        keys = pd.Series(draws, index=pool.index).groupby(strata.to_numpy()).rank(pct=True)
        order = np.lexsort((draws, keys.to_numpy()))
    return pool.iloc[order[: min(size, len(pool))]].reset_index(drop=True)


def annotator_queue(
    sample: pd.DataFrame,
    annotator: str,
    seed: int,
    annotators: list[str] | None = None,
    per_item: int | None = None,
) -> list[Item]:
    """The annotator's items in their own order; with `per_item`, only their share of items
    (item i goes to `per_item` consecutive names of a seeded ring of `annotators`)."""
    rows = sample
    if per_item and annotators:
        if annotator not in annotators:
            raise WorkbenchError(Errors.E053.format(name=annotator, names=", ".join(annotators)))
        ring = list(_rng("ring", seed).permutation(annotators))
        place = ring.index(annotator)
        mine = [
            (i - place) % len(ring) < per_item for i in range(len(sample))
        ]  # items i .. i+k-1 of the ring
        rows = sample[mine]
    order = _rng("order", seed, annotator).permutation(len(rows))
    picked = rows.iloc[order]
    return [Item(row.fingerprint, row.row_id, tuple(row.datasets)) for row in picked.itertuples()]


def shows_first_on_left(item: Item, annotator: str, seed: int) -> bool:
    """Pairwise: whether the first dataset's response is shown on the left for this annotator."""
    return bool(_rng("side", seed, annotator, item.fingerprint, item.row_id).random() < 0.5)


def strata(pool: pd.DataFrame, datasets: list[Dataset], by: str) -> pd.Series | None:
    """What a stratified sample keeps the shares of: the model (dataset), the row's category,
    or its instruction's root verb (Self-Instruct's verb-noun rule); None for "none"."""
    if by not in STRATA:
        raise WorkbenchError(Errors.E050.format(what="stratum", name=by, known=", ".join(STRATA)))
    if by == "none":
        return None
    if by in ("model", "category"):
        return pool[by]
    from analysis.verbs import verb_noun_column

    verbs = {
        number: verb_noun_column(dataset, "instruction")["verb"].to_numpy()
        for number, dataset in enumerate(datasets)
    }
    return pd.Series(
        [verbs[source][index] for source, index in zip(pool["source"], pool["index"], strict=True)],
        index=pool.index,
    )
