"""The dataset registry: bundled datasets (data/manifest.json) and the user's own datasets.

User datasets, added by local path or upload, are copied into the git-ignored workspace, so the
original file is never touched and an upload never lands in the working directory. A Hugging Face
hub id is registered by its id: the datasets library keeps its own cache of the data.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from analysis.datasets import Dataset, load_dataset
from analysis.errors import DataLoadError, Errors, WorkbenchError
from analysis.paths import DATA_DIR, MANIFEST_PATH, workspace_dir

#: ``DatasetInfo.kind`` of a dataset registered by its Hugging Face hub id.
HUB = "hub"
#: Upload size limit, in megabytes (Streamlit's own limit is set to match in .streamlit/).
UPLOAD_LIMIT_MB = 200


@dataclass(frozen=True)
class DatasetInfo:
    name: str
    path: str
    description: str = ""
    source: str = ""
    licence: str = ""
    rows: int | None = None
    format: str | None = None
    model: str | None = None
    group: str | None = None
    kind: str = "bundled"

    @property
    def full_path(self) -> Path | str:
        """Where to load it from: a path (bundled ones relative to data/), or a hub id."""
        if self.kind == HUB:
            return self.path
        path = Path(self.path)
        return path if path.is_absolute() else DATA_DIR / path


def read_manifest(path: Path = MANIFEST_PATH) -> list[DatasetInfo]:
    entries = json.loads(path.read_text(encoding="utf-8"))["datasets"]
    return [DatasetInfo(**entry) for entry in entries]


def bundled() -> list[DatasetInfo]:
    return read_manifest()


def bundled_path(name: str) -> Path | None:
    for info in bundled():
        if info.name == name:
            return info.full_path
    return None


def _user_index_path() -> Path:
    return workspace_dir() / "datasets" / "index.json"


def user_datasets() -> list[DatasetInfo]:
    path = _user_index_path()
    if not path.exists():
        return []
    return [DatasetInfo(**entry) for entry in json.loads(path.read_text(encoding="utf-8"))]


def all_datasets() -> list[DatasetInfo]:
    return bundled() + user_datasets()


def find(name: str) -> DatasetInfo:
    for info in all_datasets():
        if info.name == name:
            return info
    names = ", ".join(info.name for info in bundled())
    raise WorkbenchError(Errors.E014.format(name=name, names=names))


def load(info: DatasetInfo | str, **options: Any) -> Dataset:
    """Load a registered dataset, filling `model`/`source` from the manifest where rows lack them."""
    if isinstance(info, str):
        info = find(info)
    dataset = load_dataset(
        info.full_path, format=options.pop("format", info.format), name=info.name, **options
    )
    frame = dataset.frame
    if info.model:
        frame["model"] = frame["model"].fillna(info.model)
    if info.source:
        frame["source"] = frame["source"].fillna(info.source)
    return dataset


def _safe_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._") or "dataset"


def add_user_dataset(
    name: str,
    *,
    path: str | Path | None = None,
    data: bytes | None = None,
    filename: str | None = None,
    format: str | None = None,
) -> DatasetInfo:
    """Copy a local file or uploaded bytes into the workspace, check it loads, and register it.

    The copy is validated before it is registered, so a bad upload leaves the registry as it was.
    """
    if (path is None) == (data is None):
        raise ValueError("give exactly one of path or data")
    if data is not None and len(data) > UPLOAD_LIMIT_MB * 1024 * 1024:
        raise WorkbenchError(
            Errors.E013.format(
                what=filename or name, size_mb=len(data) / 2**20, limit_mb=UPLOAD_LIMIT_MB
            )
        )
    if path is not None:
        path = Path(path)
        if not path.exists():
            raise DataLoadError(path, Errors.E009)
        data = path.read_bytes() if path.is_file() else None
        filename = path.name
    folder = workspace_dir() / "datasets"
    folder.mkdir(parents=True, exist_ok=True)
    if data is None:  # a folder (a generation run or a saved Hugging Face dataset) is referenced
        target = Path(path).resolve()
    else:
        digest = hashlib.sha256(data).hexdigest()[:12]
        target = folder / f"{digest}-{_safe_name(filename or name)}"
        tmp = target.with_suffix(target.suffix + ".part")
        tmp.write_bytes(data)
        os.replace(tmp, target)
    try:
        dataset = load_dataset(target, format=format, name=name)
    except WorkbenchError:
        if data is not None:
            target.unlink(missing_ok=True)
        raise
    info = DatasetInfo(
        name=name,
        path=str(target),
        rows=len(dataset),
        format=dataset.format,
        kind="user",
        description=f"added from {filename or target}",
    )
    _register(info)
    return info


def add_hub_dataset(hub_id: str, name: str = "") -> DatasetInfo:
    """Check that a Hugging Face hub id loads, and register it under ``name`` (default: the id)."""
    dataset = load_dataset(hub_id, name=name or hub_id)
    info = DatasetInfo(
        name=name or hub_id,
        path=hub_id,
        rows=len(dataset),
        format=dataset.format,
        kind=HUB,
        description=f"Hugging Face hub dataset {hub_id}",
    )
    _register(info)
    return info


def _register(info: DatasetInfo) -> None:
    _write_user_index([e for e in user_datasets() if e.name != info.name] + [info])


def _write_user_index(entries: list[DatasetInfo]) -> None:
    """Replace the index atomically: an interrupted write never loses what was registered."""
    index = _user_index_path()
    index.parent.mkdir(parents=True, exist_ok=True)
    tmp = index.with_suffix(".tmp")
    tmp.write_text(json.dumps([e.__dict__ for e in entries], indent=1), encoding="utf-8")
    os.replace(tmp, index)


def remove_user_dataset(name: str) -> None:
    entries = user_datasets()
    index = _user_index_path()
    _write_user_index([e for e in entries if e.name != name])
    for entry in entries:
        if entry.name == name and Path(entry.path).parent == index.parent:
            Path(entry.path).unlink(missing_ok=True)
