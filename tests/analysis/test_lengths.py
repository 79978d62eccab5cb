"""Per-row lengths and the length tables the Lengths page and the paper figures draw."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.figures.lengths import length_figure
from analysis.lengths import (
    length_frame,
    length_histogram_data,
    length_summary,
    length_table,
    length_units,
)


def test_lengths_units_count_cjk_characters_and_other_words():
    texts = ["hello big world", "写一首关于海洋的诗", "", "日本語の テキスト", "한국어 텍스트"]
    assert length_units(pd.Series(texts)).tolist() == [3, 9, 0, 8, 6]
    assert length_units(pd.Series(["Translate '你好' into English."])).tolist() == [4]


def test_lengths_table_stacks_one_field_of_each_series():
    first = length_frame(
        pd.DataFrame({"id": ["a", "b"], "instruction": ["one two", "x"], "input": "", "output": ""})
    )
    second = length_frame(
        pd.DataFrame({"id": ["c"], "instruction": ["one two three"], "input": "", "output": ""})
    )
    table = length_table({"first": first, "second": second}, "instruction")
    assert table.values.tolist() == [["first", "a", 2], ["first", "b", 1], ["second", "c", 3]]
    assert list(length_table({}, "output").columns) == ["series", "id", "length"]


def test_lengths_histogram_puts_longer_texts_in_the_last_bin():
    lengths = pd.DataFrame(
        {"series": ["s"] * 5 + ["t"], "id": list("abcdef"), "length": [0, 3, 4, 9, 500, 5]}
    )
    histogram = length_histogram_data(lengths, max_length=8, bin_width=4)
    assert histogram[["series", "bin_start", "bin_end", "count"]].values.tolist() == [
        ["s", 0, 4, 2],
        ["s", 4, 8, 3],  # 4, and 9 and 500 clipped to 8 (the last bin includes its end)
        ["t", 0, 4, 0],
        ["t", 4, 8, 1],
    ]


def test_lengths_histogram_fits_the_longest_text_and_gives_shares():
    lengths = pd.DataFrame(
        {"series": ["s"] * 4 + ["t"], "id": list("abcde"), "length": [1, 2, 2, 20, 7]}
    )
    histogram = length_histogram_data(lengths)
    assert histogram["bin_end"].max() == 20  # not 512: short texts are not squashed
    assert (histogram["bin_end"] - histogram["bin_start"] == 1).all()
    assert histogram.groupby("series")["share"].sum().tolist() == pytest.approx([1.0, 1.0])
    s = histogram[histogram["series"] == "s"].set_index("bin_start")
    assert s.loc[2, ["count", "share"]].tolist() == [2, 0.5]
    capped = length_histogram_data(lengths.assign(length=[1, 2, 2, 5000, 7]))
    assert capped["bin_end"].max() == 512 and len(capped) == 2 * 64  # longer ones in the last bin


def test_lengths_figure_draws_shares_or_counts():
    histogram = length_histogram_data(
        pd.DataFrame({"series": ["s", "s", "t"], "id": list("abc"), "length": [1, 3, 3]})
    )
    counts, shares = (
        length_figure(histogram, "output"),
        length_figure(histogram, "output", share=True),
    )
    assert [sum(trace.y) for trace in counts.data] == [2, 1]
    assert [sum(trace.y) for trace in shares.data] == [1.0, 1.0]
    assert (
        shares.layout.yaxis.tickformat == ".0%"
        and shares.layout.yaxis.title.text == "share of rows"
    )


def test_lengths_summary_per_series_in_first_seen_order():
    lengths = pd.DataFrame({"series": ["b", "b", "b", "a"], "length": [1, 2, 9, 4]})
    summary = length_summary(lengths)
    assert summary["series"].tolist() == ["b", "a"]
    assert summary.loc[0, ["rows", "mean", "median", "max"]].tolist() == [3, 4.0, 2.0, 9]
    assert summary.loc[0, "p90"] == pd.Series([1, 2, 9]).quantile(0.9)
