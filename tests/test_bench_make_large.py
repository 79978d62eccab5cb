"""bench/make_large.py: same rows and seed, same bytes; planted rows are near-duplicates."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

from analysis import rouge
from analysis.paths import REPO_ROOT

SCRIPT = REPO_ROOT / "bench" / "make_large.py"


def make(out: Path, rows: int, seed: int) -> tuple[bytes, list[dict[str, str]]]:
    command = [sys.executable, str(SCRIPT), "--rows", str(rows), "--out", str(out)]
    subprocess.run([*command, "--seed", str(seed)], check=True, capture_output=True)
    with Path(f"{out}.planted.csv").open(encoding="utf-8", newline="") as handle:
        return out.read_bytes(), list(csv.DictReader(handle))


def test_make_large_is_deterministic_and_plants_near_duplicates(tmp_path: Path) -> None:
    first, planted = make(tmp_path / "a.jsonl", 3_000, seed=1)
    again, planted_again = make(tmp_path / "b.jsonl", 3_000, seed=1)
    other, _ = make(tmp_path / "c.jsonl", 3_000, seed=2)
    assert first == again and planted == planted_again
    assert first != other
    records = [json.loads(line) for line in first.decode("utf-8").splitlines()]
    assert len(records) == 3_000
    assert {"id", "instruction", "input", "output"} <= set(records[0])
    assert 350 < len(first) / len(records) < 650  # ~450 MB for a million rows
    by_id = {record["id"]: record["instruction"] for record in records}
    assert 40 < len(planted) < 150  # about 3%
    for row in planted:
        score = rouge.rouge_l(by_id[row["source_id"]], by_id[row["id"]])
        assert score > 0.7
        assert int(row["source_id"].split("-")[1]) < int(row["id"].split("-")[1])
    assert len(set(by_id.values())) > 0.95 * len(records)  # varied rows


def test_make_large_refuses_to_write_into_the_repository() -> None:
    command = [sys.executable, str(SCRIPT), "--rows", "10", "--out", str(REPO_ROOT / "x.jsonl")]
    result = subprocess.run(command, capture_output=True, text=True)
    assert result.returncode != 0 and "outside the repository" in result.stderr
    assert not (REPO_ROOT / "x.jsonl").exists()
