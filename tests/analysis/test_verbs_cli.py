"""`python -m analysis verbs` end to end."""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from analysis.__main__ import main
from analysis.paths import REPO_ROOT

RECORDS = [
    ("a1", "Write a poem about the ocean.", "Here is a poem about the sea."),
    ("a2", "What is the capital of France?", "Paris is the capital."),
    ("a3", "", "Nothing to say."),
    ("a4", "请写一个故事。", "从前有一座山。"),
    ("a5", "Write a poem about the ocean.", "Write your own poem."),
    ("a6", "Come up with a name for my startup.", "Try Nimbus."),
]


@pytest.fixture
def dataset_path(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("WORKBENCH_HOME", str(tmp_path / "home"))
    path = tmp_path / "data.jsonl"
    with path.open("w", encoding="utf-8") as handle:
        for id_, instruction, output in RECORDS:
            record = {"id": id_, "instruction": instruction, "input": "", "output": output}
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_verbs_cli_writes_one_line_per_row_in_order(dataset_path, tmp_path, capsys):
    out = tmp_path / "verbs.csv"
    assert main(["verbs", str(dataset_path), "--out", str(out)]) == 0
    rows = read_csv(out)
    assert list(rows[0]) == ["id", "verb", "noun"]
    assert [(r["id"], r["verb"], r["noun"]) for r in rows] == [
        ("a1", "write", "poem"),
        ("a2", "", ""),
        ("a3", "", ""),
        ("a4", "写", "故事"),
        ("a5", "write", "poem"),
        ("a6", "come", ""),
    ]
    report = capsys.readouterr().out
    assert "6 rows" in report
    assert re.search(r"with a verb-noun structure:\s+3 \(50\.0%\)", report)
    assert "1 Chinese row: pairs from jieba" in report
    assert re.search(r"^\s*write\s+poem\s+2$", report, re.MULTILINE)


def test_verbs_cli_full_rule_on_outputs(dataset_path, tmp_path, capsys):
    out = tmp_path / "outputs.csv"
    code = main(
        ["verbs", str(dataset_path), "--field", "output", "--rule", "full", "--out", str(out)]
    )
    assert code == 0
    rows = {r["id"]: (r["verb"], r["noun"]) for r in read_csv(out)}
    assert rows["a5"] == ("write", "poem")
    assert rows["a6"] == ("try", "Nimbus")  # a proper-noun object
    assert "rule full, field output" in capsys.readouterr().out


def test_verbs_cli_reads_a_csv_of_other_columns_through_map(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("WORKBENCH_HOME", str(tmp_path / "home"))
    path = tmp_path / "qa.csv"
    path.write_text("qid,question,reply\nq1,Generate a list of five healthy snacks.,Nuts.\n")
    out = tmp_path / "nested" / "qa_verbs.csv"
    args = ["verbs", str(path), "--map", "id=qid", "--map", "instruction=question"]
    assert main([*args, "--out", str(out)]) == 0
    assert [(r["id"], r["verb"], r["noun"]) for r in read_csv(out)] == [("q1", "generate", "list")]
    assert path.read_text().startswith("qid,question,reply\n")  # the input is only read


def test_verbs_cli_skips_bad_lines_and_names_them(dataset_path, tmp_path, capsys):
    broken = tmp_path / "broken.jsonl"
    lines = dataset_path.read_text(encoding="utf-8").splitlines()
    broken.write_text("\n".join([lines[0], "{not json", *lines[1:]]) + "\n", encoding="utf-8")
    out = tmp_path / "broken.csv"
    assert main(["verbs", str(broken), "--out", str(out)]) == 2
    assert "line 2" in capsys.readouterr().err
    assert main(["verbs", str(broken), "--skip-bad-lines", "--out", str(out)]) == 0
    assert len(read_csv(out)) == len(RECORDS)
    assert "skipped 1 bad line(s): 2" in capsys.readouterr().err


def test_verbs_cli_in_small_chunks_writes_the_same_csv_with_progress(
    dataset_path, tmp_path, capsys
):
    whole, chunked = tmp_path / "whole.csv", tmp_path / "chunked.csv"
    assert main(["verbs", str(dataset_path), "--out", str(whole)]) == 0
    first = capsys.readouterr().err
    assert "instructions: 100%" in first and "5/5" in first  # distinct texts
    args = ["--workers", "1", "--chunk-size", "2", "--rule", "paper"]
    assert main(["verbs", str(dataset_path), "--out", str(chunked), *args]) == 0
    assert read_csv(chunked) == read_csv(whole)


@pytest.mark.parametrize("option", ["--workers", "--chunk-size"])
def test_verbs_cli_rejects_fewer_than_one_worker_or_text_per_chunk(
    dataset_path, tmp_path, capsys, option
):
    code = main(["verbs", str(dataset_path), "--out", str(tmp_path / "o.csv"), option, "0"])
    assert code == 2
    assert "must be at least 1" in capsys.readouterr().err


def test_verbs_cli_reports_a_missing_file(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("WORKBENCH_HOME", str(tmp_path))
    code = main(["verbs", str(tmp_path / "none.jsonl"), "--out", str(tmp_path / "o.csv")])
    assert code == 2
    assert "error:" in capsys.readouterr().err
    assert not (tmp_path / "o.csv").exists()


@pytest.mark.slow
def test_verbs_cli_runs_as_a_module_on_a_bundled_dataset(tmp_path):
    out = tmp_path / "seed.csv"
    result = subprocess.run(
        [sys.executable, "-m", "analysis", "verbs", "seed_tasks", "--out", str(out)],
        cwd=REPO_ROOT,
        env={"WORKBENCH_HOME": str(tmp_path / "home"), "PATH": ""},
        capture_output=True,
        text=True,
        check=True,
    )
    rows = read_csv(out)
    assert len(rows) == 175
    assert rows[0]["id"].startswith("seed_task_0")
    assert "top 20 verbs with their top 4 nouns" in result.stdout
    progress = re.split(r"[\r\n]+", result.stderr.strip())  # nothing but the progress bar
    assert all(line.startswith("instructions: ") for line in progress)
    assert progress[-1].startswith("instructions: 100%") and "175/175" in progress[-1]
