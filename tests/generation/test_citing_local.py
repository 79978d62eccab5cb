"""CITING for real on the embedded SmolLM2, through the command line: the categories request
(the small model's reply is kept and goes through the strict parser), then, with a rubric
table written by hand, two short rounds of student answers and teacher revisions; and the
evaluation of such a run (citing-eval) with the same model as judge."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from analysis.citing_eval import REVISED, STUDENTS
from analysis.datasets import load_dataset
from analysis.figures.export import find_browser
from generation import local_llm
from generation.__main__ import main
from generation.citing import records as rec
from generation.citing import run_folder as rf
from generation.citing.lora import MODEL_FOLDER, REPORT_FILE
from generation.citing.rubrics import read_rubrics, write_rubrics
from generation.citing.split import TEST, TRAIN, split_ids
from generation.citing.steps import Category

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


def test_citing_local_evaluation_on_the_embedded_model(tmp_path, capsys):
    """Teacher, student and judge the embedded model: two rounds without fine-tuning, then
    citing-eval on two test instructions, short replies (the small judge's verdicts may not
    parse: they are counted as unparsed, never as a number)."""
    out = tmp_path / "citing"
    out.mkdir()
    frame = load_dataset(SOURCE).frame.set_index("id")
    split = split_ids(frame.index.tolist(), 0)
    rubric = Category(
        "tasks",
        "everyday tasks",
        ("Answers the question.",),
        tuple(frame.loc[split[TRAIN][:1], "instruction"]),
    )
    write_rubrics(out / rf.RUBRICS_FILE, [rubric])
    assert main([
        "citing", "--train", SOURCE, "--out", str(out), "--rounds", "2", "--limit", "1",
        "--student-max-tokens", "24", "--revision-max-tokens", "48",
    ]) == 0  # fmt: skip
    assert main(["citing-eval", "--run", str(out), "--test-limit", "2", "--max-tokens", "32"]) == 0
    for number in (1, 2):
        answers = load_dataset(str(rf.answers_file(out, number))).frame
        assert answers["id"].tolist() == split[TEST][:2]
    table = pd.read_csv(rf.eval_dir(out) / rf.WIN_RATES_FILE)
    revised_rounds = [n for n in (1, 2) if rec.read_round(out, n)[0]["outcome"] == rec.REVISED]
    assert sorted(table.loc[table["comparison"] == REVISED, "round"]) == revised_rounds
    students = table[table["comparison"] == STUDENTS]
    assert students["round"].tolist() == [2]
    for row in table.itertuples():
        questions = 2 if row.comparison == STUDENTS else 1
        assert row.wins + row.ties + row.losses + row.unparsed == questions
        assert row.decided == row.wins + row.ties + row.losses
        assert (row.win_rate == row.win_rate) == (row.decided > 0)  # NaN when none decided
    judged = rf.students_dir(out, 2) / "judgments.jsonl"
    rows = [json.loads(line) for line in judged.read_text().splitlines()]
    assert len(rows) == 4 and all(row["raw"] for row in rows)
    if find_browser():
        for suffix in (".png", ".pdf"):
            assert (rf.eval_dir(out) / f"{rf.WIN_RATE_FIGURE}{suffix}").stat().st_size > 0


def test_citing_local_student_learns_from_the_embedded_teacher(tmp_path):
    """The issue's run: the embedded model as teacher and student, two rounds on two
    instructions, a real LoRA step between them (citing-finetune: 4 steps on round 1's kept
    revisions, its answer-token loss falls), and round 2 answered by the adapted student
    through its own server. The small teacher loops on its rationale until the length limit;
    its first revision and rationale are kept (the parser's rule for a cut reply)."""
    for package in ("peft", "gguf", "transformers"):
        pytest.importorskip(package)
    out = tmp_path / "citing"
    out.mkdir()
    frame = load_dataset(SOURCE).frame.set_index("id")
    train = split_ids(frame.index.tolist(), 0)[TRAIN]
    rubric = Category(
        "tasks",
        "everyday tasks and questions",
        ("Answers the question directly.", "Is correct and complete."),
        tuple(frame.loc[train[:6], "instruction"]),
    )
    write_rubrics(out / rf.RUBRICS_FILE, [rubric])
    finetune = "python -m generation citing-finetune --steps 4 --learning-rate 1e-3"
    assert main([
        "citing", "--train", SOURCE, "--out", str(out), "--rounds", "2", "--limit", "2",
        "--student-max-tokens", "48", "--revision-max-tokens", "160",
        "--finetune-command", finetune,
    ]) == 0  # fmt: skip
    first = rec.read_round(out, 1)
    kept = [r for r in first if r["outcome"] == rec.REVISED]
    assert kept and all(r["revision"] and r["rationale"] for r in kept)
    report = json.loads((rf.round_dir(out, 1) / MODEL_FOLDER / REPORT_FILE).read_text())
    assert len(report["step_losses"]) == 4
    assert report["loss_after"] < report["loss_before"]
    served = json.loads((rf.round_dir(out, 1) / rf.NEXT_STUDENT_FILE).read_text())
    student = json.loads((rf.round_dir(out, 2) / rf.STUDENT_FILE).read_text())
    assert student["model"] == served["model"] != local_llm.LOCAL_MODEL_NAME
    second = rec.read_round(out, 2)
    assert len(second) == 2 and all(r["student_model"] == served["model"] for r in second)
    assert any(r["student_answer"] for r in second)
