"""Table-1 statistics and the `stats` CLI."""

from __future__ import annotations

import json
import subprocess
import sys

from analysis.datasets import load_dataset
from analysis.schema import make_record
from analysis.stats import TABLE1_KEYS, table1
from tests.analysis.records import records_frame


def test_stats_cli_reproduces_seed_task_counts():
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "analysis",
            "stats",
            "data/self_instruct/seed_tasks.jsonl",
            "--json",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    stats = json.loads(result.stdout)
    assert list(stats) == list(TABLE1_KEYS)
    # The counts the Self-Instruct repository documents for its seed tasks.
    assert (
        stats["unique_instructions"],
        stats["classification"],
        stats["instances"],
        stats["empty_inputs"],
    ) == (175, 26, 175, 50)


def test_stats_cli_bad_file_prints_clear_error(tmp_path):
    path = tmp_path / "broken.jsonl"
    path.write_text('{"instruction": "a"}\n{"instruction": "b"\n')
    result = subprocess.run(
        [sys.executable, "-m", "analysis", "stats", str(path)], capture_output=True, text=True
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert f"error: {path}, line 2, column" in result.stderr


def test_stats_table1_averages_unique_instructions_and_instances():
    frame = records_frame(
        [
            make_record(
                id="a", instruction="one two", input="x y z", output="o", is_classification=True
            ),
            make_record(id="b", instruction="one two", input="", output="o o o"),
            make_record(id="c", instruction="three", input="w", output="", is_classification=False),
        ]
    )
    stats = table1(frame)
    assert stats["unique_instructions"] == 2
    assert (stats["classification"], stats["non_classification"]) == (1, 1)
    assert stats["empty_inputs"] == 1
    assert stats["avg_instruction_words"] == (2 + 1) / 2
    assert stats["avg_nonempty_input_words"] == (3 + 1) / 2
    assert stats["avg_output_words"] == (1 + 3 + 0) / 3


def test_stats_unknown_classification_is_null():
    frame = records_frame([make_record(id="a", instruction="x")])
    assert table1(frame)["classification"] is None


def test_stats_cli_maps_columns(tmp_path):
    path = tmp_path / "qa.jsonl"
    path.write_text('{"query": "Why is the sky blue?", "answer": "Rayleigh scattering."}\n')
    plain = subprocess.run(
        [sys.executable, "-m", "analysis", "stats", str(path)], capture_output=True, text=True
    )
    assert plain.returncode == 2 and "--map instruction=COLUMN" in plain.stderr
    mapped = subprocess.run(
        [
            sys.executable,
            "-m",
            "analysis",
            "stats",
            str(path),
            "--map",
            "instruction=query",
            "--map",
            "output=answer",
            "--json",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    stats = json.loads(mapped.stdout)
    assert stats["unique_instructions"] == 1 and stats["avg_output_words"] == 2.0
    bad = subprocess.run(
        [sys.executable, "-m", "analysis", "stats", str(path), "--map", "question"],
        capture_output=True,
        text=True,
    )
    assert bad.returncode == 2 and "expected FIELD=COLUMN" in bad.stderr


def test_stats_table1_cached_equals_table1():
    from analysis.stats import table1_cached

    for name in ("seed_tasks", "vicuna_questions"):
        dataset = load_dataset(name)
        assert table1_cached(dataset) == table1(dataset.frame)
        assert table1_cached(dataset) == table1(dataset.frame)
