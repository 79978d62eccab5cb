"""`python -m analysis map PATH [--compare P2 ...] --out DIR`: the semantic map of one or more
datasets, its clusters, semantic near-duplicates, coverage and diversity.

Writes DIR/map.csv (``id, x, y, cluster, label`` per row, ``dataset`` first when several are
mapped), clusters.csv, semantic_pairs.csv (paraphrases ROUGE-L does not flag), diversity.csv,
with several datasets coverage.csv, and the figures (semantic_map, coverage) in --formats.
Embeddings and the map are cached, so a rerun only writes the files.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from analysis import semantic_space
from analysis.atomic import atomic_write_text
from analysis.cli import add_dataset_arguments, load_dataset_argument, report_warnings
from analysis.commands.embed import stderr_progress
from analysis.commands.figures import _formats
from analysis.datasets import load_dataset
from analysis.defaults import DEFAULT_THRESHOLD
from analysis.diversity import coverage, diversity
from analysis.embeddings import DEFAULT_MODEL
from analysis.errors import Errors
from analysis.figures.export import ALL_FORMATS
from analysis.figures.semantic_map import coverage_bars, map_figure
from analysis.figures.style import series_colours
from analysis.paper_figures import PaperFigure, write_figures
from analysis.schema import TEXT_FIELDS
from analysis.semantic_map import SEED
from analysis.semantic_pairs import DEFAULT_COSINE, semantic_pairs

NAME = "map"
HELP = "semantic map (UMAP + HDBSCAN) of datasets: clusters, paraphrase pairs, coverage, diversity."


def _cosine(value: str) -> float:
    number = float(value)
    if not 0 <= number <= 1:
        raise argparse.ArgumentTypeError(Errors.E151.format(value=value))
    return number


def _rows(value: str) -> int:
    if not value.isdigit() or int(value) < 4:
        raise argparse.ArgumentTypeError(Errors.E152.format(value=value))
    return int(value)


def configure(parser: argparse.ArgumentParser) -> None:
    add_dataset_arguments(parser)
    parser.add_argument(
        "--compare", nargs="+", action="extend", default=[], help="datasets to map together"
    )
    parser.add_argument("--field", default="instruction", choices=TEXT_FIELDS)
    parser.add_argument("--model", default=DEFAULT_MODEL, help="sentence-transformers model")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument(
        "--rows",
        type=_rows,
        help="map a seeded sample of at most this many rows of each dataset (default: every "
        f"row; the Map page's default is {semantic_space.PAGE_ROWS:,})",
    )
    parser.add_argument(
        "--cosine",
        type=_cosine,
        default=DEFAULT_COSINE,
        help=f"cosine from which two rows are semantic near-duplicates (default {DEFAULT_COSINE})",
    )
    parser.add_argument(
        "--formats",
        type=_formats,
        default=list(ALL_FORMATS),
        help="figure formats, comma-separated subset of " + ",".join(ALL_FORMATS),
    )
    parser.add_argument("--out", required=True, type=Path, help="output folder")


def run(args: argparse.Namespace) -> int:
    first = load_dataset_argument(args)
    others = [load_dataset(path) for path in args.compare]
    report_warnings(*others)
    datasets = {}
    for dataset in (first, *others):
        if dataset.name in datasets:
            datasets[f"{dataset.name} ({len(datasets) + 1})"] = dataset  # same name, two files
        else:
            datasets[dataset.name] = dataset
    whole = datasets
    if args.rows:
        datasets = {
            name: semantic_space.sample(d, args.rows, args.seed) for name, d in whole.items()
        }
    progress = stderr_progress("Embedding")
    frame = semantic_space.semantic_map(datasets, args.field, args.model, args.seed, progress)
    vectors = semantic_space.vectors(datasets, args.field, args.model)
    rows = semantic_space.rows(datasets, args.field)
    several = len(datasets) > 1
    out = args.out
    out.mkdir(parents=True, exist_ok=True)
    tables = {
        "map": frame if several else frame.drop(columns="dataset"),
        "clusters": semantic_space.cluster_sizes(frame),
        "semantic_pairs": semantic_pairs(
            rows if several else rows.drop(columns="dataset"), vectors, args.cosine
        ),
        "diversity": diversity(frame, vectors, args.cosine, args.seed),
    }
    colour_by = "dataset" if several else "cluster"
    figures = [PaperFigure("semantic_map", map_figure(frame, rows["text"], colour_by), frame)]
    if several:
        tables["coverage"] = coverage(frame)
        names = list(datasets)
        figures.append(
            PaperFigure(
                "coverage",
                coverage_bars(tables["coverage"].head(20), names, series_colours(names)),
                tables["coverage"],
            )
        )
    for name, table in tables.items():
        atomic_write_text(out / f"{name}.csv", table.to_csv(index=False))
    formats = [fmt for fmt in args.formats if fmt != "csv"]  # the tables above are the data
    written = write_figures(figures, out, formats) if formats else []
    clusters = int((tables["clusters"]["cluster"] >= 0).sum())
    print(
        f"{len(frame)} rows of {', '.join(datasets)}: {clusters} clusters, "
        f"{len(tables['semantic_pairs'])} paraphrase pairs (cosine >= {args.cosine}, ROUGE-L <= "
        f"{DEFAULT_THRESHOLD}); {len(tables) + len(written)} files in {out}"
    )
    for note in semantic_space.sampled_notes(whole, datasets):
        print(note)
    print(tables["diversity"].to_string(index=False))
    return 0
