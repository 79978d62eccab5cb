"""The figures CLI's set of figures: one colour per dataset across all of them."""

from __future__ import annotations

from analysis.datasets import Dataset
from analysis.paper_figures import build_figures
from analysis.schema import make_record
from tests.analysis.records import records_frame

ROWS = [
    ("Write a poem about the sea.", "The sea is wide and blue", "The sea is blue"),
    ("Give three tips for staying healthy.", "Eat well, sleep, move", "Sleep well"),
    ("Translate the sentence into French.", "Bonjour le monde", "Bonjour"),
]


def dataset(name: str, outputs: int) -> Dataset:
    records = [
        make_record(id=str(i), instruction=instruction, output=output, reference=reference)
        for i, (instruction, output, reference) in enumerate(ROWS[:outputs])
    ]
    return Dataset(name, records_frame(records), f"fp-{name}", f"{name}.jsonl", "schema")


def trace_colours(figure) -> list[tuple[str, str]]:
    return [
        (trace.name, trace.marker.color)
        for trace in figure.data
        if trace.type == "bar" and isinstance(trace.marker.color, str)
    ]


def test_paper_figures_one_colour_per_dataset_in_every_figure():
    # "zeta" is listed first but sorts last: no figure may order (and colour) by name
    first, second = dataset("zeta", 3), dataset("alpha", 2)
    figures = {item.name: item.figure for item in build_figures(first, dataset("pool", 3), second)}
    assert {"top_pairs_comparison", "rouge_to_reference", "similarity_to_pool"} <= set(figures)
    seen: dict[str, set[str]] = {}
    for name in ("lengths_output", "rouge_to_reference", "top_pairs_comparison"):
        pairs = trace_colours(figures[name])
        assert [trace for trace, _ in pairs] == ["zeta", "alpha"], name  # legend order too
        for trace, colour in pairs:
            seen.setdefault(trace, set()).add(colour)
    assert all(len(colours) == 1 for colours in seen.values()), seen
    assert seen["zeta"] != seen["alpha"]
    [(_, histogram_colour)] = trace_colours(figures["similarity_to_pool"])
    assert {histogram_colour} == seen["zeta"]
