"""`python -m analysis annotations import|export|summary`: spot-check labels from the shell."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from analysis.annotations import sampling, summary
from analysis.annotations.labels_file import read_labels, write_labels
from analysis.annotations.schemes import Scheme, all_schemes, get_scheme
from analysis.annotations.store import LabelStore
from analysis.datasets import Dataset, load_dataset
from analysis.errors import Errors, WorkbenchError

NAME = "annotations"
HELP = "Import, export and summarize people's spot-check labels (the Spot-check page's store)."


def configure(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", required=True)
    for action, help in (
        ("import", "store the labels of a CSV (row_id,annotator,question,answer[,note,time])"),
        ("export", "write a study's labels to CSV or JSONL"),
        ("summary", "the study's statistics (Self-Instruct Table 2 / Fig. 6, GPT-4-LLM Fig. 3)"),
    ):
        sub = actions.add_parser(action, help=help)
        if action == "import":
            sub.add_argument("labels", type=Path, help="the CSV of labels")
        sub.add_argument(
            "--dataset",
            action="append",
            required=True,
            help="the dataset labelled (twice for a pairwise scheme: first, then second)",
        )
        sub.add_argument("--scheme", required=True, choices=sorted(all_schemes()))
        if action == "export":
            sub.add_argument("--out", type=Path, required=True, help="FILE.csv or FILE.jsonl")
        if action == "summary":
            sub.add_argument("--annotator", help="one annotator's labels only")
            sub.add_argument("--json", action="store_true", help="print one JSON object")


def run(args: argparse.Namespace) -> int:
    scheme = get_scheme(args.scheme)
    datasets = [load_dataset(name) for name in args.dataset]
    fingerprint, row_ids = _study(datasets, scheme)
    store = LabelStore()
    if args.action == "import":
        labels = read_labels(args.labels, scheme, fingerprint, row_ids)
        stored = store.save_many(labels)
        print(f"imported {len(labels)} labels ({stored} new or changed) from {args.labels}")
        return 0
    labels = store.frame(scheme=scheme.name, fingerprint=fingerprint)
    if args.action == "export":
        write_labels(labels, args.out)
        print(f"{len(labels)} labels -> {args.out}")
        return 0
    if args.annotator:
        labels = labels[labels["annotator"] == args.annotator]
    return _summary(labels, scheme, datasets, args.json)


def _study(datasets: list[Dataset], scheme: Scheme) -> tuple[str, set[str]]:
    """The fingerprint labels hang on, and the row ids they may name."""
    if scheme.items == "pair":
        pool = sampling.candidates(datasets, pairwise=True)
        return sampling.pair_fingerprint(*datasets), set(pool["row_id"])
    if len(datasets) != 1:
        raise WorkbenchError(Errors.E059.format(scheme=scheme.name, count=len(datasets)))
    [dataset] = datasets
    return dataset.fingerprint, set(dataset.frame["id"].astype(str))


def _summary(labels, scheme: Scheme, datasets: list[Dataset], as_json: bool) -> int:
    if scheme.kind == "quality":
        result = summary.quality_summary(labels, scheme)
        if as_json:
            print(json.dumps(result))
        else:
            print(summary.quality_table(result, scheme).to_string(index=False))
        return 0
    if scheme.kind == "rating":
        table = summary.rating_distribution(
            labels, scheme, {d.fingerprint: d.name for d in datasets}
        )
    else:
        table = summary.pairwise_summary(labels, scheme, tuple(d.name for d in datasets))
    print(table.to_json(orient="records") if as_json else table.to_string(index=False))
    return 0
