"""Hostile input through every analysis command: a located error or a warning, never a
traceback (the CLI turns WorkbenchError into `error: ...` and exit code 2)."""

from __future__ import annotations

import json
import os

import pytest

from analysis.__main__ import main

#: file name -> its bytes, and what a person must be told (None: loads, with this warning)
HOSTILE = {
    "deep_record.jsonl": (
        b'{"instruction": "a", "x": ' + b"[" * 100_000 + b"]" * 100_000 + b"}\n",
        ("line 1: JSON nested deeper than",),
    ),
    "deep_list.json": (b"[" * 100_001 + b"]" * 100_001 + b"\n", ("JSON nested deeper than",)),
    "big_integer.jsonl": (
        b'{"instruction": "a"}\n{"instruction": "b", "n": ' + b"9" * 5000 + b"}\n",
        ("line 2: a number with more than",),
    ),
    "maybe.jsonl": (
        json.dumps(
            {
                "instruction": "a",
                "instances": [{"input": "", "output": "b"}],
                "is_classification": "maybe",
            }
        ).encode()
        + b"\n",
        ("line 1: `is_classification` must be true or false", "'maybe'"),
    ),
    "random.parquet": (os.urandom(4096), ("not a readable Parquet file",)),
    "open_quote.csv": (
        b'instruction,output\n"unterminated,x\nb,c\n',
        ("line 2: the CSV cannot be parsed",),
    ),
    "wide.csv": (
        ",".join(f"c{i}" for i in range(100_000)).encode() + b"\n" + b"1," * 99_999 + b"1\n",
        ("line 1: cannot tell the format", "(100,000 fields in all)"),
    ),
}
#: metadata that is not an object loads, kept under a key, with a warning
SCALAR_METADATA = {
    "metadata_number.jsonl": b'{"instruction": "a", "metadata": 5}\n',
    "metadata_string.jsonl": b'{"instruction": "a", "metadata": "note"}\n',
}
COMMANDS = {
    "stats": [],
    "verbs": ["--out", "{out}/verbs.csv"],
    "similarity": ["--out", "{out}/similarity.csv"],
    "dedup": ["--out", "{out}/dedup"],
    "figures": ["--out", "{out}/figures", "--formats", "csv"],
    "datasets add": ["--name", "hostile"],
}


def run(command: str, path, tmp_path) -> int:
    extra = [arg.format(out=tmp_path) for arg in COMMANDS[command]]
    return main([*command.split(), str(path), *extra])


@pytest.mark.parametrize("command", list(COMMANDS))
@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_input_is_a_located_error_for_every_command(command, name, tmp_path, capsys):
    content, told = HOSTILE[name]
    path = tmp_path / name
    path.write_bytes(content)
    assert run(command, path, tmp_path) == 2
    error = capsys.readouterr().err
    assert error.startswith(f"error: {path}") and "Traceback" not in error
    assert all(part in error for part in told), error
    assert len(error) < 2_000  # a few names and a count, never the whole header
    assert path.read_bytes() == content  # input files are only ever read


@pytest.mark.parametrize("name", list(SCALAR_METADATA))
def test_scalar_metadata_is_kept_under_a_key_with_a_warning(name, tmp_path, capsys):
    from analysis.datasets import load_dataset

    path = tmp_path / name
    path.write_bytes(SCALAR_METADATA[name])
    assert main(["stats", str(path)]) == 0
    assert "metadata` that is not an object (first on line 1)" in capsys.readouterr().err
    value = json.loads(SCALAR_METADATA[name])["metadata"]
    assert load_dataset(path).frame.loc[0, "metadata"] == {"value": value}
