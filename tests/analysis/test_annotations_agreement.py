"""Agreement statistics against values worked out by hand (in the comments) on small tables."""

from __future__ import annotations

import math

import krippendorff
import numpy as np
import pandas as pd
import pytest

from analysis.annotations.agreement import (
    agreement,
    answer_positions,
    judge_agreement,
    krippendorff_alpha,
)
from analysis.annotations.schemes import get_scheme, scheme_from_json
from analysis.errors import WorkbenchError

QUALITY = "self-instruct-quality"
RATING = "self-instruct-rating"
PAIRWISE = "hhh-pairwise"


def labels_frame(
    answers: dict[str, list[str | None]],
    scheme: str = QUALITY,
    question: str = "valid_task",
    fingerprint: str = "fp",
) -> pd.DataFrame:
    """annotator -> answers to items 0, 1, 2 ... (None: the annotator did not label that item)."""
    rows = [
        (fingerprint, str(item), annotator, scheme, question, answer, None, 0.0)
        for annotator, column in answers.items()
        for item, answer in enumerate(column)
        if answer is not None
    ]
    columns = ["fingerprint", "row_id", "annotator", "scheme", "question", "answer", "note", "time"]
    return pd.DataFrame(rows, columns=columns)


def quality_agreement(answers: dict[str, list[str | None]]) -> dict:
    return agreement(labels_frame(answers), get_scheme(QUALITY), "valid_task")


def test_annotations_agreement_two_annotators_match_the_hand_computed_table():
    # 10 items, confusion table of annotators a (rows) and b (columns):
    #            b yes  b no
    #   a yes      6     1
    #   a no       1     2
    # po = 8/10 = 0.8; a and b both say yes 7/10 times, so
    # Cohen: pe = 0.7*0.7 + 0.3*0.3 = 0.58, kappa = (0.8 - 0.58) / 0.42 = 11/21.
    # Fleiss pools the marginals: p_yes = 14/20 = 0.7, the same pe, so also 11/21.
    # Krippendorff (nominal): 20 pairable values, coincidences o_yes,no = o_no,yes = 2,
    #   n_yes = 14, n_no = 6: alpha = 1 - (20 - 1) * 4 / (2 * 14 * 6) = 1 - 76/168 = 23/42.
    # Gwet: Pa = 0.8, pi_yes = 0.7, pi_no = 0.3, Pe = (0.7*0.3 + 0.3*0.7) / (2 - 1) = 0.42,
    #   AC1 = (0.8 - 0.42) / 0.58 = 19/29.
    a = ["yes"] * 6 + ["yes"] + ["no"] + ["no"] * 2
    b = ["yes"] * 6 + ["no"] + ["yes"] + ["no"] * 2
    result = quality_agreement({"a": a, "b": b})
    assert result == pytest.approx(
        {
            "percent_agreement": 0.8,
            "cohen_kappa": 11 / 21,
            "fleiss_kappa": 11 / 21,
            "krippendorff_alpha": 23 / 42,
            "gwet_ac1": 19 / 29,
        }
    )
    # Items only a labelled are not pairable: percent agreement and the kappas ignore them
    # (alpha too: a unit with one value has no pair); AC1's pi_k counts them, by design.
    extended = quality_agreement({"a": a + ["no", "no"], "b": b + [None, None]})
    for name in ("percent_agreement", "cohen_kappa", "fleiss_kappa", "krippendorff_alpha"):
        assert extended[name] == pytest.approx(result[name])


def test_annotations_agreement_three_annotators_fleiss_on_items_all_labelled():
    # hhh-pairwise helpfulness, answers first (f) / tie (t) / second (s) by x, y, z:
    #   item 1: f f f  -> P_1 = 3*2/(3*2) = 1
    #   item 2: f f t  -> P_2 = 2*1/6 = 1/3
    #   item 3: t s s  -> P_3 = 1/3
    #   item 4: s s s  -> P_4 = 1
    # Pbar = 2/3; p_f = 5/12, p_t = 2/12, p_s = 5/12; Pe = (25 + 4 + 25)/144 = 3/8
    # Fleiss = (2/3 - 3/8) / (1 - 3/8) = 7/15.
    # AC1 (q = 3): Pe = (5/12*7/12 + 2/12*10/12 + 5/12*7/12) / 2 = 5/16,
    #   AC1 = (2/3 - 5/16) / (11/16) = 17/33.
    # Percent agreement: items 1 and 4 of 4 = 0.5. Cohen: three annotators, None.
    answers = {
        "x": ["first", "first", "tie", "second"],
        "y": ["first", "first", "second", "second"],
        "z": ["first", "tie", "second", "second"],
    }
    scheme = get_scheme(PAIRWISE)
    result = agreement(labels_frame(answers, PAIRWISE, "helpfulness"), scheme, "helpfulness")
    assert result["percent_agreement"] == pytest.approx(0.5)
    assert result["cohen_kappa"] is None
    assert result["fleiss_kappa"] == pytest.approx(7 / 15)
    assert result["gwet_ac1"] == pytest.approx(17 / 33)
    # Item 5, labelled by x and y only (f, s), is left out of Fleiss but counts elsewhere:
    # percent agreement 2/5; AC1: Pa = (1 + 1/3 + 1/3 + 1 + 0)/5 = 8/15, pi_f = pi_s = 13/30,
    # pi_t = 4/30, Pe = (2 * 13/30 * 17/30 + 4/30 * 26/30) / 2 = 546/1800,
    # AC1 = (960 - 546) / (1800 - 546) = 69/209.
    answers = {name: column + [None] for name, column in answers.items()}
    answers["x"][4], answers["y"][4] = "first", "second"
    labels = labels_frame(answers, PAIRWISE, "helpfulness")
    result = agreement(labels, scheme, "helpfulness")
    assert result["percent_agreement"] == pytest.approx(0.4)
    assert result["fleiss_kappa"] == pytest.approx(7 / 15)
    assert result["gwet_ac1"] == pytest.approx(69 / 209)
    # Krippendorff's alpha from all labels, missing allowed, equals the package's on the
    # annotators x items matrix written out here (f = 0, t = 1, s = 2).
    nan = np.nan
    by_hand = [[0, 0, 1, 2, 0], [0, 0, 2, 2, 2], [0, 1, 2, 2, nan]]
    expected = krippendorff.alpha(
        reliability_data=by_hand, level_of_measurement="nominal", value_domain=[0, 1, 2]
    )
    assert result["krippendorff_alpha"] == pytest.approx(expected)


def test_annotations_agreement_alpha_is_ordinal_for_ratings():
    # Two annotators rate three responses: (A, A), (A, B), (C, D); positions A=0 ... D=3.
    # Coincidences: o_00 = 2, o_01 = o_10 = 1, o_23 = o_32 = 1; n_0 = 3, n_1 = n_2 = n_3 = 1,
    # n = 6. Ordinal distance d(c, k) = (sum of n_g for g from c to k - (n_c + n_k)/2)^2:
    #   d01 = 4, d02 = 9, d03 = 16, d12 = 1, d13 = 4, d23 = 1.
    # alpha = 1 - (n - 1) * sum o*d / sum n_c*n_k*d
    #       = 1 - 5 * (2*4 + 2*1) / (2 * (3*4 + 3*9 + 3*16 + 1*1 + 1*4 + 1*1)) = 1 - 50/186.
    # Nominal on the same labels: 1 - 5 * 4 / (36 - (9 + 1 + 1 + 1)) = 1/6: both disagreements
    # are next-door answers, which only the ordinal alpha sees.
    answers = {"a": ["A", "A", "C"], "b": ["A", "B", "D"]}
    scheme = get_scheme(RATING)
    labels = labels_frame(answers, RATING, "rating")
    assert agreement(labels, scheme, "rating")["krippendorff_alpha"] == pytest.approx(68 / 93)
    table = answer_positions(labels, scheme, "rating")
    assert krippendorff_alpha(table, 4, ordinal=False) == pytest.approx(1 / 6)
    # A fourth response rated by a only has no pair and leaves alpha as it was.
    answers = {"a": ["A", "A", "C", "D"], "b": ["A", "B", "D", None]}
    labels = labels_frame(answers, RATING, "rating")
    assert agreement(labels, scheme, "rating")["krippendorff_alpha"] == pytest.approx(68 / 93)


def test_annotations_agreement_ac1_stays_high_when_nine_answers_in_ten_are_yes():
    # 20 items: both yes 17, a yes / b no 1, a no / b yes 1, both no 1; 36 of 40 answers yes.
    # po = 0.9, each annotator says yes 0.9 of the time:
    # Cohen: pe = 0.81 + 0.01 = 0.82, kappa = (0.9 - 0.82) / 0.18 = 4/9 ("moderate")
    # Fleiss: the same marginals, 4/9.
    # alpha: 1 - 39 * 4 / (2 * 36 * 4) = 11/24.
    # AC1: Pe = 0.9*0.1 + 0.1*0.9 = 0.18, AC1 = (0.9 - 0.18) / 0.82 = 36/41 = 0.88.
    # The annotators agree on 18 items of 20; only AC1 says so.
    a = ["yes"] * 17 + ["yes", "no", "no"]
    b = ["yes"] * 17 + ["no", "yes", "no"]
    result = quality_agreement({"a": a, "b": b})
    assert result == pytest.approx(
        {
            "percent_agreement": 0.9,
            "cohen_kappa": 4 / 9,
            "fleiss_kappa": 4 / 9,
            "krippendorff_alpha": 11 / 24,
            "gwet_ac1": 36 / 41,
        }
    )
    assert result["cohen_kappa"] < 0.5 < 0.85 < result["gwet_ac1"]


def test_annotations_agreement_ac1_matches_gwet_published_example():
    # irrCAC's documented example (4 raters, 12 units, ratings 1-5, some missing):
    # AC1 = 0.77544 (Pa = 0.81818, Pe = 0.19032).
    nan = None
    rows = [
        [1, 1, nan, 1],
        [2, 2, 3, 2],
        [3, 3, 3, 3],
        [3, 3, 3, 3],
        [2, 2, 2, 2],
        [1, 2, 3, 4],
        [4, 4, 4, 4],
        [1, 1, 2, 1],
        [2, 2, 2, 2],
        [nan, 5, 5, 5],
        [nan, nan, 1, 1],
        [nan, nan, 3, nan],
    ]
    five_point = scheme_from_json(
        {
            "name": "five-point",
            "kind": "rating",
            "questions": [
                {
                    "id": "score",
                    "text": "Score?",
                    "answers": [
                        {"value": str(v), "label": str(v), "key": str(v)} for v in range(1, 6)
                    ],
                }
            ],
        },
        "test",
    )
    answers = {
        f"rater{r}": [None if row[r] is None else str(row[r]) for row in rows] for r in range(4)
    }
    labels = labels_frame(answers, "five-point", "score")
    assert agreement(labels, five_point, "score")["gwet_ac1"] == pytest.approx(0.77544, abs=5e-6)


UNDEFINED = dict.fromkeys(
    ["percent_agreement", "cohen_kappa", "fleiss_kappa", "krippendorff_alpha", "gwet_ac1"]
)


@pytest.mark.filterwarnings("error")
@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        pytest.param({}, UNDEFINED, id="no labels"),
        pytest.param({"a": ["yes", "no", "yes"]}, UNDEFINED, id="one annotator"),
        pytest.param(
            {"a": ["yes", "no", None, None], "b": [None, None, "yes", "no"]},
            UNDEFINED,
            id="no item labelled twice",
        ),
        pytest.param(
            # kappas and alpha are 0/0 with one answer everywhere; AC1's Pe = 0, AC1 = 1
            {"a": ["yes"] * 5, "b": ["yes"] * 5},
            {**UNDEFINED, "percent_agreement": 1.0, "gwet_ac1": 1.0},
            id="one answer everywhere",
        ),
    ],
)
def test_annotations_agreement_undefined_is_none_without_warnings(answers, expected):
    assert quality_agreement(answers) == expected


def test_annotations_agreement_reads_only_its_scheme_and_question():
    labels = pd.concat(
        [
            labels_frame({"a": ["yes", "no"], "b": ["yes", "no"]}),
            labels_frame({"a": ["no", "no"], "b": ["yes", "yes"]}, question="appropriate_input"),
            labels_frame({"a": ["A", "B"], "b": ["D", "D"]}, RATING, "rating"),
        ]
    )
    result = agreement(labels, get_scheme(QUALITY), "valid_task")
    assert result["percent_agreement"] == 1.0
    assert result["cohen_kappa"] == pytest.approx(1.0)


def test_annotations_agreement_rejects_answers_the_scheme_does_not_offer():
    labels = labels_frame({"a": ["yes", "maybe"], "b": ["yes", "no"]})
    with pytest.raises(WorkbenchError, match="'maybe'"):
        quality_agreement({"a": ["yes", "maybe"], "b": ["yes", "no"]})
    with pytest.raises(WorkbenchError, match="'maybe'"):
        judge_agreement(labels, pd.DataFrame(), get_scheme(QUALITY), "valid_task")


def judge_scores(scores: dict[str, float], fingerprint: str = "fp") -> pd.DataFrame:
    return pd.DataFrame(
        {"fingerprint": fingerprint, "row_id": list(scores), "score": list(scores.values())}
    )


@pytest.mark.filterwarnings("error")
def test_annotations_judge_agreement_matches_hand_computed_ranks():
    # People (yes = 1, no = 0, averaged per item): item 0 yes,yes -> 1; item 1 yes,no -> 0.5;
    # item 2 no,no -> 0; item 3 yes (one annotator) -> 1; item 4 has no judge score,
    # the judge's item 5 no label, item 6 a failed (NaN) score: n = 4.
    # Judge: 9, 5, 2, 7.
    # Ranks: people 3.5, 2, 1, 3.5; judge 4, 2, 1, 3; deviations from 2.5:
    #   people 1, -0.5, -1.5, 1; judge 1.5, -0.5, -1.5, 0.5
    #   Spearman = 4.5 / sqrt(4.5 * 5) = sqrt(0.9)
    # Kendall tau-b: 5 concordant pairs, 0 discordant, 1 pair tied for people (items 0, 3):
    #   5 / sqrt((6 - 1) * (6 - 0)) = 5 / sqrt(30)
    labels = labels_frame({"a": ["yes", "yes", "no", "yes", "no"], "b": ["yes", "no", "no"]})
    scores = judge_scores({"0": 9, "1": 5, "2": 2, "3": 7, "5": 8, "6": float("nan")})
    result = judge_agreement(labels, scores, get_scheme(QUALITY), "valid_task")
    assert result == pytest.approx(
        {"n": 4, "spearman": math.sqrt(0.9), "kendall_tau": 5 / math.sqrt(30)}
    )


def test_annotations_judge_agreement_rates_a_as_best():
    labels = labels_frame({"a": ["A", "B", "C", "D"]}, RATING, "rating")
    scores = judge_scores({"0": 10, "1": 7, "2": 4, "3": 1})
    result = judge_agreement(labels, scores, get_scheme(RATING), "rating")
    assert result == pytest.approx({"n": 4, "spearman": 1.0, "kendall_tau": 1.0})


@pytest.mark.filterwarnings("error")
@pytest.mark.parametrize(
    ("answers", "scores", "n"),
    [
        pytest.param(["yes"], {"0": 3}, 1, id="one item"),
        pytest.param(["yes", "yes", "yes"], {"0": 3, "1": 5, "2": 1}, 3, id="people constant"),
        pytest.param(["yes", "no", "yes"], {"0": 4, "1": 4, "2": 4}, 3, id="judge constant"),
        pytest.param(["yes"], {"other": 4}, 0, id="nothing in common"),
    ],
)
def test_annotations_judge_agreement_undefined_is_none(answers, scores, n):
    labels = labels_frame({"a": answers})
    result = judge_agreement(labels, judge_scores(scores), get_scheme(QUALITY), "valid_task")
    assert result == {"n": n, "spearman": None, "kendall_tau": None}
