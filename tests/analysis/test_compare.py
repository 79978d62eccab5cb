"""Model comparison: alignment on (instruction, input), ROUGE-L to the reference by length bucket."""

from __future__ import annotations

import pandas as pd
from rouge_score import rouge_scorer

from analysis import registry
from analysis.compare import (
    reference_rouge,
    reference_rouge_cached,
    rouge_by_bucket,
    rouge_to_reference,
    side_by_side,
)
from analysis.datasets import load_dataset
from analysis.schema import make_record
from tests.analysis.records import records_frame


def frame(rows):
    return records_frame([make_record(id=str(i), **row) for i, row in enumerate(rows)])


def test_compare_reference_rouge_matches_rouge_score_and_buckets():
    rows = [
        {"instruction": "a", "output": "the cat sat", "reference": "cat"},
        {
            "instruction": "b",
            "output": "one two three four",
            "reference": "one two three four five six",
        },
        {"instruction": "c", "output": "x", "reference": None},
        {"instruction": "d", "output": "some long answer here", "reference": " ".join(["w"] * 12)},
    ]
    scores = reference_rouge(frame(rows))
    scorer = rouge_scorer.RougeScorer(["rougeL"], use_stemmer=False)
    expected = [
        scorer.score(r["reference"], r["output"])["rougeL"].fmeasure for r in rows if r["reference"]
    ]
    assert scores["rougeL"].tolist() == expected
    assert scores["bucket"].tolist() == ["0-2", "6-10", ">10"]


def test_compare_rouge_by_bucket_means_and_all():
    scores = rouge_to_reference(
        {
            "m": pd.DataFrame(
                {
                    "id": ["1", "2", "3"],
                    "rougeL": [0.2, 0.4, 1.0],
                    "reference_words": [1, 2, 20],
                    "bucket": ["0-2", "0-2", ">10"],
                }
            ),
        }
    )
    table = rouge_by_bucket(scores)
    means = dict(zip(table["bucket"].astype(str), table["mean_rougeL"], strict=True))
    assert (
        means["0-2"] == (0.2 + 0.4) / 2
        and means[">10"] == 1.0
        and means["all"] == (0.2 + 0.4 + 1.0) / 3
    )
    assert table["bucket"].astype(str).tolist() == ["0-2", ">10", "all"]


def test_compare_side_by_side_aligns_on_instruction_and_input_in_first_seen_order():
    first = frame(
        [{"instruction": "z", "input": "1", "output": "A1"}, {"instruction": "a", "output": "A2"}]
    )
    second = frame([{"instruction": "a", "output": "B2"}, {"instruction": "new", "output": "B3"}])
    table = side_by_side({"A": first, "B": second})
    assert table["instruction"].tolist() == ["z", "a", "new"]
    assert table["A"].tolist()[:2] == ["A1", "A2"] and pd.isna(table["A"].iloc[2])
    assert pd.isna(table["B"].iloc[0]) and table["B"].tolist()[1:] == ["B2", "B3"]


def test_compare_side_by_side_aligns_a_translated_row_on_the_texts_it_translates():
    english = frame(
        [{"instruction": "Say hi.", "output": "Hi."}, {"instruction": "Add", "input": "1, 2"}]
    )
    originals = {"original_instruction": "Add", "original_input": "1, 2"}
    chinese = frame(
        [{"instruction": "相加", "input": "1，2", "output": "3", "metadata": originals}]
    )
    table = side_by_side({"en": english, "zh": chinese})
    assert table["instruction"].tolist() == ["Say hi.", "Add"]  # the first dataset's texts
    assert pd.isna(table["zh"].iloc[0]) and table["zh"].iloc[1] == "3"
    assert side_by_side({"zh": chinese, "en": english})["instruction"].tolist() == [
        "相加",
        "Say hi.",
    ]


def test_compare_bundled_predictions_align_row_for_row():
    names = [info.name for info in registry.bundled() if info.group == "user-oriented predictions"]
    table = side_by_side({name: load_dataset(name).frame for name in names})
    assert len(table) == 252 and table[names].notna().all().all()


def test_compare_reference_rouge_cached_equals_uncached():
    dataset = load_dataset("predictions/text-davinci-001")
    pd.testing.assert_frame_equal(reference_rouge_cached(dataset), reference_rouge(dataset.frame))
    pd.testing.assert_frame_equal(reference_rouge_cached(dataset), reference_rouge(dataset.frame))
