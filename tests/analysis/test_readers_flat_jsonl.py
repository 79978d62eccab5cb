"""The columnar JSONL fast path builds exactly the frame the record-by-record path builds."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from analysis import readers
from analysis.readers import ReadOptions, read_file

FILES = {
    "flat": [
        {"id": "a", "instruction": "Write a poem.", "input": "", "output": "Roses"},
        {"id": "b", "instruction": "Sum 2 and 3. 请", "input": "2, 3", "output": "5"},
    ],
    "missing ids, inputs and outputs": [
        {"instruction": "One"},
        {"id": "x", "instruction": "Two", "output": None},
        {"instruction": "Three", "input": None},
    ],
    "no ids at all": [{"instruction": "One", "output": "1"}, {"instruction": "Two"}],
    "an extra field": [{"id": "a", "instruction": "One", "source": "web", "lang": "en"}],
    "a number id": [{"id": 7, "instruction": "One"}, {"id": "8", "instruction": "Two"}],
    "predictions": [{"instruction": "One", "response": "r", "input": ""}],
    "nested": [{"instruction": "One", "metadata": {"k": [1, 2]}}],
}


def write(path: Path, records: list[dict], blank_lines: bool = False) -> Path:
    lines = [json.dumps(record, ensure_ascii=False) for record in records]
    path.write_text(("\n\n" if blank_lines else "\n").join(lines) + "\n", encoding="utf-8")
    return path


def read_both(path: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    monkeypatch.setenv("WORKBENCH_CACHE", str(tmp_path / "fast-cache"))
    fast = read_file(path, ReadOptions(), "d")
    monkeypatch.setenv("WORKBENCH_CACHE", str(tmp_path / "slow-cache"))
    with monkeypatch.context() as record_path_only:
        record_path_only.setattr(readers, "_read_flat_jsonl", lambda *args: None)
        slow = read_file(path, ReadOptions(), "d")
    return fast, slow


@pytest.mark.parametrize("name", FILES)
@pytest.mark.parametrize("blank_lines", [False, True])
def test_flat_jsonl_fast_path_frame_equals_record_path(
    name: str, blank_lines: bool, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = write(tmp_path / "data.jsonl", FILES[name], blank_lines)
    fast, slow = read_both(path, monkeypatch, tmp_path)
    pd.testing.assert_frame_equal(fast.frame, slow.frame)
    assert (fast.fingerprint, fast.format, fast.warnings) == (
        slow.fingerprint,
        slow.format,
        slow.warnings,
    )
    # and again from each parse cache
    again, _ = read_both(path, monkeypatch, tmp_path)
    pd.testing.assert_frame_equal(again.frame, slow.frame)


def test_flat_jsonl_fast_path_takes_only_flat_string_records(tmp_path: Path) -> None:
    taken = {
        name: readers._read_flat_jsonl(write(tmp_path / f"{n}.jsonl", records), ReadOptions())
        is not None
        for n, (name, records) in enumerate(FILES.items())
    }
    assert taken == {
        "flat": True,
        "missing ids, inputs and outputs": True,
        "no ids at all": True,
        "an extra field": False,
        "a number id": False,
        "predictions": False,
        "nested": False,
    }


def test_flat_jsonl_with_something_to_report_takes_the_record_path(tmp_path: Path) -> None:
    duplicate = write(tmp_path / "dup.jsonl", [{"id": "a", "instruction": "x"}] * 2)
    assert readers._read_flat_jsonl(duplicate, ReadOptions()) is None
    no_instruction = write(tmp_path / "none.jsonl", [{"instruction": "x"}, {"input": "y"}])
    assert readers._read_flat_jsonl(no_instruction, ReadOptions()) is None
    deep = tmp_path / "deep.jsonl"
    deep.write_text('{"instruction": "x", "m": ' + "[" * 1_500 + "]" * 1_500 + "}\n")
    assert not readers._shallow(deep)
    assert readers._read_flat_jsonl(deep, ReadOptions()) is None
    flat = write(tmp_path / "flat.jsonl", FILES["flat"])
    assert readers._read_flat_jsonl(flat, ReadOptions(mapping=(("output", "input"),))) is None
    assert readers._read_flat_jsonl(flat, ReadOptions(format="predictions")) is None


def test_flat_jsonl_fields_first_seen_in_a_later_block(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The file is read block by block against the four fields: an input that first appears
    after the first block is still read, and a field of another name there is the record
    path's to report."""
    monkeypatch.setattr(readers, "_JSON_BLOCK", 4096)
    early = [{"id": str(n), "instruction": f"Instruction {n}." * 5} for n in range(200)]
    late_input = write(tmp_path / "late.jsonl", early + [{"instruction": "Add.", "input": "1, 2"}])
    fast, slow = read_both(late_input, monkeypatch, tmp_path)
    pd.testing.assert_frame_equal(fast.frame, slow.frame)
    assert fast.frame["input"].iloc[-1] == "1, 2"
    assert readers._read_flat_jsonl(late_input, ReadOptions()) is not None
    late_field = write(tmp_path / "field.jsonl", early + [{"instruction": "Add.", "source": "x"}])
    assert readers._read_flat_jsonl(late_field, ReadOptions()) is None
    late_number = write(tmp_path / "number.jsonl", early + [{"instruction": "Add.", "output": 3}])
    assert readers._read_flat_jsonl(late_number, ReadOptions()) is None
