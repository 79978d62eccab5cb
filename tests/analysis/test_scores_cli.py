"""`python -m analysis scores PATH [--json] [--reference-model NAME]` on judge run folders
(single, pairwise, two-score) and on GPT-4-LLM's score file."""

from __future__ import annotations

import json

import pytest

from analysis.__main__ import main
from tests.analysis.judge_fixtures import PAIRWISE, SCORE_FILE, SINGLE, TWO_SCORE

KEYS = {"n", "mean", "unparsed", "ci_low", "ci_high"}


def scores_json(capsys, *args) -> dict:
    assert main(["scores", *map(str, args), "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_scores_cli_single_run(capsys):
    result = scores_json(capsys, SINGLE, "--reference-model", "vicuna")
    assert (result["mode"], result["reference_model"]) == ("single", "vicuna")
    alpaca = result["models"]["alpaca"]
    assert set(alpaca) >= KEYS
    assert (alpaca["n"], alpaca["mean"], alpaca["unparsed"]) == (3, 7.0, 1)
    assert alpaca["ci_low"] < 7 < alpaca["ci_high"]
    assert alpaca["relative"] == pytest.approx(100 * 14 / 18)
    assert result["models"]["vicuna"]["relative"] == 100
    assert alpaca["categories"]["writing"]["n"] == 1
    assert "flips" not in result and "win" not in alpaca


def test_scores_cli_pairwise_run(capsys):
    result = scores_json(capsys, PAIRWISE)
    alpaca = result["models"]["alpaca"]
    assert set(alpaca) >= KEYS
    assert [alpaca[k] for k in ("win", "tie", "loss", "unparsed")] == [1, 2, 0, 1]
    assert alpaca["n"] == 3 and alpaca["mean"] is None
    assert alpaca["adjusted_win_rate"] == pytest.approx(2 / 3)
    assert [result["models"]["vicuna"][k] for k in ("win", "tie", "loss")] == [0, 2, 1]
    assert (result["flips"], result["comparisons"]) == (1, 3)
    assert result["flip_share"] == pytest.approx(1 / 3)
    assert result["models"]["alpaca"]["categories"]["math"]["win"] == 1


def test_scores_cli_two_score_run_uses_the_manifests_reference(capsys):
    result = scores_json(capsys, TWO_SCORE)
    assert result["reference_model"] == "gpt4"
    llama = result["models"]["llama-gpt4"]
    assert llama["mean"] == pytest.approx(22 / 3)
    assert llama["relative"] == pytest.approx(100 * 22 / 26)
    assert [llama[k] for k in ("win", "tie", "loss", "unparsed")] == [1, 0, 1, 1]
    assert result["pairs"][0]["a_wins"] == 1


def test_scores_cli_score_file(capsys):
    data = json.loads(SCORE_FILE.read_text(encoding="utf-8"))
    result = scores_json(capsys, SCORE_FILE, "--reference-model", "gpt4")
    assert list(result["models"]) == list(data)
    for model, scores in data.items():
        assert result["models"][model]["n"] == len(scores)
        assert result["models"][model]["mean"] == pytest.approx(sum(scores) / len(scores))
    expected = (
        100
        * (sum(data["text-davinci-003"]) / len(data["text-davinci-003"]))
        / (sum(data["gpt4"]) / len(data["gpt4"]))
    )
    assert result["models"]["text-davinci-003"]["relative"] == pytest.approx(expected)


def test_scores_cli_readable_table(capsys):
    assert main(["scores", str(PAIRWISE)]) == 0
    out = capsys.readouterr().out
    assert "pairwise" in out and "adjusted_win_rate" in out
    assert "flips: 1 of 3 comparisons (33%), counted as ties" in out
    assert main(["scores", str(SINGLE)]) == 0
    lines = capsys.readouterr().out.splitlines()
    [alpaca] = [line.split() for line in lines if line.strip().startswith("alpaca")]
    assert alpaca[:3] == ["alpaca", "3", "7.00"]


def test_scores_cli_errors_exit_2(capsys, tmp_path):
    assert main(["scores", str(SINGLE), "--reference-model", "gpt5"]) == 2
    assert "no model named 'gpt5'" in capsys.readouterr().err
    bad = tmp_path / "scores.json"
    bad.write_text('{"m": [1, "x"]}')
    assert main(["scores", str(bad), "--json"]) == 2
    assert f"error: {bad}, line 1: score 'x'" in capsys.readouterr().err
