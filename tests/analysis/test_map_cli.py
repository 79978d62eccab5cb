"""`python -m analysis embed` and `python -m analysis map` on the bundled seed tasks."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from analysis import embeddings
from analysis.__main__ import main
from analysis.datasets import load_dataset
from analysis.paths import REPO_ROOT, child_env


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


#: `python -m analysis ARGS` with sentence-transformers' encode counting the texts it is given,
#: so a test sees what the model did, whatever the CLI itself reports.
COUNTING_CLI = """
import runpy, sys
from sentence_transformers import SentenceTransformer

texts = 0
real_encode = SentenceTransformer.encode


def counting_encode(self, sentences, *args, **kwargs):
    global texts
    texts += 1 if isinstance(sentences, str) else len(sentences)
    return real_encode(self, sentences, *args, **kwargs)


SentenceTransformer.encode = counting_encode
sys.argv = ["analysis", *sys.argv[1:]]
try:
    runpy.run_module("analysis", run_name="__main__", alter_sys=True)
finally:
    print(f"model encoded {texts} texts")
"""


def embed_in_new_process(path) -> tuple[int, str]:
    """(texts the model encoded, the CLI's own count line) of `python -m analysis embed PATH`
    in a fresh process on the test's WORKBENCH_CACHE."""
    done = subprocess.run(
        [sys.executable, "-c", COUNTING_CLI, "embed", str(path)],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        env=child_env(),
        check=False,
    )
    assert done.returncode == 0, done.stderr
    [texts] = re.findall(r"model encoded (\d+) texts", done.stdout)
    [report] = re.findall(r"\d+ rows? encoded now, \d+ read from the cache", done.stderr)
    return int(texts), report


@pytest.mark.slow  # three fresh processes, each importing torch and loading the model
def test_embed_cli_reuses_the_cache_of_another_process(tmp_path):
    """The cache is on disk, not in a process: a second run encodes nothing, and a column with
    one text changed (a new fingerprint) is encoded again."""
    rows = [
        {"id": row.id, "instruction": row.instruction, "output": row.output}
        for row in load_dataset("seed_tasks").frame.head(20).itertuples()
    ]
    path = tmp_path / "tasks.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    assert embed_in_new_process(path) == (20, "20 rows encoded now, 0 read from the cache")
    assert embed_in_new_process(path) == (0, "0 rows encoded now, 20 read from the cache")
    rows[7]["instruction"] = "Name three rivers that flow into the Black Sea."
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    assert embed_in_new_process(path) == (20, "20 rows encoded now, 0 read from the cache")


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


@pytest.mark.slow
def test_map_cli_rows_maps_the_seeded_sample(tmp_path, capsys):
    from analysis.semantic_space import sample

    out = tmp_path / "out"
    assert main(["map", "seed_tasks", "--rows", "40", "--out", str(out), "--formats", "html"]) == 0
    frame = pd.read_csv(out / "map.csv", keep_default_na=False)
    drawn = sample(load_dataset("seed_tasks"), 40)
    assert frame["id"].tolist() == drawn.frame["id"].tolist()
    printed = capsys.readouterr().out
    assert "40 rows of seed_tasks" in printed
    assert "seed_tasks: a seeded sample of 40 of its 175 rows" in printed
    with pytest.raises(SystemExit):
        main(["map", "seed_tasks", "--rows", "3", "--out", str(out)])
    assert "--rows must be a whole number of at least 4" in capsys.readouterr().err
