"""The verb-noun figures show exactly their aggregate tables."""

from __future__ import annotations

import pandas as pd

from analysis import verbs
from analysis.figures.style import plain
from analysis.figures.verbs import top_pairs_bars, verb_noun_sunburst


def frame_of(rows: list[tuple[str, str]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": [str(i) for i in range(len(rows))],
            "verb": [verb for verb, _ in rows],
            "noun": [noun for _, noun in rows],
            "method": ["spacy"] * len(rows),
        }
    )


ROWS = (
    [("write", "poem")] * 5
    + [("write", "story")] * 3
    + [("write", "essay")] * 2
    + [("give", "tip")] * 4
    + [("give", "<b>bold</b>")] * 2
    + [("list", "fruit")] * 1
    + [("tell", "")] * 7
)


def test_verbs_sunburst_data_equals_the_top_table():
    table = verbs.top_verb_nouns(frame_of(ROWS), top_verbs=2, top_nouns=2)
    trace = verb_noun_sunburst(table).data[0]
    nouns = {
        (parent, label): value
        for parent, label, value in zip(trace.parents, trace.labels, trace.values, strict=True)
        if parent
    }
    expected = {(v, plain(n)): c for v, n, c in table[["verb", "noun", "count"]].values}
    assert nouns == expected
    verb_values = {
        label: value
        for parent, label, value in zip(trace.parents, trace.labels, trace.values, strict=True)
        if not parent
    }
    assert verb_values == table.groupby("verb")["count"].sum().to_dict()
    assert trace.branchvalues == "total"
    assert len(set(trace.ids)) == len(trace.ids)


def test_verbs_sunburst_shows_markup_in_data_as_text():
    table = verbs.top_verb_nouns(frame_of(ROWS), top_verbs=2, top_nouns=2)
    labels = list(verb_noun_sunburst(table).data[0].labels)
    assert "&lt;b&gt;bold&lt;/b&gt;" in labels
    assert "<b>bold</b>" not in labels


def test_verbs_sunburst_of_an_empty_table_is_an_empty_figure():
    table = verbs.top_verb_nouns(frame_of([("tell", "")]))
    assert len(verb_noun_sunburst(table).data[0].ids) == 0


def test_verbs_top_pairs_bars_show_each_dataset_ranked_top_down():
    first = frame_of(ROWS)
    second = frame_of([("give", "tip")] * 6 + [("make", "cake")] * 2)
    comparison = verbs.top_pairs_comparison(first, second, names=("GPT-4", "GPT-3"), n=3)
    fig = top_pairs_bars(comparison)
    assert [trace.name for trace in fig.data] == ["GPT-4", "GPT-3"]
    for trace, name in zip(fig.data, ["GPT-4", "GPT-3"], strict=True):
        part = comparison[comparison["dataset"] == name]
        assert list(trace.x) == list(part["count"])[::-1]
        assert (
            list(trace.y)
            == [plain(f"{v} {n}") for v, n in zip(part["verb"], part["noun"], strict=True)][::-1]
        )
        assert list(trace.customdata) == list(part["other_count"])[::-1]
