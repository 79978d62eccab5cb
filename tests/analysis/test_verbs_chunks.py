"""The verb-noun column parsed in cached chunks: the same answer as one pass, and resumable."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tracemalloc
from pathlib import Path

import pandas as pd
import pytest

from analysis import verbs
from analysis.datasets import load_dataset
from analysis.paths import REPO_ROOT
from analysis.verbs import column

PAIRS = ["verb", "noun", "method"]


def one_pass(dataset, field: str = "instruction", rule: str = "paper") -> pd.DataFrame:
    return verbs.extract(dataset.frame[field].tolist(), rule=rule)


def assert_same_pairs(chunked: pd.DataFrame, whole: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(
        chunked[PAIRS].reset_index(drop=True), whole[PAIRS], check_dtype=False
    )


@pytest.mark.parametrize(
    ("name", "field", "rule"),
    [
        ("user_oriented_instructions", "instruction", "paper"),
        ("generated/self_instruct_smollm2", "instruction", "full"),
        ("predictions/text-davinci-003", "output", "paper"),
    ],
)
def test_verbs_chunks_give_the_one_pass_column_on_bundled_data(name, field, rule):
    dataset = load_dataset(name)
    chunked = column.verb_noun_column(dataset, field, rule, workers=1, chunk_size=37)
    assert list(chunked["id"]) == dataset.frame["id"].astype(str).tolist()
    assert_same_pairs(chunked, one_pass(dataset, field, rule))


def write_jsonl(path: Path, instructions: list[str]) -> Path:
    lines = [json.dumps({"id": f"r{i}", "instruction": t}) for i, t in enumerate(instructions)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_verbs_chunks_keep_repeats_empty_and_chinese_rows_in_row_order(tmp_path):
    texts = ["Write a poem.", "", "写一个故事", "Write a poem.", "Name three fruits.", "   "] * 3
    texts += ["Give me a recipe.", "写一个故事"]
    dataset = load_dataset(write_jsonl(tmp_path / "d.jsonl", texts))
    chunked = column.verb_noun_column(dataset, workers=1, chunk_size=2)
    assert_same_pairs(chunked, one_pass(dataset))


def test_verbs_chunks_memory_does_not_grow_with_the_longest_text(tmp_path, monkeypatch):
    """Rows are put back in order without a fixed-width array of the texts: the 1M-row set's
    outputs (up to 6,170 characters) needed 23 GiB that way and the process was killed. Here
    2,000 rows with one 50,000-character text would take 400 MB so."""
    monkeypatch.setenv("WORKBENCH_CACHE", str(tmp_path / "cache"))
    long_text = "あ" * 50_000  # Japanese: no parse, so the test stays fast
    texts = [long_text] + ["Write a poem.", "Name three fruits."] * 999 + ["Give me a recipe."]
    verbs.extract(["Write a poem."])  # the model loaded before measuring
    tracemalloc.start()
    pairs = column.extract_in_chunks(
        texts, "paper", None, chunk_key=lambda index, size: f"long-{index}-{size}", workers=1
    )
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 50 * 2**20, f"{peak / 2**20:.0f} MiB"
    assert pairs["method"].iloc[0] == column.METHOD_NOT_PARSED
    assert_same_pairs(pairs, verbs.extract(texts))


def test_verbs_chunks_resume_after_a_failure_without_parsing_finished_chunks(monkeypatch):
    dataset = load_dataset("user_oriented_instructions")
    real = column.extract
    parsed: list[list[str]] = []

    def failing_third(texts, *args, **kwargs):
        if len(parsed) == 2:
            raise RuntimeError("killed in the middle")
        parsed.append(list(texts))
        return real(texts, *args, **kwargs)

    monkeypatch.setattr(column, "extract", failing_third)
    with pytest.raises(RuntimeError, match="killed in the middle"):
        column.verb_noun_column(dataset, workers=1, chunk_size=50)
    assert not column.is_cached(dataset, "instruction", "paper")
    before_failure = [text for chunk in parsed for text in chunk]
    assert len(before_failure) == 100

    parsed.clear()
    monkeypatch.setattr(
        column, "extract", lambda texts, *a, **k: parsed.append(texts) or real(texts, *a, **k)
    )
    heard = []
    resumed = column.verb_noun_column(
        dataset, workers=1, chunk_size=50, progress=lambda *p: heard.append(p)
    )
    distinct = dataset.frame["instruction"].drop_duplicates().tolist()
    assert [text for chunk in parsed for text in chunk] == distinct[100:]
    assert heard[0] == (100, len(distinct)) and heard[-1] == (len(distinct), len(distinct))
    assert_same_pairs(resumed, one_pass(dataset))


#: A main script without a ``__name__`` guard, as Streamlit runs a page: spawned workers must not
#: run it again (each would start workers of its own, and fail).
UNGUARDED_MAIN = """
import json
from analysis.datasets import load_dataset
from analysis.paths import REPO_ROOT
from analysis.verbs import column

heard = []
frame = column.verb_noun_column(
    load_dataset("user_oriented_instructions"), workers=2, chunk_size=60,
    progress=lambda *p: heard.append(p),
)
print(json.dumps({"pairs": frame[["verb", "noun", "method"]].values.tolist(), "heard": heard}))
"""


@pytest.mark.slow  # two fresh processes each load the pipeline
def test_verbs_chunks_parsed_by_two_processes_give_the_one_pass_column(tmp_path):
    script = tmp_path / "page.py"
    script.write_text(UNGUARDED_MAIN, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, str(script)],
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT), "WORKBENCH_HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=240,  # without the bare main, workers die and are restarted forever
    )
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    chunked = pd.DataFrame(answer["pairs"], columns=PAIRS)
    dataset = load_dataset("user_oriented_instructions")
    assert_same_pairs(chunked, one_pass(dataset))
    distinct = dataset.frame["instruction"].nunique()
    heard = [tuple(p) for p in answer["heard"]]
    assert [done for done, _ in heard] == sorted(done for done, _ in heard)
    assert heard[-1] == (distinct, distinct) and len(heard) == 1 + -(-distinct // 60)
