"""Score statistics against hand-computed values and scipy: means and t-intervals, relative
scores (GPT-4-LLM's 606 / 726.5), pairwise aggregation (agree, flip -> tie, unparsed is not a
tie), win / tie / loss and the adjusted win rate."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis.errors import WorkbenchError
from analysis.judge_runs import read_scores
from analysis.scores import (
    flip_summary,
    mean_interval,
    pair_outcomes,
    pair_table,
    relative_scores,
    score_frequencies,
    score_rows,
    score_summary,
    win_tie_loss,
)
from tests.analysis.judge_fixtures import (
    PAIRWISE,
    SCORE_FILE,
    SINGLE,
    TWO_SCORE,
    pairwise_rows,
    verdict,
    write_run,
)

#: t quantiles for 95%, from a table: df = 1 and df = 2.
T_1, T_2 = 12.7062047, 4.3026527


def scipy_interval(values):
    values = np.asarray(values, dtype=float)
    return stats.t.interval(0.95, df=len(values) - 1, loc=values.mean(), scale=stats.sem(values))


def test_scores_statistics_single_run_means_and_t_intervals():
    summary = score_summary(score_rows(read_scores(SINGLE))).set_index("model")
    alpaca, vicuna = summary.loc["alpaca"], summary.loc["vicuna"]
    # alpaca: 8, 6, unparsed, 7 -> mean 7, sd 1; vicuna: 9, 9, 10, failed -> sd sqrt(1/3)
    assert alpaca[["n", "unparsed"]].tolist() == [3, 1]
    assert alpaca["mean"] == 7
    half = T_2 * 1 / np.sqrt(3)
    assert (alpaca["ci_low"], alpaca["ci_high"]) == pytest.approx((7 - half, 7 + half), abs=1e-6)
    assert (alpaca["ci_low"], alpaca["ci_high"]) == pytest.approx(scipy_interval([8, 6, 7]))
    assert vicuna[["n", "unparsed"]].tolist() == [3, 1]
    assert vicuna["mean"] == pytest.approx(28 / 3)
    half = T_2 * np.sqrt(1 / 3) / np.sqrt(3)
    assert (vicuna["ci_low"], vicuna["ci_high"]) == pytest.approx(
        (28 / 3 - half, 28 / 3 + half), abs=1e-6
    )


def test_scores_statistics_per_category():
    table = score_summary(score_rows(read_scores(SINGLE)), ("model", "category"))
    table = table.set_index(["model", "category"])
    math_ = table.loc[("alpaca", "math")]  # 8 and 7
    assert (math_["n"], math_["mean"], math_["unparsed"]) == (2, 7.5, 0)
    assert math_["ci_high"] == pytest.approx(7.5 + T_1 * 0.5, abs=1e-5)
    writing = table.loc[("alpaca", "writing")]  # 6 and an unparsed verdict
    assert (writing["n"], writing["mean"], writing["unparsed"]) == (1, 6, 1)
    assert pd.isna(writing["ci_low"]) and pd.isna(writing["ci_high"])  # one score: no interval
    assert table.loc[("vicuna", "math"), ["n", "unparsed"]].tolist() == [1, 1]


def test_scores_statistics_mean_interval_edges():
    assert mean_interval([]) == (None, None, None)
    assert mean_interval([4.0]) == (4.0, None, None)
    assert mean_interval([9, 9, 9]) == (9.0, 9.0, 9.0)


def test_scores_statistics_gpt4_llm_intervals_match_scipy():
    data = json.loads(SCORE_FILE.read_text(encoding="utf-8"))
    summary = score_summary(score_rows(read_scores(SCORE_FILE))).set_index("model")
    for model, scores in data.items():
        low, high = scipy_interval(scores)
        assert summary.loc[model, "ci_low"] == pytest.approx(low, rel=1e-9)
        assert summary.loc[model, "ci_high"] == pytest.approx(high, rel=1e-9)


def test_scores_statistics_relative_score_606_of_726_5(tmp_path):
    """GPT-4-LLM Fig. 4: a model totalling 606 against GPT-4's 726.5 over 80 questions, each
    question's score the mean of the two orders, is at 83%."""
    model_scores = [(7, 8)] * 76 + [(9, 9)] * 4  # per-question means: 76 x 7.5 + 4 x 9 = 606
    reference_scores = [(9, 9)] * 73 + [(10, 10)] * 6 + [(9, 10)]  # 657 + 60 + 9.5 = 726.5
    rows = []
    for number, (own, theirs) in enumerate(zip(model_scores, reference_scores, strict=True)):
        question = f"q{number}"
        rows.append(
            verdict(question, ["llama", "gpt4"], mode="two-score", scores=[own[0], theirs[0]])
        )
        rows.append(
            verdict(
                question, ["gpt4", "llama"], "swapped", mode="two-score", scores=[theirs[1], own[1]]
            )
        )
    run = read_scores(write_run(tmp_path / "run", rows))
    [row] = relative_scores(score_rows(run), "gpt4").to_dict("records")
    assert (row["model"], row["questions"]) == ("llama", 80)
    assert (row["total"], row["reference_total"]) == (606, 726.5)
    assert row["relative"] == pytest.approx(100 * 606 / 726.5)
    assert round(row["relative"]) == 83


def test_scores_statistics_relative_over_shared_questions_only():
    relative = relative_scores(score_rows(read_scores(SINGLE)), "vicuna")
    [row] = relative.to_dict("records")
    # q3 (alpaca unparsed) and q4 (vicuna failed) are left out: 8 + 6 against 9 + 9
    assert (row["questions"], row["total"], row["reference_total"]) == (2, 14, 18)
    assert row["relative"] == pytest.approx(100 * 14 / 18)
    with pytest.raises(WorkbenchError, match="no model named 'gpt5'.*alpaca, vicuna"):
        relative_scores(score_rows(read_scores(SINGLE)), "gpt5")


def test_scores_statistics_relative_without_question_ids_is_a_ratio_of_means(tmp_path):
    path = tmp_path / "scores.json"
    path.write_text(json.dumps({"gpt4": [9, 10, 8], "small": [6, 3]}))
    [row] = relative_scores(score_rows(read_scores(path)), "gpt4").to_dict("records")
    assert row["total"] is None and row["questions"] is None
    assert row["relative"] == pytest.approx(100 * 4.5 / 9)


def test_scores_statistics_two_score_run():
    run = read_scores(TWO_SCORE)
    summary = score_summary(score_rows(run)).set_index("model")
    # llama: q1 (7 + 8) / 2, q2 (8 + 9) / 2, q3 6 (its swapped order did not parse)
    assert summary.loc["llama-gpt4", ["n", "unparsed"]].tolist() == [3, 1]
    assert summary.loc["llama-gpt4", "mean"] == pytest.approx((7.5 + 8.5 + 6) / 3)
    assert summary.loc["gpt4", "mean"] == pytest.approx((8.5 + 7.5 + 10) / 3)
    outcomes = pair_outcomes(run)
    assert outcomes["outcome"].tolist() == ["gpt4", "llama-gpt4", "unparsed"]
    assert not outcomes["flip"].any()
    [row] = relative_scores(score_rows(run), "gpt4").to_dict("records")
    assert (row["total"], row["reference_total"]) == (22, 26)


def test_scores_statistics_pairwise_agree_flip_tie_unparsed():
    outcomes = pair_outcomes(read_scores(PAIRWISE))
    # q1 both orders alpaca; q2 vicuna then alpaca (a flip); q3 tie twice; q4 one order unparsed
    assert outcomes["outcome"].tolist() == ["alpaca", "tie", "tie", "unparsed"]
    assert outcomes["flip"].tolist() == [False, True, False, False]
    assert outcomes[["model_a", "model_b"]].drop_duplicates().values.tolist() == [
        ["alpaca", "vicuna"]
    ]
    table = win_tie_loss(outcomes).set_index("model")
    assert table.loc["alpaca", ["win", "tie", "loss", "unparsed", "total", "flips"]].tolist() == [
        1,
        2,
        0,
        1,
        3,
        1,
    ]
    assert table.loc["alpaca", "adjusted_win_rate"] == pytest.approx((1 + 2 / 2) / 3)
    assert table.loc["vicuna", ["win", "tie", "loss"]].tolist() == [0, 2, 1]
    assert table.loc["vicuna", "adjusted_win_rate"] == pytest.approx(1 / 3)
    assert flip_summary(outcomes) == {"flips": 1, "comparisons": 3, "flip_share": 1 / 3}
    [pair] = pair_table(outcomes).to_dict("records")
    assert [pair[k] for k in ("a_wins", "ties", "b_wins", "unparsed", "n", "flips")] == [
        1,
        2,
        0,
        1,
        3,
        1,
    ]


def test_scores_statistics_pairwise_failed_and_missing_orders(tmp_path):
    rows = pairwise_rows({"q1": ("tie", "alpaca"), "q2": ("vicuna", None)})
    rows[3]["raw"], rows[3]["failure"] = None, "request failed: timed out"
    rows.append(verdict("q3", ["alpaca", "vicuna"], winner="alpaca"))  # its swap not judged yet
    outcomes = pair_outcomes(read_scores(write_run(tmp_path / "run", rows)))
    assert outcomes["outcome"].tolist() == ["tie", "unparsed", "incomplete"]
    table = win_tie_loss(outcomes).set_index("model")
    assert table.loc["alpaca", ["win", "tie", "loss", "unparsed", "incomplete"]].tolist() == [
        0,
        1,
        0,
        1,
        1,
    ]
    assert table.loc["alpaca", "adjusted_win_rate"] == 0.5
    assert flip_summary(outcomes) == {"flips": 1, "comparisons": 1, "flip_share": 1.0}


def test_scores_statistics_win_tie_loss_per_category(tmp_path):
    rows = pairwise_rows({"q1": ("alpaca", "alpaca"), "q2": ("vicuna", "vicuna")})
    for row in rows:
        row["category"] = "math" if row["question_id"] == "q1" else "coding"
    table = win_tie_loss(
        pair_outcomes(read_scores(write_run(tmp_path / "r", rows))), ("model", "category")
    )
    found = table.set_index(["model", "category"])["adjusted_win_rate"].to_dict()
    assert found == {
        ("alpaca", "coding"): 0.0,
        ("alpaca", "math"): 1.0,
        ("vicuna", "coding"): 1.0,
        ("vicuna", "math"): 0.0,
    }


def test_scores_statistics_frequencies_are_the_summary_units():
    rows = score_rows(read_scores(TWO_SCORE))
    frequencies = score_frequencies(rows)
    llama = frequencies[frequencies["model"] == "llama-gpt4"]
    assert llama[["score", "count"]].values.tolist() == [[6.0, 1], [7.5, 1], [8.5, 1]]
    assert llama["share"].sum() == pytest.approx(1)
    assert frequencies["model"].drop_duplicates().tolist() == ["llama-gpt4", "gpt4"]
