"""The derived columns the pages open with, computed ahead (at `make run`), so a first visit
reads them from the disk cache instead of parsing while the person waits."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from analysis.compare import reference_rouge_cached
from analysis.datasets import Dataset, load_dataset
from analysis.defaults import DEFAULT_POOL
from analysis.lengths import length_columns
from analysis.rouge import max_rouge_to_pool_cached
from analysis.stats import table1_cached
from analysis.verbs import RULES, verb_noun_column


def page_columns(dataset: Dataset, pool: Dataset) -> Iterator[tuple[str, Callable[[], object]]]:
    """(what, compute) for every column a page shows of `dataset` on its first visit: Table 1,
    lengths, the verb-noun parse of instructions (and of outputs, where there are any, for
    Compare models), ROUGE-L to the seed pool, and ROUGE-L to the reference where there is one.
    """
    frame = dataset.frame
    yield "Table 1", lambda: table1_cached(dataset)
    yield "lengths", lambda: length_columns(dataset)
    fields = ["instruction"] + (["output"] if frame["output"].astype(bool).any() else [])
    for field in fields:
        yield f"verb-noun of {field}s", lambda f=field: verb_noun_column(dataset, f, RULES[0])
    yield f"ROUGE-L to {pool.name}", lambda: max_rouge_to_pool_cached(dataset, pool)
    if frame["reference"].notna().any():
        yield "ROUGE-L to the reference", lambda: reference_rouge_cached(dataset)


def precompute(names: list[str], report: Callable[[str], None] = print) -> None:
    """Compute (or find cached) every page column of each dataset; cached ones cost a read."""
    pool = load_dataset(DEFAULT_POOL)
    for name in names:
        dataset = load_dataset(name)
        for what, compute in page_columns(dataset, pool):
            compute()
            report(f"{name}: {what}")
