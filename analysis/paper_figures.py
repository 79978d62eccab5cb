"""Every figure of the analysis pages for one dataset (and optionally a second), for a paper.

The same builders the pages use, so a figure exported from the CLI is the figure on screen.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go

from analysis import compare, verbs
from analysis.atomic import atomic_write_bytes
from analysis.datasets import Dataset
from analysis.defaults import DEFAULT_THRESHOLD
from analysis.figures import export
from analysis.figures.compare import rouge_by_bucket_figure
from analysis.figures.lengths import length_figure
from analysis.figures.similarity import similarity_histogram
from analysis.figures.style import series_colours
from analysis.figures.verbs import top_pairs_bars, verb_noun_sunburst
from analysis.lengths import length_columns, length_histogram_data, length_table
from analysis.rouge import max_rouge_to_pool_cached
from analysis.similarity import count_above, similarity_histogram_data


@dataclass(frozen=True)
class PaperFigure:
    name: str
    figure: go.Figure
    data: pd.DataFrame


def _texts_present(dataset: Dataset, field: str) -> bool:
    return bool((dataset.frame[field].str.strip() != "").any())


def build_figures(
    dataset: Dataset, pool: Dataset, other: Dataset | None = None, rule: str = "paper"
) -> list[PaperFigure]:
    """Lengths, verb-noun sunbursts, similarity to the pool; with `other`, the comparisons."""
    figures = []
    both = {item.name: item for item in (dataset, other) if item is not None}
    colours = series_colours(both)  # one colour per dataset in every figure
    lengths = {name: length_columns(item) for name, item in both.items()}
    for field in ("instruction", "input", "output"):
        if _texts_present(dataset, field):
            histogram = length_histogram_data(length_table(lengths, field))
            figures.append(
                PaperFigure(
                    f"lengths_{field}", length_figure(histogram, field, colours=colours), histogram
                )
            )
    pairs = {}
    for field in ("instruction", "output"):
        if not _texts_present(dataset, field):
            continue
        pairs[field] = verbs.verb_noun_column(dataset, field=field, rule=rule)
        table = verbs.top_verb_nouns(pairs[field])
        if not table.empty:
            figures.append(PaperFigure(f"verb_noun_{field}", verb_noun_sunburst(table), table))
    scores = max_rouge_to_pool_cached(dataset, pool)
    histogram = similarity_histogram_data(scores["max_rougeL"])
    figure = similarity_histogram(
        histogram,
        threshold=DEFAULT_THRESHOLD,
        above=count_above(scores["max_rougeL"], DEFAULT_THRESHOLD),
        pool_name=pool.name,
        colour=colours[dataset.name],
    )
    figures.append(PaperFigure("similarity_to_pool", figure, scores))
    if other is not None and "instruction" in pairs:
        comparison = verbs.top_pairs_comparison(
            pairs["instruction"],
            verbs.verb_noun_column(other, field="instruction", rule=rule),
            (dataset.name, other.name),
        )
        figures.append(
            PaperFigure("top_pairs_comparison", top_pairs_bars(comparison, colours), comparison)
        )
    with_reference = {
        name: compare.reference_rouge_cached(item)
        for name, item in both.items()
        if item.frame["reference"].notna().any()
    }
    if with_reference:
        table = compare.rouge_by_bucket(compare.rouge_to_reference(with_reference))
        figures.append(
            PaperFigure("rouge_to_reference", rouge_by_bucket_figure(table, colours), table)
        )
    return figures


def write_figures(
    figures: Sequence[PaperFigure], out_dir: Path, formats: Sequence[str] = export.ALL_FORMATS
) -> list[Path]:
    """Write each figure in each format; images go through one kaleido browser session."""
    import plotly.io as pio

    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for item in figures:
        for fmt in ("csv", "html"):
            if fmt in formats:
                path = out_dir / f"{item.name}.{fmt}"
                atomic_write_bytes(path, export.export_bytes(item.figure, item.data, fmt))
                written.append(path)
    images = [
        (item.figure, out_dir / f"{item.name}.{fmt}")
        for item in figures
        for fmt in export.IMAGE_FORMATS
        if fmt in formats
    ]
    if images:
        export.prepare_kaleido()
        try:
            pio.write_images([fig for fig, _ in images], [path for _, path in images])
            # Under load kaleido has been seen to skip a WebGL figure without an error (the
            # semantic map's png): each missing file is rendered again on its own, then checked.
            for fig, path in images:
                if not _written(path):
                    atomic_write_bytes(path, export.figure_bytes(fig, path.suffix[1:]))
        except Exception as error:  # kaleido/choreographer raise their own types
            raise export.FigureExportError(f"could not render the figures: {error}") from error
        if missing := [path for _, path in images if not _written(path)]:
            names = ", ".join(str(path) for path in missing)
            raise export.FigureExportError(f"could not render the figures: {names} not written")
        written.extend(path for _, path in images)
    return written


def _written(path: Path) -> bool:
    return path.exists() and path.stat().st_size > 0
