"""CITING for real on the embedded SmolLM2, through the command line: the categories request
(the small model's reply is kept and goes through the strict parser), then, with a rubric
table written by hand, two short rounds of student answers and teacher revisions."""

from __future__ import annotations

import json

import pytest

from analysis.datasets import load_dataset
from generation import local_llm
from generation.__main__ import main
from generation.citing import records as rec
from generation.citing import run_folder as rf
from generation.citing.rubrics import read_rubrics
from generation.citing.split import TRAIN, split_ids

pytestmark = pytest.mark.slow

SOURCE = "seed_tasks"


@pytest.fixture(autouse=True)
def needs_the_embedded_model():
    reason = local_llm.unavailable_reason()
    if reason:
        pytest.skip(reason)


def test_citing_local_run_on_the_embedded_model(tmp_path, capsys):
    out = tmp_path / "citing"
    command = [
        "citing", "--train", SOURCE, "--out", str(out), "--rounds", "2", "--limit", "1",
        "--category-sample", "3", "--categories", "2", "--categories-max-tokens", "64",
        "--student-max-tokens", "24", "--revision-max-tokens", "40",
    ]  # fmt: skip
    status = main(command)
    reply = json.loads((out / rf.CATEGORIES_REPLY_FILE).read_text())
    assert reply["reply"] and reply["finish_reason"] in {"stop", "length"}
    if status != 0:  # the small model's reply was refused, as it should be when unreadable
        assert "categories reply could not be read" in capsys.readouterr().err
        assert not (out / rf.RUBRICS_FILE).exists()
        frame = load_dataset(SOURCE).frame.set_index("id")
        train = split_ids(frame.index.tolist(), 0)[TRAIN]
        (out / rf.RUBRICS_FILE).write_text(
            json.dumps(
                {
                    "category": "tasks",
                    "description": "everyday tasks",
                    "criteria": ["Answers the question.", "Is short."],
                    "members": frame.loc[train[:1], "instruction"].tolist(),
                }
            )
            + "\n"
        )
        assert main(command) == 0
    assert read_rubrics(out / rf.RUBRICS_FILE)
    manifest = json.loads((out / rf.MANIFEST_FILE).read_text())
    assert set(manifest["rounds"]) == {"1", "2"}
    assert manifest["teacher"]["endpoint"] == "embedded llama.cpp"
    assert manifest["usage"]["total"]["completion_tokens"] > 0
    for number in (1, 2):
        records = rec.read_round(out, number)
        assert len(records) == 1
        answered = [r for r in records if r["student_answer"]]
        assert answered and all(r["student_finish_reason"] for r in answered)
        assert all(r["outcome"] in rec.OUTCOMES for r in records)
        revised = [r for r in records if r["outcome"] == rec.REVISED]
        alpaca = json.loads((rf.round_dir(out, number) / rf.ALPACA_FILE).read_text())
        assert [a["output"] for a in alpaca] == [r["revision"] for r in revised]
