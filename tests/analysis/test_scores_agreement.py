"""Judge verdicts joined to people's spot-check labels of the same (fingerprint, row id):
rank correlation for ratings, Cohen's kappa for pairwise labels, checked against scipy and
scikit-learn directly."""

from __future__ import annotations

import pandas as pd
import pytest
from scipy import stats
from sklearn.metrics import cohen_kappa_score

from analysis.annotations.sampling import pair_fingerprint
from analysis.annotations.schemes import all_schemes
from analysis.annotations.store import Label, LabelStore
from analysis.judge_runs import read_scores
from analysis.readers import Dataset
from analysis.score_agreement import (
    judge_item_scores,
    judge_pair_answers,
    pair_key,
    spot_check_agreement,
)
from tests.analysis.judge_fixtures import PAIRWISE, SINGLE, TWO_SCORE, verdict, write_run

HUMAN = {"A": 1, "B": 2 / 3, "C": 1 / 3, "D": 0}


def store(labels: list[tuple]) -> pd.DataFrame:
    """(fingerprint, row_id, annotator, scheme, question, answer) tuples, stored and read back."""
    labels_store = LabelStore()
    labels_store.save_many([Label(*label) for label in labels])
    return labels_store.frame()


def test_scores_agreement_item_scores_keyed_like_labels():
    scores = judge_item_scores(read_scores(SINGLE))
    assert set(zip(scores["fingerprint"], scores["row_id"], scores["score"], strict=True)) == {
        ("fp-alpaca", "q1", 8),
        ("fp-alpaca", "q2", 6),
        ("fp-alpaca", "q4", 7),
        ("fp-vicuna", "q1", 9),
        ("fp-vicuna", "q2", 9),
        ("fp-vicuna", "q3", 10),
    }  # q3 of alpaca did not parse, q4 of vicuna failed: no score, no item
    two = judge_item_scores(read_scores(TWO_SCORE)).set_index(["fingerprint", "row_id"])
    assert two.loc[("fp-llama-gpt4", "q1"), "score"] == 7.5  # the mean of both orders


def test_scores_agreement_rating_labels_spearman_against_scipy():
    rated = {
        ("fp-alpaca", "q1"): ("A", 8),
        ("fp-alpaca", "q2"): ("C", 6),
        ("fp-alpaca", "q4"): ("B", 7),
        ("fp-vicuna", "q1"): ("A", 9),
        ("fp-vicuna", "q2"): ("B", 9),
        ("fp-vicuna", "q3"): ("A", 10),
    }
    labels = [
        (fp, row, "ann", "self-instruct-rating", "rating", answer)
        for (fp, row), (answer, _) in rated.items()
    ]
    labels.append(("fp-alpaca", "q3", "ann", "self-instruct-rating", "rating", "D"))  # unscored
    labels.append(("fp-other", "q1", "ann", "self-instruct-rating", "rating", "D"))  # not judged
    labels.append(("fp-alpaca", "q1", "bob", "self-instruct-rating", "rating", "B"))
    table = spot_check_agreement(read_scores(SINGLE), store(labels), all_schemes())
    ann = table[table["annotator"] == "ann"].to_dict("records")
    [row] = ann
    assert (row["scheme"], row["question"], row["n"]) == ("self-instruct-rating", "rating", 6)
    human = [HUMAN[answer] for answer, _ in rated.values()]
    judge = [score for _, score in rated.values()]
    assert row["spearman"] == pytest.approx(stats.spearmanr(human, judge).statistic)
    assert row["kendall_tau"] == pytest.approx(stats.kendalltau(human, judge).statistic)
    assert row["cohen_kappa"] is None or pd.isna(row["cohen_kappa"])  # different scales
    [bob] = table[table["annotator"] == "bob"].to_dict("records")
    assert bob["n"] == 1 and pd.isna(bob["spearman"])  # one item: no correlation


def test_scores_agreement_pairwise_labels_kappa_against_sklearn():
    forward, backward = pair_key("fp-alpaca", "fp-vicuna"), pair_key("fp-vicuna", "fp-alpaca")
    people = {"q1": "first", "q2": "tie", "q3": "second", "q4": "first"}
    labels = [
        (forward, row, "ann", "hhh-pairwise", "helpfulness", answer)
        for row, answer in people.items()
    ]
    # a study that put vicuna first: the judge's "alpaca wins" on q1 is its "second"
    labels += [
        (backward, "q1", "bob", "hhh-pairwise", "helpfulness", "second"),
        (backward, "q2", "bob", "hhh-pairwise", "helpfulness", "first"),
    ]
    table = spot_check_agreement(read_scores(PAIRWISE), store(labels), all_schemes())
    rows = table.set_index("annotator")
    # the judge: q1 alpaca (first), q2 and q3 tie, q4 unparsed (left out)
    judge, ann = ["first", "tie", "tie"], ["first", "tie", "second"]
    order = ["first", "tie", "second"]
    assert rows.loc["ann", "n"] == 3
    assert rows.loc["ann", "percent_agreement"] == pytest.approx(2 / 3)
    expected = cohen_kappa_score(
        [order.index(a) for a in ann], [order.index(j) for j in judge], labels=[0, 1, 2]
    )
    assert rows.loc["ann", "cohen_kappa"] == pytest.approx(expected)
    assert rows.loc["bob", "n"] == 2 and rows.loc["bob", "percent_agreement"] == 0.5
    assert set(table["question"]) == {"helpfulness"}  # no labels of the other criteria


def test_scores_agreement_pair_key_is_the_spot_checks_pair_fingerprint():
    frame = pd.DataFrame()
    first, second = (Dataset(n, frame, f"fp-{n}", n, "alpaca") for n in ("a", "b"))
    assert pair_key("fp-a", "fp-b") == pair_fingerprint(first, second)


def test_scores_agreement_pair_answers_in_both_study_orders():
    answers = judge_pair_answers(read_scores(PAIRWISE)).set_index(["fingerprint", "row_id"])
    forward, backward = pair_key("fp-alpaca", "fp-vicuna"), pair_key("fp-vicuna", "fp-alpaca")
    assert answers.loc[(forward, "q1"), "answer"] == "first"
    assert answers.loc[(backward, "q1"), "answer"] == "second"
    assert answers.loc[(backward, "q2"), "answer"] == "tie"
    assert (forward, "q4") not in answers.index  # unparsed: nothing to agree with


def test_scores_agreement_nothing_without_fingerprints(tmp_path):
    run = read_scores(write_run(tmp_path / "run", [verdict("q1", ["m"], scores=[7])]))
    labels = store([("fp-m", "q1", "ann", "self-instruct-rating", "rating", "A")])
    assert spot_check_agreement(run, labels, all_schemes()).empty
