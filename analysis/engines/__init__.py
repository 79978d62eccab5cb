"""Where the heavy per-row analyses run: in this process (local) or on a Ray cluster (ray).

`verbs`, `similarity`, `dedup` and `embed` take ``--engine local|ray``. An :class:`Engine` is the few
steps the library lets another engine take over: parsing verb-noun chunks, scoring rows against
a pool, verifying dedup's candidate pairs, encoding embedding chunks. None of a step means the library's own local code.
The Ray engine runs the same pure functions on Ray actors, so results and caches are the same.
Ray is imported only in ``analysis.engines.ray_engine``, and that only when asked for: a user
without requirements-scale.txt gets a WorkbenchError naming it, not an ImportError.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from analysis.errors import Errors, WorkbenchError

if TYPE_CHECKING:
    from analysis.embeddings import EncodeChunks
    from analysis.rouge.allpairs import VerifyChunks
    from analysis.verbs.column import ParseChunks

ENGINES: tuple[str, ...] = ("local", "ray")
LOCAL, RAY = ENGINES


@dataclass(frozen=True)
class Engine:
    """The steps an engine takes over (None: the library's local code does it)."""

    name: str = LOCAL
    #: verbs: parse the chunks still to do (analysis.verbs.column.extract_in_chunks).
    parse_chunks: ParseChunks | None = None
    #: similarity: analysis.rouge.rouge_to_pool's job, same arguments and frame.
    rouge_to_pool: Callable | None = None
    #: dedup: verify the candidate pairs (analysis.rouge.allpairs.all_pairs_above).
    verify: VerifyChunks | None = None
    #: embed: encode the chunks still to do (analysis.embeddings.dataset_embeddings_resumable).
    encode_chunks: EncodeChunks | None = None


def add_engine_arguments(parser: argparse.ArgumentParser) -> None:
    """--engine and --ray-address: the same options on every command that can scale out."""
    parser.add_argument(
        "--engine",
        choices=ENGINES,
        default=LOCAL,
        help="local: this machine's processes; ray: actors of a Ray cluster, the same results "
        "(needs `pip install -r requirements-scale.txt`)",
    )
    parser.add_argument(
        "--ray-address",
        metavar="ADDRESS",
        help="the cluster of --engine ray, e.g. ray://HEAD:10001 (default: the RAY_ADDRESS "
        "environment variable, else a Ray cluster of this machine's CPUs, started and stopped)",
    )


def import_ray() -> None:
    """Raise E110 (install requirements-scale.txt) where Ray Data cannot be imported."""
    try:
        import ray  # noqa: F401
        import ray.data  # noqa: F401
    except ImportError as error:
        raise WorkbenchError(Errors.E110.format(why=error)) from None


@contextmanager
def open_engine(name: str = LOCAL, address: str | None = None) -> Iterator[Engine]:
    """The engine called `name`, connected (Ray: to `address`) while the block runs."""
    if name == LOCAL:
        if address:
            raise WorkbenchError(Errors.E112)
        yield Engine()
        return
    import_ray()
    from analysis.engines import ray_engine

    with ray_engine.connected(address):
        yield Engine(
            RAY,
            parse_chunks=ray_engine.parse_chunks,
            rouge_to_pool=ray_engine.rouge_to_pool,
            verify=ray_engine.verify_chunks,
            encode_chunks=ray_engine.encode_chunks,
        )


def engine_argument(args: argparse.Namespace):
    """:func:`open_engine` of the options :func:`add_engine_arguments` added."""
    return open_engine(args.engine, args.ray_address)
