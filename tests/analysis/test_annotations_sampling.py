"""Samples are reproducible, keep strata's shares, and give each annotator their own order."""

from __future__ import annotations

from collections import Counter

import pandas as pd
import pytest

from analysis.annotations import sampling
from analysis.datasets import load_dataset
from analysis.errors import WorkbenchError

MODELS = [f"predictions/{m}" for m in ("davinci", "text-davinci-003")]


@pytest.fixture(scope="module")
def two_models():
    return [load_dataset(name) for name in MODELS]


def test_sampling_same_seed_same_sample_other_seed_other(two_models):
    pool = sampling.candidates(two_models, pairwise=False)
    assert len(pool) == 504
    first = sampling.draw_sample(pool, 40, seed=7)
    pd.testing.assert_frame_equal(first, sampling.draw_sample(pool, 40, seed=7))
    assert set(first["row_id"] + first["fingerprint"]) != set(
        (lambda s: s["row_id"] + s["fingerprint"])(sampling.draw_sample(pool, 40, seed=8))
    )


def test_sampling_stratified_by_model_keeps_shares(two_models):
    pool = sampling.candidates(two_models, pairwise=False)
    sample = sampling.draw_sample(
        pool, 40, seed=1, strata=sampling.strata(pool, two_models, "model")
    )
    assert Counter(sample["model"]) == {MODELS[0]: 20, MODELS[1]: 20}


def test_sampling_each_annotator_own_order_same_items(two_models):
    sample = sampling.draw_sample(sampling.candidates(two_models, pairwise=False), 30, seed=3)
    ann = sampling.annotator_queue(sample, "ann", seed=3)
    bob = sampling.annotator_queue(sample, "bob", seed=3)
    assert set(ann) == set(bob) and len(ann) == 30 and ann != bob
    assert ann == sampling.annotator_queue(sample, "ann", seed=3)


def test_sampling_k_annotators_per_item(two_models):
    sample = sampling.draw_sample(sampling.candidates(two_models, pairwise=False), 30, seed=3)
    names = ["ann", "bob", "cyd"]
    queues = {n: sampling.annotator_queue(sample, n, 3, names, per_item=2) for n in names}
    seen = Counter(item for queue in queues.values() for item in queue)
    assert len(seen) == 30 and set(seen.values()) == {2}
    with pytest.raises(WorkbenchError, match="not among"):
        sampling.annotator_queue(sample, "dan", 3, names, per_item=2)


def test_sampling_pairs_share_row_ids_and_sides_are_drawn(two_models):
    pool = sampling.candidates(two_models, pairwise=True)
    assert len(pool) == 252 and pool["fingerprint"].nunique() == 1
    items = sampling.annotator_queue(sampling.draw_sample(pool, 100, seed=0), "ann", seed=0)
    left = [sampling.shows_first_on_left(item, "ann", 0) for item in items]
    assert 30 < sum(left) < 70  # both sides, neither always
    with pytest.raises(WorkbenchError, match="exactly two"):
        sampling.candidates(two_models[:1], pairwise=True)
