"""The one resolver: whatever names a dataset -> the same records, metadata and fingerprint.

A source is, in this order: a registered name (bundled, or added by the user in the sidebar or
with `python -m analysis datasets add`), a file or folder path (a generation run folder, a folder
saved with `save_to_disk`), or a Hugging Face hub id. A path that is a registered dataset's file
is that dataset. The CLI, the pages, the notebooks and the pipelines all call `load_dataset`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd

from analysis import registry
from analysis.atomic import atomic_open
from analysis.errors import DataLoadError, Errors
from analysis.readers import (
    RUN_DATASET_FILE,
    SUFFIXES,
    Dataset,
    ReadOptions,
    parse_mapping,
    read_hub,
    read_path,
)
from analysis.registry import DatasetInfo
from analysis.schema import to_records

__all__ = ["Dataset", "Source", "load_dataset", "parse_mapping", "resolve", "save_jsonl"]

PATH, HUB = "path", "hub"
#: Suffixes that make a source a file name, never a hub id.
_FILE_SUFFIXES = frozenset(SUFFIXES) | {".txt", ".tsv", ".gz", ".zip", ".xz", ".arrow"}


@dataclass(frozen=True)
class Source:
    """What a source string names: a path or a hub id, and its registry entry if it has one."""

    kind: str
    location: str
    entry: DatasetInfo | None = None

    @property
    def label(self) -> str:
        if self.entry is not None:
            return self.entry.name
        return Path(self.location).stem if self.kind == PATH else self.location

    def version(self) -> tuple:
        """Changes whenever the data may have changed, without reading it: the pages' cache key.

        Files: size and modification time (of a run folder's dataset file, of every file in a
        saved folder); hub ids: the id (the datasets library keeps its own cache).
        """
        if self.kind == HUB:
            return (self, None)
        path = Path(self.location)
        if (path / RUN_DATASET_FILE).is_file():
            path = path / RUN_DATASET_FILE
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        return (self, tuple((str(p), _size_and_time(p)) for p in files))


def _size_and_time(path: Path) -> tuple[int, int] | None:
    try:
        stat = path.stat()
    except OSError:  # gone: the load says so
        return None
    return stat.st_size, stat.st_mtime_ns


def resolve(source: str | Path) -> Source:
    """Decide what `source` names, without reading any data."""
    text = str(source)
    entry = registry.lookup(text)
    if entry is not None:
        return Source(HUB if entry.kind == registry.HUB else PATH, str(entry.location), entry)
    path = Path(text).expanduser()
    if path.exists():
        return Source(PATH, str(path), registry.entry_for_path(path))
    if _looks_like_path(text):
        raise DataLoadError(text, Errors.E009)
    if _looks_like_hub_id(text):
        return Source(HUB, text)
    raise DataLoadError(text, Errors.E035.format(names=registry.known_names()))


def load_dataset(
    source: str | Path | Source,
    format: str | None = None,
    mapping: Mapping[str, str] | None = None,
    skip_bad_lines: bool = False,
    name: str | None = None,
    split: str = "train",
) -> Dataset:
    """Load a registered name, a path or a hub id (see the module docstring).

    `format`, `mapping` and `skip_bad_lines` default to what the registry recorded for the
    dataset; given, they change what is read, and so the fingerprint.
    """
    options = ReadOptions.make(format, mapping, skip_bad_lines, split)
    resolved = source if isinstance(source, Source) else resolve(source)
    entry = resolved.entry
    if entry is not None and options == ReadOptions(split=split):
        options = replace(entry.read_options(), split=split)
    label = name or resolved.label
    if resolved.kind == HUB:
        try:
            dataset = read_hub(resolved.location, options, label)
        except DataLoadError as error:
            if entry is not None:
                raise
            problem = f"{error.problem}. {Errors.E039.format(names=registry.known_names())}"
            raise DataLoadError(resolved.location, problem) from None
    else:
        path = Path(resolved.location)
        if not path.exists():
            raise DataLoadError(path, Errors.E009)
        if not (path.is_file() or path.is_dir()):
            raise DataLoadError(path, Errors.E038)
        dataset = read_path(path, options, label)
    if entry is not None:
        _apply_entry(dataset, entry)
    return dataset


def _apply_entry(dataset: Dataset, entry: DatasetInfo) -> None:
    """Fill what the registry knows and the rows lack (model, source); it is content too."""
    fills = {"model": entry.model, "source": entry.source}
    for column, value in fills.items():
        if value:
            dataset.frame[column] = dataset.frame[column].fillna(value)
    if any(fills.values()):
        dataset.fingerprint = _combine(dataset.fingerprint, fills)
    if entry.original:  # a user's dataset: messages name their file, not the workspace copy
        dataset.warnings = [w.replace(dataset.path, entry.original) for w in dataset.warnings]
    dataset.entry = entry


def _combine(fingerprint: str, extra: Mapping[str, object]) -> str:
    payload = json.dumps([fingerprint, dict(extra)], sort_keys=True).encode()
    return hashlib.sha256(payload).hexdigest()[:16]


def _looks_like_path(text: str) -> bool:
    """A mistyped file name must not be looked up on the hub: say it does not exist instead."""
    if text.startswith((".", "/", "~", "\\")) or text.count("/") > 1:
        return True
    if Path(text).suffix.lower() in _FILE_SUFFIXES:
        return True
    return "/" in text and Path(text.split("/", 1)[0]).is_dir()


def _looks_like_hub_id(text: str) -> bool:
    parts = text.split("/")
    return len(parts) <= 2 and all(parts)


def save_jsonl(frame: pd.DataFrame, path: Path) -> None:
    """Write a canonical frame as schema JSONL (one record a line), atomically."""
    with atomic_open(path) as handle:
        for record in to_records(frame):
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
