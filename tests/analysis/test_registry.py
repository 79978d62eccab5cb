"""Registry: bundled manifest, user datasets copied into the workspace, bad uploads refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from analysis import registry
from analysis.datasets import load_dataset
from analysis.errors import DataLoadError, WorkbenchError


def test_registry_manifest_rows_match_files():
    for info in registry.bundled():
        assert info.location.exists(), info.path
        assert len(load_dataset(info.name)) == info.rows, info.name
        assert info.source and info.licence and info.description


def test_registry_predictions_carry_model_from_manifest():
    frame = load_dataset("predictions/text-davinci-003").frame
    assert set(frame["model"]) == {"text-davinci-003"}
    assert frame["reference"].notna().all()


def test_registry_add_user_dataset_copies_into_workspace(tmp_path, isolated_workspace):
    source = tmp_path / "mine.jsonl"
    source.write_text(json.dumps({"instruction": "Say hi.", "output": "hi"}) + "\n")
    info = registry.add_user_dataset("mine", path=source)
    assert info.rows == 1 and info.kind == "user"
    assert str(isolated_workspace) in info.path and info.path != str(source)
    assert [d.name for d in registry.user_datasets()] == ["mine"]
    assert load_dataset("mine").frame["instruction"].tolist() == ["Say hi."]
    registry.remove_user_dataset("mine")
    assert registry.user_datasets() == []


def test_registry_bad_upload_is_not_registered(isolated_workspace):
    registry.add_user_dataset("good", data=b'{"instruction": "a"}\n', filename="good.jsonl")
    with pytest.raises(DataLoadError, match=r"bad\.jsonl, line 1"):
        registry.add_user_dataset("bad", data=b"{oops\n", filename="bad.jsonl")
    assert [d.name for d in registry.user_datasets()] == ["good"]
    assert not any("bad" in p.name for p in (isolated_workspace / "datasets").iterdir())


def test_registry_upload_size_limit(monkeypatch):
    monkeypatch.setattr(registry, "UPLOAD_LIMIT_MB", 0)
    with pytest.raises(WorkbenchError, match="over the 0 MB upload limit"):
        registry.add_user_dataset("big", data=b'{"instruction": "a"}\n', filename="big.jsonl")


def test_registry_unknown_name():
    with pytest.raises(
        WorkbenchError, match="no dataset named 'nope'; registered datasets: seed_tasks"
    ):
        registry.remove_user_dataset("nope")
    assert registry.lookup("nope") is None


HUB_ROWS = [{"instruction": "Name a prime.", "input": "", "output": "7"}] * 2 + [
    {"instruction": "Write a haiku.", "input": "", "output": "..."}
]


def test_registry_hub_dataset_is_registered_by_id_and_loads_again(serve_hub, isolated_workspace):
    serve_hub("tatsu-lab/alpaca", HUB_ROWS)
    info = registry.add_hub_dataset("tatsu-lab/alpaca", "alpaca")
    assert (info.name, info.path, info.kind, info.rows) == ("alpaca", "tatsu-lab/alpaca", "hub", 3)
    # A restarted app reads the index again and loads the data through the datasets library.
    [entry] = registry.user_datasets()
    assert entry == info
    dataset = load_dataset("alpaca")
    assert dataset.name == "alpaca"
    assert dataset.frame["instruction"].tolist() == [row["instruction"] for row in HUB_ROWS]
    registry.remove_user_dataset("alpaca")
    assert registry.user_datasets() == []


def test_registry_unreachable_hub_id_is_not_registered(serve_hub, isolated_workspace):
    registry.add_user_dataset("good", data=b'{"instruction": "a"}\n', filename="good.jsonl")
    index = (isolated_workspace / "datasets" / "index.json").read_bytes()
    serve_hub("tatsu-lab/alpaca", HUB_ROWS)
    with pytest.raises(DataLoadError, match="Hugging Face hub"):
        registry.add_hub_dataset("someone/missing", "missing")
    assert (isolated_workspace / "datasets" / "index.json").read_bytes() == index


def test_registry_one_file_under_two_names_survives_removing_one(tmp_path):
    source = tmp_path / "mine.jsonl"
    source.write_text(json.dumps({"instruction": "Say hi."}) + "\n")
    first = registry.add_user_dataset("first", path=source)
    second = registry.add_user_dataset("second", path=source)
    assert first.path == second.path  # one stored copy...
    registry.remove_user_dataset("first")
    assert load_dataset("second").frame["instruction"].tolist() == ["Say hi."]  # ...still there
    registry.remove_user_dataset("second")
    assert not Path(second.path).exists()


def test_registry_name_taken_needs_replace_and_bundled_names_are_kept(tmp_path):
    source = tmp_path / "mine.jsonl"
    source.write_text(json.dumps({"instruction": "one"}) + "\n")
    old = registry.add_user_dataset("mine", path=source)
    source.write_text(json.dumps({"instruction": "two"}) + "\n")
    with pytest.raises(WorkbenchError, match="registered already"):
        registry.add_user_dataset("mine", path=source)
    new = registry.add_user_dataset("mine", path=source, replace=True)
    assert load_dataset("mine").frame["instruction"].tolist() == ["two"]
    assert not Path(old.path).exists() and Path(new.path).exists()
    with pytest.raises(WorkbenchError, match="bundled dataset"):
        registry.add_user_dataset("seed_tasks", path=source, replace=True)
    with pytest.raises(WorkbenchError, match="bundled dataset"):
        registry.remove_user_dataset("seed_tasks")


def test_registry_upload_with_a_very_long_name_is_stored(isolated_workspace):
    filename = "x" * 300 + ".jsonl"
    info = registry.add_user_dataset(filename, data=b'{"instruction": "a"}\n', filename=filename)
    assert Path(info.path).exists() and len(Path(info.path).name) <= 100
    assert load_dataset(filename).frame["instruction"].tolist() == ["a"]
