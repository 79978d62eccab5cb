"""The dataset registry: bundled datasets (data/manifest.json) and the user's own datasets.

It only knows entries (name -> where the data is, how to read it, and its provenance); the one
resolver, analysis.datasets.load_dataset, turns a name into records. User datasets, added by
local path or upload, are copied into the git-ignored workspace, so the original file is never
touched and an upload never lands in the working directory. A Hugging Face hub id is registered
by its id: the datasets library keeps its own cache of the data. The sidebar, the CLI
(`python -m analysis datasets`) and notebooks share this one index.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path

from analysis import readers
from analysis.atomic import atomic_write_bytes, atomic_write_text
from analysis.errors import DataLoadError, Errors, WorkbenchError
from analysis.paths import DATA_DIR, MANIFEST_PATH, user_datasets_dir

#: ``DatasetInfo.kind`` of each way a dataset is registered.
BUNDLED, USER, HUB = "bundled", "user", "hub"
#: Upload size limit, in megabytes (Streamlit's own limit is set to match in .streamlit/).
UPLOAD_LIMIT_MB = 200
#: Longest stored file name kept from an upload's name (file systems allow 255 bytes).
_MAX_STORED_NAME = 80


@dataclass(frozen=True)
class DatasetInfo:
    """One registered dataset: where it is, how to read it, and where it came from."""

    name: str
    path: str
    description: str = ""
    source: str = ""
    licence: str = ""
    rows: int | None = None
    format: str | None = None
    model: str | None = None
    group: str | None = None
    kind: str = BUNDLED
    mapping: tuple[tuple[str, str], ...] = ()
    skip_bad_lines: bool = False
    original: str = ""

    @classmethod
    def from_json(cls, entry: dict) -> DatasetInfo:
        mapping = tuple(tuple(pair) for pair in entry.pop("mapping", None) or ())
        return cls(**entry, mapping=mapping)

    @property
    def location(self) -> Path | str:
        """Where to read it from: a path (bundled ones relative to data/), or a hub id."""
        if self.kind == HUB:
            return self.path
        path = Path(self.path)
        return path if path.is_absolute() else DATA_DIR / path

    def read_options(self) -> readers.ReadOptions:
        return readers.ReadOptions(self.format, self.mapping, self.skip_bad_lines)


@lru_cache(maxsize=1)
def _bundled() -> tuple[DatasetInfo, ...]:
    entries = json.loads(MANIFEST_PATH.read_text(encoding="utf-8"))["datasets"]
    return tuple(DatasetInfo.from_json(entry) for entry in entries)


def bundled() -> list[DatasetInfo]:
    """The datasets that ship with the workbench (read once: the manifest is part of the code;
    the user's index is read on every call, since the sidebar and the CLI both change it)."""
    return list(_bundled())


def _user_index_path() -> Path:
    return user_datasets_dir() / "index.json"


def user_datasets() -> list[DatasetInfo]:
    path = _user_index_path()
    if not path.exists():
        return []
    return [DatasetInfo.from_json(e) for e in json.loads(path.read_text(encoding="utf-8"))]


def all_datasets() -> list[DatasetInfo]:
    return bundled() + user_datasets()


def lookup(name: str) -> DatasetInfo | None:
    """The entry registered under `name` (bundled names first), or None."""
    return next((info for info in all_datasets() if info.name == name), None)


def entry_for_path(path: Path) -> DatasetInfo | None:
    """The entry whose data is this file or folder: loading it by path is loading that dataset."""
    resolved = path.resolve()
    for info in all_datasets():
        if info.kind != HUB and Path(info.location).resolve() == resolved:
            return info
    return None


def known_names() -> str:
    """Every registered name, for messages."""
    names = [info.name for info in all_datasets()]
    return ", ".join(names)


def _safe_name(name: str) -> str:
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._") or "dataset"
    if len(safe) <= _MAX_STORED_NAME:
        return safe
    stem, dot, suffix = safe.rpartition(".")
    if not dot or len(suffix) > 10:
        return safe[:_MAX_STORED_NAME]
    return stem[: _MAX_STORED_NAME - len(suffix) - 1] + "." + suffix


def _check_name(name: str, replace: bool) -> None:
    if not name.strip():
        raise WorkbenchError(Errors.E037)
    existing = lookup(name)
    if existing is None:
        return
    if existing.kind == BUNDLED:
        raise WorkbenchError(Errors.E036.format(name=name))
    if not replace:
        raise WorkbenchError(Errors.E034.format(name=name))


def add_user_dataset(
    name: str,
    *,
    path: str | Path | None = None,
    data: bytes | None = None,
    filename: str | None = None,
    format: str | None = None,
    mapping: dict[str, str] | None = None,
    skip_bad_lines: bool = False,
    replace: bool = False,
) -> DatasetInfo:
    """Copy a local file or uploaded bytes into the workspace, check it loads, and register it.

    A folder (a generation run, a saved Hugging Face dataset) is registered where it is. The
    copy is validated before it is registered, so a bad upload leaves the registry as it was;
    an existing name is only replaced when `replace` is set.
    """
    if (path is None) == (data is None):
        raise ValueError("give exactly one of path or data")
    _check_name(name, replace)
    if data is not None and len(data) > UPLOAD_LIMIT_MB * 1024 * 1024:
        raise WorkbenchError(
            Errors.E013.format(
                what=filename or name, size_mb=len(data) / 2**20, limit_mb=UPLOAD_LIMIT_MB
            )
        )
    if path is not None:
        path = Path(path).expanduser()
        if not path.exists():
            raise DataLoadError(path, Errors.E009)
        if path.exists() and not (path.is_file() or path.is_dir()):
            raise DataLoadError(path, Errors.E038)
        data = path.read_bytes() if path.is_file() else None
        filename = path.name
    options = readers.ReadOptions.make(format, mapping, skip_bad_lines)
    copied = data is not None
    if copied:
        digest = hashlib.sha256(data).hexdigest()[:12]
        target = user_datasets_dir() / f"{digest}-{_safe_name(filename or name)}"
        atomic_write_bytes(target, data)
    else:
        target = Path(path).resolve()
    try:
        dataset = readers.read_path(target, options, name)
    except WorkbenchError as error:
        if copied and not _referenced(target):
            target.unlink(missing_ok=True)
        if isinstance(error, DataLoadError) and copied:  # name the user's file, not our copy
            raise DataLoadError(
                path or filename or name, error.problem, error.line, error.column
            ) from None
        raise
    info = DatasetInfo(
        name=name,
        path=str(target),
        rows=len(dataset),
        format=dataset.format,
        kind=USER,
        description=f"added from {filename or target}",
        mapping=options.mapping,
        skip_bad_lines=skip_bad_lines,
        original=str(path.resolve()) if path is not None else (filename or ""),
    )
    _register(info)
    return info


def add_hub_dataset(hub_id: str, name: str = "", *, replace: bool = False) -> DatasetInfo:
    """Check that a Hugging Face hub id loads, and register it under ``name`` (default: the id)."""
    name = name or hub_id
    _check_name(name, replace)
    dataset = readers.read_hub(hub_id, readers.ReadOptions(), name)
    info = DatasetInfo(
        name=name,
        path=hub_id,
        rows=len(dataset),
        format=dataset.format,
        kind=HUB,
        description=f"Hugging Face hub dataset {hub_id}",
    )
    _register(info)
    return info


def _register(info: DatasetInfo) -> None:
    entries = user_datasets()
    _write_user_index([e for e in entries if e.name != info.name] + [info])
    _remove_unreferenced([e for e in entries if e.name == info.name])


def remove_user_dataset(name: str) -> None:
    """Forget a user dataset; its stored copy goes too unless another name still uses it."""
    entries = user_datasets()
    if not any(e.name == name for e in entries):
        if lookup(name) is not None:
            raise WorkbenchError(Errors.E036.format(name=name))
        raise WorkbenchError(Errors.E014.format(name=name, names=known_names()))
    _write_user_index([e for e in entries if e.name != name])
    _remove_unreferenced([e for e in entries if e.name == name])


def _referenced(path: Path) -> bool:
    return any(Path(e.path) == path for e in user_datasets())


def _remove_unreferenced(removed: list[DatasetInfo]) -> None:
    """Delete stored copies (never a user's own folder) that no entry points at any more."""
    for entry in removed:
        path = Path(entry.path)
        if path.parent == user_datasets_dir() and not _referenced(path):
            path.unlink(missing_ok=True)


def _write_user_index(entries: list[DatasetInfo]) -> None:
    """Replace the index atomically: an interrupted write never loses what was registered."""
    atomic_write_text(_user_index_path(), json.dumps([asdict(e) for e in entries], indent=1))
