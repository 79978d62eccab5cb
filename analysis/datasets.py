"""Load any supported dataset file (or folder, or hub id) into the one record schema.

Readers stream raw records with their line numbers; converters (analysis.formats) map each raw
record to schema rows; errors name the file, the line (and the column for JSON) and what was
expected. Input files are only ever opened for reading.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from analysis import cache, formats
from analysis.errors import DataLoadError, Errors, WorkbenchError
from analysis.schema import ALL_FIELDS, columns_frame, to_records

#: File suffix -> reader kind.
SUFFIXES = {
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".csv": "csv",
    ".parquet": "parquet",
}
#: Name of the dataset file inside a generation run folder.
RUN_DATASET_FILE = "dataset.jsonl"
#: Bump when parsing changes what a file yields: parsed tables of older versions are not reused.
PARSER_VERSION = "1"
PARSED_NAMESPACE = "parsed"
_EXPECTED_RECORDS = "a JSON list of records or one JSON object per line"


@dataclass
class Dataset:
    """A loaded dataset: the canonical frame plus where it came from and its content hash."""

    name: str
    frame: pd.DataFrame
    fingerprint: str
    path: str
    format: str
    warnings: list[str] = field(default_factory=list)
    skipped_lines: list[int] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.frame)


def load_dataset(
    source: str | Path,
    format: str | None = None,
    mapping: Mapping[str, str] | None = None,
    skip_bad_lines: bool = False,
    name: str | None = None,
    split: str = "train",
) -> Dataset:
    """Load a path, a bundled dataset name or a Hugging Face hub id.

    `format` forces a converter (see analysis.formats.CONVERTERS); `mapping` renames source
    columns to schema fields ({schema_field: source_column}); `skip_bad_lines` drops malformed
    JSONL lines and reports them instead of failing.
    """
    if format is not None and format not in formats.CONVERTERS:
        raise WorkbenchError(Errors.E008.format(name=format, formats=", ".join(formats.CONVERTERS)))
    path = Path(source)
    if not path.exists():
        from analysis import registry

        bundled = registry.bundled_path(str(source))
        if bundled is not None:
            return load_dataset(bundled, format, mapping, skip_bad_lines, name or str(source))
        if _looks_like_hub_id(str(source)):
            return _load_hub(str(source), format, mapping, split, name)
        raise DataLoadError(source, Errors.E009)
    if path.is_dir():
        if (path / RUN_DATASET_FILE).exists():
            return load_dataset(
                path / RUN_DATASET_FILE, format, mapping, skip_bad_lines, name or path.name
            )
        return _load_saved_hf(path, format, mapping, split, name)
    return _load_file(path, format, mapping, skip_bad_lines, name or path.stem)


def parse_mapping(pairs: list[str]) -> dict[str, str] | None:
    """`["instruction=question", ...]` from the command line -> {"instruction": "question"}."""
    mapping = {}
    for pair in pairs:
        field, sep, column = pair.partition("=")
        if not sep or field not in ALL_FIELDS or not column:
            raise WorkbenchError(
                f"--map {pair!r}: expected FIELD=COLUMN with FIELD one of {', '.join(ALL_FIELDS)}"
            )
        mapping[field] = column
    return mapping or None


def _load_file(
    path: Path,
    format: str | None,
    mapping: Mapping[str, str] | None,
    skip_bad_lines: bool,
    name: str,
) -> Dataset:
    """Parse a file once; later loads of the same bytes read the parsed table from the cache."""
    kind = SUFFIXES.get(path.suffix.lower())
    if kind is None:
        kind = _sniff_kind(path)
    if path.stat().st_size == 0:
        raise DataLoadError(path, Errors.E001.format(expected=_EXPECTED_RECORDS))
    fingerprint = _fingerprint_file(path, format, mapping, skip_bad_lines)
    cached = cache.read_frame(PARSED_NAMESPACE, fingerprint)
    if cached is not None:
        frame, meta = cached
        frame["metadata"] = frame["metadata"].map(_metadata_from_json)
        used_format, skipped = meta["format"], meta["skipped"]
    else:
        skipped = []
        if kind == "jsonl":
            raws = _read_jsonl(path, skip_bad_lines, skipped)
        elif kind == "json":
            raws = _read_json(path)
        elif kind == "csv":
            raws = _read_table(path, pd.read_csv(path, dtype=str, keep_default_na=False), mapping)
        else:
            raws = _read_table(path, pd.read_parquet(path), mapping)
        frame, used_format = _convert(path, raws, format, mapping)
        stored = frame.assign(metadata=frame["metadata"].map(_metadata_to_json))
        cache.write_frame(
            PARSED_NAMESPACE, fingerprint, stored, {"format": used_format, "skipped": skipped}
        )
    dataset = Dataset(
        name=name,
        frame=frame,
        fingerprint=fingerprint,
        path=str(path),
        format=used_format,
        skipped_lines=skipped,
    )
    if skipped:
        shown = ", ".join(map(str, skipped[:20])) + (" ..." if len(skipped) > 20 else "")
        dataset.warnings.append(f"{path}: " + Errors.E011.format(count=len(skipped), lines=shown))
    return dataset


def _metadata_to_json(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, default=str)


def _metadata_from_json(value: Any) -> Any:
    return None if value is None or value is pd.NA else json.loads(value)


def _sniff_kind(path: Path) -> str:
    with path.open("rb") as handle:
        head = handle.read(4096).lstrip()
    if head.startswith(b"["):
        return "json"
    if head.startswith(b"{"):
        return "jsonl"
    if head.startswith(b"PAR1"):
        return "parquet"
    raise DataLoadError(
        path,
        Errors.E007.format(
            why=f"unknown suffix {path.suffix!r} and the content is not JSON",
            formats="a .json, .jsonl, .csv or .parquet file",
        ),
    )


def _decode(path: Path, data: bytes, line: int | None = None, line_start: int = 0) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        offset = line_start + error.start
        if line is None:
            line = data.count(b"\n", 0, error.start) + 1
            column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        else:
            column = error.start + 1
        raise DataLoadError(
            path, Errors.E003.format(byte=data[error.start], offset=offset), line, column
        ) from None


def _read_jsonl(path: Path, skip_bad_lines: bool, skipped: list[int]) -> Iterator[tuple[int, Any]]:
    """Stream (line number, object) pairs; only one line is held in memory at a time."""
    offset = 0
    with path.open("rb") as handle:
        for number, data in enumerate(handle, start=1):
            start, offset = offset, offset + len(data)
            if not data.strip():
                continue
            if number == 1 and data.startswith(b"\xef\xbb\xbf"):
                data = data[3:]
            text = _decode(path, data, number, start)
            try:
                yield number, json.loads(text)
            except json.JSONDecodeError as error:
                if skip_bad_lines:
                    skipped.append(number)
                    continue
                raise DataLoadError(
                    path, Errors.E002.format(msg=error.msg), number, error.colno
                ) from None


def _read_json(path: Path) -> Iterator[tuple[int, Any]]:
    data = path.read_bytes()
    text = _decode(path, data).lstrip("\ufeff")
    if not text.strip():
        raise DataLoadError(path, Errors.E001.format(expected=_EXPECTED_RECORDS))
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        if error.msg == "Extra data":
            raise DataLoadError(
                path,
                Errors.E002.format(
                    msg="more than one JSON value; if this is JSON Lines, name it .jsonl "
                    "or pass format explicitly"
                ),
                error.lineno,
                error.colno,
            ) from None
        raise DataLoadError(
            path, Errors.E002.format(msg=error.msg), error.lineno, error.colno
        ) from None
    if isinstance(value, dict):
        for key in ("data", "rows", "examples", "train"):
            if isinstance(value.get(key), list):
                value = value[key]
                break
        else:
            raise DataLoadError(
                path,
                Errors.E004.format(
                    expected="a JSON list of records at the top level",
                    found=f"an object with keys {sorted(value)[:10]}",
                ),
                1,
                1,
            )
    if not isinstance(value, list):
        raise DataLoadError(
            path,
            Errors.E004.format(
                expected="a JSON list of records at the top level", found=_kind(value)
            ),
            1,
            1,
        )
    line_of = _element_lines(text) if len(value) < 200_000 else None
    for index, raw in enumerate(value):
        yield (line_of[index] if line_of and index < len(line_of) else index + 1), raw


def _element_lines(text: str) -> list[int]:
    """Line on which each top-level list element starts (for error messages in JSON files)."""
    lines: list[int] = []
    depth, line, in_string, escaped, expect_value = 0, 1, False, False, False
    for char in text:
        if char == "\n":
            line += 1
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
            continue
        if char.isspace():
            continue
        if depth == 1 and expect_value and char not in ",]":
            lines.append(line)
            expect_value = False
        if char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            expect_value = depth == 1
        elif char in "]}":
            depth -= 1
        elif char == "," and depth == 1:
            expect_value = True
    return lines


def _read_table(
    path: Path, table: pd.DataFrame, mapping: Mapping[str, str] | None
) -> Iterator[tuple[int, Any]]:
    if mapping:
        missing = [column for column in mapping.values() if column not in table.columns]
        if missing:
            raise DataLoadError(
                path, Errors.E012.format(missing=missing, found=list(table.columns))
            )
    first_line = 2 if path.suffix.lower() == ".csv" else 1  # CSV line 1 is the header
    for index, raw in enumerate(table.to_dict(orient="records")):
        if "metadata" in raw:
            raw["metadata"] = formats.parse_metadata(raw["metadata"])
        yield index + first_line, raw


def _kind(value: Any) -> str:
    return {dict: "a JSON object", list: "a JSON list", str: "a string", bool: "a boolean"}.get(
        type(value), "a number" if isinstance(value, (int, float)) else "null"
    )


def _convert(
    path: Path | str,
    raws: Iterator[tuple[int, Any]],
    format: str | None,
    mapping: Mapping[str, str] | None,
) -> tuple[pd.DataFrame, str]:
    """Convert raw records to the canonical frame, checking shape, fields and id uniqueness."""
    columns: dict[str, list[Any]] = {name: [] for name in ALL_FIELDS}
    first_line_of: dict[str, int] = {}
    converter = formats.CONVERTERS.get(format) if format else None
    used = format
    index = 0
    for line, raw in raws:
        if not isinstance(raw, Mapping):
            raise DataLoadError(
                path,
                Errors.E004.format(expected="a JSON object (a record)", found=_kind(raw)),
                line,
            )
        raw = formats.apply_mapping(raw, mapping)
        if converter is None:
            used = formats.detect_format(raw)
            if used is None:
                raise DataLoadError(
                    path,
                    Errors.E007.format(
                        why=f"the first record has fields {sorted(raw)} and none of the known "
                        "shapes (instruction, instances, response, messages, conversations, "
                        "prompt+completion, text)",
                        formats=", ".join(formats.CONVERTERS)
                        + "; or map columns to schema fields: --map instruction=COLUMN on the "
                        "command line, mapping={'instruction': COLUMN} in Python",
                    ),
                    line,
                )
            converter = formats.CONVERTERS[used]
        try:
            for record in converter(raw, index):
                if record["id"] in first_line_of:
                    raise DataLoadError(
                        path,
                        Errors.E006.format(id=record["id"], first_line=first_line_of[record["id"]]),
                        line,
                    )
                first_line_of[record["id"]] = line
                for name in ALL_FIELDS:
                    columns[name].append(record[name])
        except formats.MissingFields as error:
            raise DataLoadError(
                path,
                Errors.E005.format(missing=error.missing, found=error.found)
                + f" (reading as format {used!r})",
                line,
            ) from None
        except formats.BadValue as error:
            raise DataLoadError(path, f"{error} (reading as format {used!r})", line) from None
        index += 1
    if index == 0:
        raise DataLoadError(
            path, Errors.E001.format(expected=_EXPECTED_RECORDS + " (found no records)")
        )
    return columns_frame(columns, len(columns["id"])), used or "alpaca"


def _fingerprint_file(
    path: Path, format: str | None, mapping: Mapping[str, str] | None, skip_bad_lines: bool
) -> str:
    """Content hash of the bytes and of the options that change what is read from them."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    options = [format, dict(mapping or {}), skip_bad_lines, PARSER_VERSION]
    digest.update(json.dumps(options, sort_keys=True).encode())
    return digest.hexdigest()[:16]


def _looks_like_hub_id(source: str) -> bool:
    parts = source.split("/")
    return len(parts) <= 2 and all(parts) and not source.startswith((".", "/", "~"))


def _frame_raws(table: pd.DataFrame) -> Iterator[tuple[int, Any]]:
    for index, raw in enumerate(table.to_dict(orient="records")):
        yield index + 1, raw


def _load_saved_hf(
    path: Path, format: str | None, mapping: Mapping[str, str] | None, split: str, name: str | None
) -> Dataset:
    import datasets

    try:
        loaded = datasets.load_from_disk(str(path))
    except FileNotFoundError as error:
        raise DataLoadError(
            path,
            f"this folder is neither a generation run (no {RUN_DATASET_FILE}) nor a dataset "
            f"saved with save_to_disk ({error})",
        ) from None
    if isinstance(loaded, datasets.DatasetDict):
        loaded = loaded[split if split in loaded else next(iter(loaded))]
    frame, used = _convert(path, _frame_raws(loaded.to_pandas()), format, mapping)
    fingerprint = hashlib.sha256(
        json.dumps([loaded._fingerprint, used, dict(mapping or {})]).encode()
    ).hexdigest()[:16]
    return Dataset(name or path.name, frame, fingerprint, str(path), used)


def _load_hub(
    source: str,
    format: str | None,
    mapping: Mapping[str, str] | None,
    split: str,
    name: str | None = None,
) -> Dataset:
    import datasets

    try:
        loaded = datasets.load_dataset(source, split=split)
    except Exception as error:  # the hub raises many types (connection, offline, not found)
        reason = f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}"
        raise DataLoadError(source, Errors.E010.format(name=source, reason=reason[:300])) from None
    frame, used = _convert(source, _frame_raws(loaded.to_pandas()), format, mapping)
    fingerprint = hashlib.sha256(json.dumps([loaded._fingerprint, used]).encode()).hexdigest()[:16]
    return Dataset(name or source, frame, fingerprint, source, used)


def save_jsonl(frame: pd.DataFrame, path: Path) -> None:
    """Write a canonical frame as schema JSONL (one record a line), atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    with tmp.open("w", encoding="utf-8") as handle:
        for record in to_records(frame):
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    tmp.replace(path)
