"""`python -m analysis embed` and `python -m analysis map` on the bundled seed tasks."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis import embeddings
from analysis.__main__ import main
from analysis.datasets import load_dataset


class Stopped(Exception):
    """The run stopped (killed, Ctrl-C) in the middle of embedding."""


@pytest.fixture(autouse=True)
def _own_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("WORKBENCH_CACHE", str(tmp_path / "cache"))


def test_embed_cli_resumes_from_saved_chunks(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(embeddings, "CHUNK_ROWS", 64)
    dataset = load_dataset("seed_tasks")
    calls = []
    stop = {"at": 2}
    real = embeddings.load_model

    class Counting:
        def __init__(self, model):
            self.model = model

        def encode(self, texts, **options):
            calls.append(len(texts))
            if len(calls) == stop["at"]:
                raise Stopped  # stopped while encoding the second chunk
            return self.model.encode(texts, **options)

    monkeypatch.setattr(embeddings, "load_model", lambda name: Counting(real(name)))
    with pytest.raises(Stopped):
        main(["embed", "seed_tasks"])
    calls.clear()
    stop["at"] = None  # the restart runs to the end
    assert main(["embed", "seed_tasks"]) == 0
    assert calls == [64, 175 - 128]  # the first chunk was kept
    assert "175 rows of seed_tasks" in capsys.readouterr().out
    vectors = embeddings.dataset_embeddings(dataset)  # the same cache file
    assert vectors.shape == (175, 384)
    assert np.allclose(
        vectors[:3], embeddings.embed(dataset.frame["instruction"].head(3).tolist()), atol=1e-5
    )


@pytest.mark.slow
def test_map_cli_writes_map_csv_and_pairs(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["map", "seed_tasks", "--out", str(out), "--formats", "html"]) == 0
    frame = pd.read_csv(out / "map.csv", keep_default_na=False)
    assert frame.columns.tolist() == ["id", "x", "y", "cluster", "label"]
    assert frame["id"].tolist() == load_dataset("seed_tasks").frame["id"].tolist()
    clusters = frame[frame["cluster"] >= 0]
    assert clusters["cluster"].nunique() >= 3
    assert (clusters.groupby("cluster")["label"].nunique() == 1).all()
    assert set(frame.loc[frame["cluster"] < 0, "label"]) <= {"no cluster"}
    pairs = pd.read_csv(out / "semantic_pairs.csv")
    assert pairs.columns.tolist()[:2] == ["first_id", "first_text"]
    assert (pairs["rougeL"] <= 0.7).all()
    assert (out / "semantic_map.html").exists() and (out / "diversity.csv").exists()
    assert not (out / "coverage.csv").exists()  # one dataset: nothing to cover
    first = (out / "map.csv").read_bytes()
    assert main(["map", "seed_tasks", "--out", str(tmp_path / "again"), "--formats", "html"]) == 0
    assert (tmp_path / "again" / "map.csv").read_bytes() == first  # cached and reproducible
    assert "175 rows of seed_tasks" in capsys.readouterr().out
