"""A reproducible 8:1:1 train / validation / test split of a dataset's row ids.

CITING splits Alpaca 8:1:1. The split is a seeded permutation of the row ids, so the same
dataset (fingerprint) and seed give the same parts on any machine; the parts are recorded in
the run folder (split.json) and its manifest.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from analysis.errors import Errors, WorkbenchError

TRAIN, VALIDATION, TEST = "train", "validation", "test"
PARTS = (TRAIN, VALIDATION, TEST)
RATIOS = (8, 1, 1)


def split_ids(
    ids: Sequence[str], seed: int, ratios: Sequence[int] = RATIOS, source: str = "the dataset"
) -> dict[str, list[str]]:
    """part -> row ids, in the permutation's order. Validation and test get
    round(n * share) rows each (at least one), train the rest."""
    total = sum(ratios)
    minimum = -(-total // min(ratios))  # enough rows for every part to get one
    if len(ids) < minimum:
        raise WorkbenchError(Errors.E122.format(source=source, rows=len(ids), minimum=minimum))
    order = list(ids)
    random.Random(f"citing-split:{seed}").shuffle(order)
    sizes = [max(1, round(len(order) * share / total)) for share in ratios[1:]]
    validation_end = len(order) - sum(sizes)
    test_start = validation_end + sizes[0]
    return {
        TRAIN: order[:validation_end],
        VALIDATION: order[validation_end:test_start],
        TEST: order[test_start:],
    }
