"""Semantic map, near-duplicates, coverage and diversity on hand-made vectors and texts.

Only the projection tests run UMAP (its numba compilation takes about 40 s in a fresh process:
marked slow); everything else is built from vectors, clusters and texts made here.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.diversity import cluster_entropy, coverage, diversity, mean_distance
from analysis.errors import WorkbenchError
from analysis.figures.semantic_map import hover_text, map_figure
from analysis.semantic_map import NOISE, cluster, cluster_table, project, renumber_by_size
from analysis.semantic_pairs import nearest_similarity, semantic_pairs, similar_pairs


def _blobs(sizes, dims=16, spread=0.05, seed=1) -> tuple[np.ndarray, np.ndarray]:
    """Normalized vectors around one random direction per blob, and each vector's blob."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(len(sizes), dims))
    points = np.concatenate(
        [c + spread * rng.normal(size=(n, dims)) for c, n in zip(centres, sizes, strict=True)]
    )
    points /= np.linalg.norm(points, axis=1, keepdims=True)
    return points.astype(np.float32), np.repeat(np.arange(len(sizes)), sizes)


def _unit(*rows) -> np.ndarray:
    vectors = np.array(rows, dtype=np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


@pytest.mark.slow
def test_semantic_map_projection_is_reproducible_and_separates_blobs():
    vectors, blob = _blobs([40, 40, 40])
    first, again, other = project(vectors, seed=3), project(vectors, seed=3), project(vectors, 4)
    assert first.shape == (120, 2)
    assert np.array_equal(first, again)
    assert not np.array_equal(first, other)
    clusters = cluster(first)
    for number in range(3):  # each blob is one cluster, and no cluster mixes blobs
        found = set(clusters[blob == number]) - {NOISE}
        assert len(found) == 1
    assert len(set(clusters) - {NOISE}) == 3


@pytest.mark.slow
def test_semantic_map_large_input_fits_a_sample_and_transforms_the_rest():
    vectors, _ = _blobs([60, 60])
    coords = project(vectors, seed=0, fit_sample=50)
    assert coords.shape == (120, 2) and np.isfinite(coords).all()
    assert np.array_equal(coords, project(vectors, seed=0, fit_sample=50))


def test_semantic_map_needs_four_rows():
    with pytest.raises(WorkbenchError, match="at least 4 rows with text; 3 given"):
        project(_unit([1, 0], [0, 1], [1, 1]))


def test_semantic_map_clusters_numbered_by_size():
    assert renumber_by_size(np.array([5, 5, -1, 2, 2, 2, 9])).tolist() == [1, 1, -1, 0, 0, 0, 2]


def test_semantic_map_cluster_labels_come_from_members():
    texts = [
        "Write a poem about the sea.",
        "Write a poem about autumn leaves.",
        "Compose a poem on the sea wind.",
        "Translate this sentence into German.",
        "Translate the menu into French.",
        "Random noise row about nothing.",
    ]
    clusters = [0, 0, 0, 1, 1, NOISE]
    verbs = ["write", "write", "compose", "translate", "translate", "be"]
    nouns = ["poem", "poem", "poem", "sentence", "menu", ""]
    table = cluster_table(texts, clusters, verbs, nouns).set_index("cluster")
    assert table.loc[0, "verb_noun"] == "write poem"
    assert table.loc[0, "terms"].split(", ")[0] == "poem"
    assert "sea" in table.loc[0, "terms"] and "translate" not in table.loc[0, "terms"]
    assert table.loc[1, "verb_noun"] == "translate menu"  # a tie: alphabetical
    assert "translate" in table.loc[1, "terms"] and "poem" not in table.loc[1, "terms"]
    assert table.loc[NOISE, "label"] == "no cluster" and table.loc[NOISE, "size"] == 1
    assert table.loc[0, "label"].startswith("0: write poem · poem")


def test_semantic_map_coverage_names_the_dataset_that_lacks_a_cluster():
    frame = pd.DataFrame(
        {
            "dataset": ["a"] * 20 + ["b"] * 20,
            "cluster": [0] * 10 + [1] * 10 + [0] * 19 + [NOISE],
            "label": ["0: x"] * 10 + ["1: y"] * 10 + ["0: x"] * 19 + ["no cluster"],
        }
    )
    table = coverage(frame)
    assert table["cluster"].tolist() == [1, 0]  # the gap first
    gap = table.iloc[0]
    assert (gap["a"], gap["b"], gap["gap_in"]) == (10, 0, "b")
    assert gap["share a"] == 0.5 and gap["share b"] == 0
    assert table.iloc[1]["gap_in"] == "" and table.iloc[1]["share b"] == 19 / 20


def test_semantic_map_near_duplicates_leave_out_rouge_flagged_pairs():
    rows = pd.DataFrame(
        {
            "id": ["p", "q", "r", "s"],
            "text": [
                "Give me three ideas for a birthday party.",
                "Suggest a few themes to celebrate someone's birthday.",  # paraphrase of p
                "Give me three ideas for a birthday party!",  # same words as p
                "What is the capital of France?",
            ],
        }
    )
    vectors = _unit([1, 0.05, 0], [1, 0.1, 0], [1, 0.0, 0.01], [0, 0, 1])
    assert len(similar_pairs(vectors, 0.9)) == 3
    pairs = semantic_pairs(rows, vectors, cosine=0.9)
    assert set(zip(pairs["first_id"], pairs["second_id"], strict=True)) == {("p", "q"), ("q", "r")}
    assert (pairs["rougeL"] <= 0.7).all() and (pairs["cosine"] >= 0.9).all()
    assert pairs["first_text"].iloc[0] in rows["text"].tolist()


def test_semantic_map_nearest_similarity_within_groups():
    vectors = _unit([1, 0], [1, 0.01], [0, 1], [0.01, 1])
    groups = np.array(["a", "b", "a", "b"])
    everyone = nearest_similarity(vectors)
    within = nearest_similarity(vectors, groups)
    assert everyone[0] > 0.99 and within[0] < 0.1


def test_semantic_map_diversity_numbers_on_hand_made_vectors():
    tight, _ = _blobs([30], spread=0.01, seed=2)
    wide, _ = _blobs([10, 10, 10], spread=0.01, seed=3)
    vectors = np.concatenate([tight, wide])
    frame = pd.DataFrame(
        {
            "dataset": ["tight"] * 30 + ["wide"] * 30,
            "cluster": [0] * 30 + [0] * 10 + [1] * 10 + [2] * 10,
        }
    )
    table = diversity(frame, vectors, cosine=0.95).set_index("dataset")
    assert table.loc["tight", "clusters"] == 1 and table.loc["wide", "clusters"] == 3
    assert table.loc["tight", "cluster_entropy_bits"] == 0
    assert table.loc["wide", "cluster_entropy_bits"] == pytest.approx(np.log2(3))
    assert table.loc["tight", "mean_cosine_distance"] < table.loc["wide", "mean_cosine_distance"]
    for name in ("tight", "wide"):
        row = table.loc[name]
        assert row["ci_low"] <= row["mean_cosine_distance"] <= row["ci_high"]
    assert table.loc["tight", "near_duplicate_share"] == 1.0
    assert table.equals(diversity(frame, vectors, cosine=0.95).set_index("dataset"))  # seeded


def test_semantic_map_mean_distance_of_known_pairs():
    vectors = _unit([1, 0], [0, 1], [-1, 0])
    estimate, _, _ = mean_distance(vectors, boots=10)
    assert estimate == pytest.approx((1 + 2 + 1) / 3)  # distances 1, 2 and 1
    assert cluster_entropy(np.array([0, 0, 1, 1, NOISE])) == pytest.approx(1.0)


def test_semantic_map_hover_shows_html_literally():
    frame = pd.DataFrame(
        {
            "x": [0.0, 1.0],
            "y": [0.0, 1.0],
            "cluster": [0, NOISE],
            "label": ["0: <i>x</i>", "no cluster"],
        }
    )
    texts = pd.Series(["Make <b>this</b> bold", "plain"])
    assert hover_text("a <b>b</b>") == "a &lt;b&gt;b&lt;/b&gt;"
    figure = map_figure(frame, texts, "cluster")
    hovers = [text for trace in figure.data for text in trace.text]
    assert any("Make &lt;b&gt;this&lt;/b&gt; bold" in text for text in hovers)
    assert not any("<b>this" in text or "<i>x</i>" in text for text in hovers)
    assert sorted(int(p) for trace in figure.data for p in trace.customdata) == [0, 1]


def test_semantic_map_sample_is_seeded_in_file_order_and_named_apart():
    from analysis.datasets import load_dataset
    from analysis.semantic_space import sample, sampled_notes

    seeds = load_dataset("seed_tasks")
    assert sample(seeds, 175) is seeds and sample(seeds, 500) is seeds
    drawn = sample(seeds, 50)
    ids = seeds.frame["id"].tolist()
    picked = [ids.index(row_id) for row_id in drawn.frame["id"]]
    assert len(picked) == 50 and picked == sorted(set(picked))  # distinct rows, in file order
    assert drawn.frame.index.tolist() == list(range(50))
    row = seeds.frame.iloc[picked[7]]
    assert drawn.frame.iloc[7]["instruction"] == row["instruction"]
    assert drawn.fingerprint not in (seeds.fingerprint, sample(seeds, 51).fingerprint)
    assert sample(seeds, 50).frame["id"].tolist() == drawn.frame["id"].tolist()
    assert sample(seeds, 50, seed=1).frame["id"].tolist() != drawn.frame["id"].tolist()
    assert sample(seeds, 50).fingerprint == drawn.fingerprint
    assert sample(seeds, 50, seed=1).fingerprint != drawn.fingerprint
    assert len(seeds) == 175  # the whole dataset is untouched
    assert sampled_notes({"s": seeds}, {"s": drawn}) == ["s: a seeded sample of 50 of its 175 rows"]
    assert sampled_notes({"s": seeds}, {"s": sample(seeds, 175)}) == []
