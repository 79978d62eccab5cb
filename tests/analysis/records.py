"""Record-schema frames built in memory from records, for tests (the library reads files)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from analysis.schema import ALL_FIELDS, columns_frame


def records_frame(records: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """The canonical frame of records made with `analysis.schema.make_record`."""
    records = list(records)
    return columns_frame({name: [r[name] for r in records] for name in ALL_FIELDS}, len(records))
