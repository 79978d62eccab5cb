"""Reading judge run folders and GPT-4-LLM score files: the verdict table, and errors that
name the file, the line and what is wrong."""

from __future__ import annotations

import json
import os

import pytest

from analysis.errors import DataLoadError
from analysis.judge_runs import RUN_FOLDER, SCORE_FILE, read_scores, run_folders
from analysis.scores import score_rows, score_summary
from tests.analysis import judge_fixtures
from tests.analysis.judge_fixtures import PAIRWISE, SINGLE, TWO_SCORE, verdict, write_run

SCORE_FILE_PATH = judge_fixtures.SCORE_FILE


def test_scores_reading_run_folders_follow_the_contract():
    single = read_scores(SINGLE)
    assert (single.kind, single.mode, len(single.verdicts)) == (RUN_FOLDER, "single", 8)
    assert single.models == ["alpaca", "vicuna"]
    assert single.categories == ["math", "writing"]
    assert single.judge_model == "gpt-4-0613"
    assert single.fingerprints == {"alpaca": "fp-alpaca", "vicuna": "fp-vicuna"}
    unparsed = single.verdicts[~single.verdicts["parsed"]]
    assert len(unparsed) == 2 and unparsed["score_a"].isna().all()  # never a number
    failed = unparsed[unparsed["failure"].notna()]
    assert failed["raw"].isna().all() and failed["line"].tolist() == [8]
    assert read_scores(PAIRWISE).verdicts["winner"].tolist()[:4] == [
        "alpaca",
        "alpaca",
        "vicuna",
        "alpaca",
    ]
    two = read_scores(TWO_SCORE / "judgments.jsonl")  # the file names its folder
    assert (two.mode, two.reference_model) == ("two-score", "gpt4")
    assert two.verdicts.loc[1, ["model_a", "score_a", "score_b"]].tolist() == ["gpt4", 8.0, 8.0]


def test_scores_reading_gpt4_llm_file_matches_a_direct_computation():
    """The real cmp_data_scores.json: per model n and mean as computed from the file itself."""
    data = json.loads(SCORE_FILE_PATH.read_text(encoding="utf-8"))
    run = read_scores(SCORE_FILE_PATH)
    assert (run.kind, run.mode, run.models) == (SCORE_FILE, "single", list(data))
    summary = score_summary(score_rows(run)).set_index("model")
    for model, scores in data.items():
        assert summary.loc[model, "n"] == len(scores)
        assert summary.loc[model, "mean"] == pytest.approx(sum(scores) / len(scores), rel=1e-12)
        assert summary.loc[model, "unparsed"] == 0
    assert summary.loc["gpt4", "n"] == 51445  # the three lists differ in length, as published


def test_scores_reading_score_file_null_is_unparsed(tmp_path):
    path = tmp_path / "scores.json"
    path.write_text(json.dumps({"a": [8, None, 9.5], "b": [0, 10]}))
    summary = score_summary(score_rows(read_scores(path))).set_index("model")
    assert summary.loc["a", ["n", "mean", "unparsed"]].tolist() == [2, 8.75, 1]
    assert summary.loc["b", ["n", "mean", "unparsed"]].tolist() == [2, 5.0, 0]


def test_scores_reading_a_cut_off_last_line_is_left_out_with_a_warning(tmp_path):
    folder = write_run(tmp_path / "run", [verdict("q1", ["m"], scores=[7])])
    with (folder / "judgments.jsonl").open("a") as handle:
        handle.write('{"question_id": "q2", "mo')  # a run killed mid-write
    run = read_scores(folder)
    assert len(run.verdicts) == 1
    [warning] = run.warnings
    assert warning.startswith(str(folder / "judgments.jsonl")) and "line 2" in warning


def test_scores_reading_run_folders_lists_judge_runs_newest_first(tmp_path):
    old = write_run(tmp_path / "old", [verdict("q1", ["m"], scores=[7])])
    new = write_run(tmp_path / "new", [verdict("q1", ["m"], scores=[7])])
    (tmp_path / "self_instruct_run").mkdir()
    old_time = (new / "judgments.jsonl").stat().st_mtime - 60
    os.utime(old / "judgments.jsonl", (old_time, old_time))
    assert run_folders(tmp_path) == [new, old]


GOOD = verdict("q1", ["a", "b"], winner="a")
BAD_LINES = {
    "invalid JSON": ('{"question_id": "q2",, }', "line 2, column 22: invalid JSON"),
    "not an object": ("[1, 2]", "expected a JSON object (a judge verdict), found a JSON list"),
    "missing fields": (
        json.dumps({"question_id": "q2", "mode": "pairwise"}),
        "missing field(s) models, order, parsed, scores, winner",
    ),
    "unknown mode": (
        json.dumps(verdict("q2", ["a", "b"], mode="rank", winner="a")),
        "`mode` must be one of 'single', 'pairwise', 'two-score', found \"rank\"",
    ),
    "one model in pairwise": (
        json.dumps(verdict("q2", ["a"], mode="pairwise", winner="a")),
        "`models` must be a list of 2 different model name(s) in pairwise mode",
    ),
    "parsed not a boolean": (
        json.dumps(verdict("q2", ["a", "b"], parsed="yes", winner="a")),
        '`parsed` must be true or false, found "yes"',
    ),
    "unparsed with a winner": (
        json.dumps(verdict("q2", ["a", "b"], parsed=False, winner="a")),
        "an unparsed verdict (parsed is false) carries a winner",
    ),
    "parsed without a winner": (
        json.dumps(verdict("q2", ["a", "b"], winner=None)),
        "a parsed pairwise verdict has no winner",
    ),
    "winner not judged": (
        json.dumps(verdict("q2", ["a", "b"], winner="c")),
        "winner 'c' is neither one of the judged models (a, b) nor 'tie'",
    ),
    "scores in pairwise": (
        json.dumps(verdict("q2", ["a", "b"], winner="a", scores=[1, 2])),
        "`scores` must be null in a pairwise verdict",
    ),
    "a second verdict": (
        json.dumps(verdict("q1", ["a", "b"], winner="b")),
        "a second verdict for question 'q1', models ['a', 'b'], order 'original'; the first is "
        "on line 1",
    ),
    "another mode": (
        json.dumps(verdict("q2", ["a"], scores=[5])),
        "mode 'single' differs from the run's mode 'pairwise' (line 1)",
    ),
}


@pytest.mark.parametrize("case", list(BAD_LINES))
def test_scores_reading_bad_verdict_names_file_line_and_problem(tmp_path, case):
    line, expected = BAD_LINES[case]
    folder = write_run(tmp_path / "run", [GOOD])
    path = folder / "judgments.jsonl"
    path.write_text(path.read_text() + line + "\n" + json.dumps(GOOD | {"question_id": "q9"}))
    with pytest.raises(DataLoadError) as caught:
        read_scores(folder)
    assert caught.value.path == str(path)
    assert caught.value.line == 2
    assert expected in str(caught.value)
    assert str(caught.value).startswith(f"{path}, line 2")


def test_scores_reading_single_verdict_scores_checked(tmp_path):
    folder = write_run(tmp_path / "run", [verdict("q1", ["m"], scores=[7, 8])])
    with pytest.raises(DataLoadError, match="line 1: `scores` must be null or a list of 1"):
        read_scores(folder)
    write_run(folder, [verdict("q1", ["m"], parsed=True, scores=[None])])
    with pytest.raises(DataLoadError, match="a parsed single verdict has no score"):
        read_scores(folder)


def test_scores_reading_manifest_mode_must_match(tmp_path):
    folder = write_run(tmp_path / "run", [verdict("q1", ["m"], scores=[7])], {"mode": "pairwise"})
    with pytest.raises(
        DataLoadError,
        match=r"line 1: mode 'single' differs from the run's mode "
        r"'pairwise' \(manifest.json\)",
    ):
        read_scores(folder)


def test_scores_reading_score_file_errors_name_the_line(tmp_path):
    path = tmp_path / "cmp_data_scores.json"
    path.write_text(json.dumps({"gpt4": [9.0, 8.0], "alpaca": [7.0, "8", 6.0]}, indent=2))
    with pytest.raises(DataLoadError) as caught:
        read_scores(path)
    assert caught.value.line == 8  # {, "gpt4": [, 9.0, 8.0, ], "alpaca": [, 7.0, "8"
    assert "score '8' (number 2 of model 'alpaca'): expected a number from 0.0 to 10.0" in str(
        caught.value
    )
    path.write_text('{"gpt4": [9.0, 11], "x": []}')
    with pytest.raises(DataLoadError, match="line 1: score 11 .number 2 of model 'gpt4'"):
        read_scores(path)
    path.write_text('{\n "gpt4": [9.0],\n "x": {"a": 1}\n}')
    with pytest.raises(DataLoadError, match="line 3: `x` must be a list of scores"):
        read_scores(path)
    path.write_text("[9, 8]")
    with pytest.raises(DataLoadError, match="line 1: expected a JSON object mapping each model"):
        read_scores(path)
    path.write_text("")
    with pytest.raises(DataLoadError, match="the file is empty"):
        read_scores(path)


def test_scores_reading_what_is_neither(tmp_path):
    with pytest.raises(DataLoadError, match="no file or folder at this path"):
        read_scores(tmp_path / "missing")
    with pytest.raises(DataLoadError, match="not a judge run folder or score file: the folder has"):
        read_scores(tmp_path)
    (tmp_path / "notes.txt").write_text("x")
    with pytest.raises(DataLoadError, match="not a judge run folder or score file: a .txt file"):
        read_scores(tmp_path / "notes.txt")


def test_scores_reading_never_writes(tmp_path):
    folder = write_run(tmp_path / "run", [verdict("q1", ["m"], scores=[7])])
    before = {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}
    read_scores(folder)
    assert {p.name: p.stat().st_mtime_ns for p in folder.iterdir()} == before
