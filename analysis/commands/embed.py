"""`python -m analysis embed PATH [--field F] [--model M]`: a column's sentence embeddings.

Encoded in chunks with progress on stderr and cached by (content fingerprint, field, model), so
a rerun, or a restart after an interruption, recomputes nothing already done; the last line on
stderr says how many rows the model encoded and how many came from the cache.
"""

from __future__ import annotations

import argparse
import sys
import time

from analysis.cli import add_dataset_arguments, load_dataset_argument
from analysis.embeddings import DEFAULT_MODEL, dataset_embeddings_resumable
from analysis.engines import add_engine_arguments, engine_argument
from analysis.progress import progress_text
from analysis.schema import TEXT_FIELDS
from analysis.wording import counted

NAME = "embed"
HELP = "sentence embeddings of a column, cached (the map, diversity and CITING read them)."


def configure(parser: argparse.ArgumentParser) -> None:
    add_dataset_arguments(parser)
    parser.add_argument("--field", default="instruction", choices=TEXT_FIELDS)
    parser.add_argument(
        "--model",
        default=DEFAULT_MODEL,
        help=f"sentence-transformers model name or folder (default: {DEFAULT_MODEL}, bundled)",
    )
    add_engine_arguments(parser)


def stderr_progress(what: str):
    """A `(done, total)` callback printing one updating line on stderr."""
    start = time.monotonic()

    def report(done: int, total: int) -> None:
        line = progress_text(what, done, total, time.monotonic() - start)
        print(f"\r{line}", end="\n" if done >= total else "", file=sys.stderr, flush=True)

    return report


def run(args: argparse.Namespace) -> int:
    dataset = load_dataset_argument(args)
    start = time.monotonic()
    encoded = []
    with engine_argument(args) as engine:
        vectors = dataset_embeddings_resumable(
            dataset,
            args.field,
            args.model,
            stderr_progress(f"Embedding {dataset.name}"),
            encoded=encoded.append,
            encode_chunks=engine.encode_chunks,
        )
    elapsed = time.monotonic() - start
    print(
        f"{len(vectors)} rows of {dataset.name} ({args.field}) embedded with {args.model}: "
        f"{vectors.shape[1] if vectors.ndim == 2 else 0} dimensions, {elapsed:.1f} s"
    )
    # What a rerun saved: a user sees that the cache was used, a test counts it.
    print(
        f"{counted(sum(encoded), 'row')} encoded now, "
        f"{len(vectors) - sum(encoded)} read from the cache",
        file=sys.stderr,
    )
    return 0
