"""Read one dataset file, folder or hub id into the one record schema.

Readers stream raw records with their line numbers; converters (analysis.formats) map each raw
record to schema rows; errors name the file, the line (and the column for JSON) and what was
expected. Input files are only ever opened for reading. Which file a name means is not decided
here: analysis.datasets is the one resolver, and it calls these readers.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import socket
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pa_json
import pyarrow.parquet as pq

from analysis import formats
from analysis.atomic import atomic_open, atomic_write_text
from analysis.errors import DataLoadError, Errors, WorkbenchError
from analysis.paths import cache_dir
from analysis.schema import ALL_FIELDS, columns_frame, schema_column

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
#: It is not part of a dataset's fingerprint, so labels and scores keyed by it survive a bump.
PARSER_VERSION = "3"
PARSED_NAMESPACE = "parsed"
_PARSED_META = b"workbench"
DIGEST_NAMESPACE = "digests"
_EXPECTED_RECORDS = "a JSON list of records or one JSON object per line"


@dataclass(frozen=True)
class ReadOptions:
    """How to read a source: they change what is read, so they are part of the fingerprint.

    `format` forces a converter (analysis.formats.CONVERTERS); `mapping` renames source columns
    to schema fields as ((schema_field, source_column), ...); `skip_bad_lines` drops malformed
    JSONL lines and reports them instead of failing; `split` picks a Hugging Face split.
    """

    format: str | None = None
    mapping: tuple[tuple[str, str], ...] = ()
    skip_bad_lines: bool = False
    split: str = "train"

    @classmethod
    def make(
        cls,
        format: str | None = None,
        mapping: Mapping[str, str] | None = None,
        skip_bad_lines: bool = False,
        split: str = "train",
    ) -> ReadOptions:
        if format is not None and format not in formats.CONVERTERS:
            raise WorkbenchError(
                Errors.E008.format(name=format, formats=", ".join(formats.CONVERTERS))
            )
        return cls(format, tuple(sorted((mapping or {}).items())), skip_bad_lines, split)

    @property
    def mapping_dict(self) -> dict[str, str]:
        return dict(self.mapping)


@dataclass
class Dataset:
    """A loaded dataset: the canonical frame, where it came from, and its content fingerprint.

    The fingerprint is the dataset's identity (caches, labels and scores hang on it); the name
    is only a label. `entry` is the registry entry when the dataset is registered.
    """

    name: str
    frame: pd.DataFrame
    fingerprint: str
    path: str
    format: str
    warnings: list[str] = field(default_factory=list)
    skipped_lines: list[int] = field(default_factory=list)
    entry: Any = None

    def __len__(self) -> int:
        return len(self.frame)


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


def read_path(path: Path, options: ReadOptions, name: str | None = None) -> Dataset:
    """A file, a generation run folder or a folder saved with `Dataset.save_to_disk`."""
    if path.is_dir():
        if (path / RUN_DATASET_FILE).exists():
            return read_file(path / RUN_DATASET_FILE, options, name or path.name)
        return read_saved_hf(path, options, name or path.name)
    return read_file(path, options, name or path.stem)


def read_file(path: Path, options: ReadOptions, name: str) -> Dataset:
    """Parse a file once; later reads of the same bytes take the parsed table from the cache."""
    kind = SUFFIXES.get(path.suffix.lower())
    if kind is None:
        kind = _sniff_kind(path)
    if path.stat().st_size == 0:
        raise DataLoadError(path, Errors.E001.format(expected=_EXPECTED_RECORDS))
    digest = file_digest(path)
    parse_key = _digest_of(
        [digest, options.format, options.mapping, options.skip_bad_lines, PARSER_VERSION]
    )
    cached = _read_parsed(parse_key)
    if cached is not None:
        frame, meta = cached
        frame["metadata"] = _metadata_column_from_json(frame["metadata"])
    elif (fast := _read_flat_jsonl(path, options) if kind == "jsonl" else None) is not None:
        frame, meta = fast, {"format": "alpaca", "skipped": [], "aside": [], "notes": []}
        _write_parsed(parse_key, frame, meta)
    else:
        skipped: list[int] = []
        mapping = options.mapping_dict
        if kind == "jsonl":
            raws = _read_jsonl(path, options.skip_bad_lines, skipped)
        elif kind == "json":
            raws = _read_json(path)
        elif kind == "csv":
            raws = _read_table(path, _read_csv(path, options), mapping)
        else:
            raws = _read_table(path, _read_parquet(path), mapping)
        frame, used_format, aside, notes = _convert(path, raws, options.format, mapping)
        meta = {"format": used_format, "skipped": skipped, "aside": aside, "notes": notes}
        stored = frame.assign(metadata=frame["metadata"].map(_metadata_to_json))
        _write_parsed(parse_key, stored, meta)
    dataset = Dataset(
        name=name,
        frame=frame,
        fingerprint=_digest_of([digest, meta["format"], options.mapping, meta["skipped"]]),
        path=str(path),
        format=meta["format"],
        skipped_lines=meta["skipped"],
    )
    if dataset.skipped_lines:
        skipped = dataset.skipped_lines
        shown = ", ".join(map(str, skipped[:20])) + (" ..." if len(skipped) > 20 else "")
        dataset.warnings.append(f"{path}: " + Errors.E011.format(count=len(skipped), lines=shown))
    dataset.warnings.extend(_aside_warnings(path, meta.get("aside", []), frame))
    dataset.warnings.extend(f"{path}: {note}" for note in meta.get("notes", []))
    return dataset


def _parsed_path(key: str) -> Path:
    return cache_dir() / PARSED_NAMESPACE / f"{key}.arrow"


def _read_parsed(key: str) -> tuple[pd.DataFrame, dict] | None:
    """A parsed frame from the cache, memory-mapped: Arrow IPC needs no decoding, so a million
    rows come back in a fraction of a second (Parquet took 4-7 s to decompress and decode)."""
    path = _parsed_path(key)
    if not path.exists():
        return None
    table = pa.ipc.open_file(pa.memory_map(str(path))).read_all()
    meta = json.loads((table.schema.metadata or {}).get(_PARSED_META, b"{}"))
    return table.to_pandas(), meta


def _write_parsed(key: str, frame: pd.DataFrame, meta: Mapping[str, Any]) -> None:
    """Store atomically (uncompressed Arrow IPC), so a reader never sees half a file."""
    table = pa.Table.from_pandas(frame, preserve_index=False)
    table = table.replace_schema_metadata(
        {**(table.schema.metadata or {}), _PARSED_META: json.dumps(dict(meta)).encode()}
    )
    with (
        atomic_open(_parsed_path(key), "wb") as handle,
        pa.ipc.new_file(handle, table.schema) as writer,
    ):
        writer.write_table(table)


def _metadata_column_from_json(column: pd.Series) -> pd.Series:
    """Stored metadata (JSON text or null) back to dicts; only non-null values are decoded."""
    values = column.to_numpy(dtype=object, na_value=None)
    present = np.flatnonzero(pd.notna(values))
    decoded = np.full(len(values), None, dtype=object)
    decoded[present] = [json.loads(values[n]) for n in present]
    return pd.Series(decoded, index=column.index, dtype=object)


def file_digest(path: Path) -> str:
    """sha256 of a file's bytes, read in 1 MiB chunks; remembered in the cache for as long as
    the file's inode, size, modification and change times stay the same (any write changes the
    change time, which no tool can set back), since hashing 500 MB takes a second."""
    stat = path.stat()
    identity = [str(path.resolve()), stat.st_ino, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns]
    memo = cache_dir() / DIGEST_NAMESPACE / f"{_digest_of(identity)}.txt"
    try:
        return memo.read_text(encoding="ascii")
    except OSError:
        pass
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    atomic_write_text(memo, digest.hexdigest())
    return digest.hexdigest()


def _digest_of(parts: list[Any]) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()[:16]


def _aside_warnings(path: Path | str, aside: list[str], frame: pd.DataFrame) -> list[str]:
    """Say which source fields no schema field reads, and the --map that would read one."""
    if not aside:
        return []
    target = "output" if not frame["output"].astype(bool).any() else "FIELD"
    return [
        f"{path}: " + Errors.E033.format(fields=field_list(aside), target=target, column=aside[0])
    ]


def field_list(names: list[str], shown: int = 10) -> str:
    """Field names for a message: a wide table's 100,000 columns are a few names and a count."""
    if len(names) <= shown:
        return ", ".join(names)
    return ", ".join(names[:shown]) + f", ... ({len(names):,} fields in all)"


def source_fields(path: Path, data: bytes | None = None) -> list[str]:
    """The field names of a file's first record (a CSV's header), read without loading it all:
    what a column mapping can choose from. `data` stands in for the file's bytes (an upload)."""
    try:
        return _first_record_fields(path, data)
    except (ValueError, OSError):  # loading the file says what is wrong, and where
        return []


def _first_record_fields(path: Path, data: bytes | None) -> list[str]:
    kind = SUFFIXES.get(path.suffix.lower())
    handle = io.BytesIO(data) if data is not None else path.open("rb")
    with handle:
        if kind == "parquet":
            return list(pq.read_schema(handle).names)
        if kind == "csv":
            header = handle.readline().decode("utf-8-sig", errors="replace")
            return next(csv.reader([header]), [])
        if kind == "json":
            records = json.loads(handle.read().decode("utf-8-sig"))
            first = records[0] if isinstance(records, list) and records else {}
        else:
            line = next((line for line in handle if line.strip()), b"{}")
            first = json.loads(line.decode("utf-8-sig"))
    return sorted(first) if isinstance(first, dict) else []


def _metadata_to_json(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, default=str)


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
            # without its line break, an error at the end of the line is placed there, not on
            # column 1 of the next line
            text = _decode(path, data, number, start).rstrip("\r\n")
            try:
                value = _parse_json(path, text, number)
            except DataLoadError:
                if skip_bad_lines:
                    skipped.append(number)
                    continue
                raise
            yield number, value


#: Fields a flat Alpaca-style JSONL may have for the columnar fast path, all strings: any other
#: field or value type is a parse error there, so that file takes the record path.
_FLAT_FIELDS = ("id", "instruction", "input", "output")
_FLAT_PARSE = pa_json.ParseOptions(
    explicit_schema=pa.schema([(name, pa.string()) for name in _FLAT_FIELDS]),
    unexpected_field_behavior="error",
)
_STRING = pd.StringDtype()
#: Arrow's JSON block (a longer line is an error, so that file takes the record path).
_JSON_BLOCK = 1 << 24
#: Brackets a line may open for the fast path (Arrow's reader crashes at ~10,000 deep).
_FAST_BRACKETS = 1_000


def _read_flat_jsonl(path: Path, options: ReadOptions) -> pd.DataFrame | None:
    """The common large file, parsed by Arrow's JSON reader: JSON Lines of flat Alpaca records
    (string id, instruction, input, output, nothing else), no mapping, no forced other format.
    The frame is the one the record-by-record path builds; None for any other file, and for any
    file with something to report (bad JSON or UTF-8, another field or a non-string value, a
    record without an instruction, a duplicate id), so that path reads it and reports with line
    numbers. A million rows: ~5x faster and about half the peak memory of that path, since no
    Python object per value is made. Read block by block against the fixed schema, the peak is
    about twice the file's size (Arrow's whole-file reader peaked at 2.6x on the 1M-row set).
    """
    if options.format not in (None, "alpaca") or options.mapping or not _shallow(path):
        return None
    try:
        reader = pa_json.open_json(
            path,
            read_options=pa_json.ReadOptions(block_size=_JSON_BLOCK),
            parse_options=_FLAT_PARSE,
        )
        table = reader.read_all()
        table.validate(full=True)  # Arrow's JSON reader leaves bad UTF-8 to this check
    except (pa.ArrowException, OSError):
        return None
    rows = table.num_rows
    if rows == 0 or table.column("instruction").null_count:
        return None
    ids = table.column("id")
    if ids.null_count:  # the converter's fallback id is the record's index
        ids = pc.if_else(pc.is_null(ids), pa.array(map(str, range(rows)), type=pa.string()), ids)
    if pc.count_distinct(ids).as_py() != rows:
        return None
    frame = pd.DataFrame(index=range(rows))
    for name in ALL_FIELDS:
        if name == "id":
            frame[name] = pd.Series(ids.to_pandas(types_mapper=_string_type), index=frame.index)
        elif name in _FLAT_FIELDS:
            values = table.column(name)
            if values.null_count:  # absent or null: "" as the record path has it
                values = pc.fill_null(values, "")
            frame[name] = pd.Series(values.to_pandas(types_mapper=_string_type), index=frame.index)
        else:
            frame[name] = schema_column(name, None, rows)
    return frame


def _shallow(path: Path) -> bool:
    """No line opens more than _FAST_BRACKETS brackets: Arrow's JSON reader crashes the process
    (stack overflow) on JSON nested some 10,000 deep, which the record path reports as an error.
    Blocks are the reader's own size, so a line spans at most two of them (a longer line is
    refused by the reader)."""
    with path.open("rb") as handle:
        while block := handle.read(_JSON_BLOCK):
            if block.count(b"[") + block.count(b"{") <= _FAST_BRACKETS:
                continue
            for line in block.split(b"\n"):
                if line.count(b"[") + line.count(b"{") > _FAST_BRACKETS:
                    return False
    return True


def _string_type(arrow_type: pa.DataType) -> pd.StringDtype | None:
    return _STRING if arrow_type == pa.string() else None


def _parse_json(path: Path, text: str, line: int | None = None) -> Any:
    """json.loads with every way it can fail told as a located error: bad syntax, nesting
    deeper than the recursion limit, an integer longer than Python converts."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        where = (line + error.lineno - 1, error.colno) if line else (error.lineno, error.colno)
        raise DataLoadError(path, Errors.E002.format(msg=error.msg), *where) from None
    except RecursionError:
        limit = sys.getrecursionlimit()
        raise DataLoadError(path, Errors.E041.format(limit=limit), line or None) from None
    except ValueError:  # int("9" * 5000): Python's limit on integer string conversion
        limit = sys.get_int_max_str_digits()
        raise DataLoadError(path, Errors.E042.format(limit=limit), line or None) from None


def _read_json(path: Path) -> Iterator[tuple[int, Any]]:
    data = path.read_bytes()
    text = _decode(path, data).lstrip("\ufeff")
    if not text.strip():
        raise DataLoadError(path, Errors.E001.format(expected=_EXPECTED_RECORDS))
    try:
        value = _parse_json(path, text)
    except DataLoadError as error:
        if error.problem != Errors.E002.format(msg="Extra data"):
            raise
        raise DataLoadError(
            path,
            Errors.E002.format(
                msg="more than one JSON value; if this is JSON Lines, name it .jsonl "
                "or pass format explicitly"
            ),
            error.line,
            error.column,
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


def _read_csv(path: Path, options: ReadOptions) -> pd.DataFrame:
    """The header decides first (a 100,000-column file with no known field is refused before
    its rows are read); a quote left open is a located error."""
    header = source_fields(path)
    mapped = formats.apply_mapping(dict.fromkeys(header, ""), options.mapping_dict)
    if options.format is None and header and formats.detect_format(mapped) is None:
        raise DataLoadError(path, _unknown_shape(header), 1)
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, ValueError) as error:
        reason = str(error).strip().splitlines()[-1]
        row = re.search(r"row (\d+)", reason)
        raise DataLoadError(
            path, Errors.E044.format(reason=reason), int(row.group(1)) + 1 if row else None
        ) from None


def _read_parquet(path: Path) -> pd.DataFrame:
    try:
        return pd.read_parquet(path)
    except (pa.ArrowException, OSError) as error:
        reason = str(error).splitlines()[0].replace(f"'{path}': ", "")
        raise DataLoadError(path, Errors.E043.format(reason=reason)) from None


def _unknown_shape(fields: list[str]) -> str:
    return Errors.E007.format(
        why=f"the first record has fields {field_list(sorted(fields))} and none of the known "
        "shapes (instruction, instances, response, messages, conversations, "
        "prompt+completion, text)",
        formats=", ".join(formats.CONVERTERS)
        + "; or map columns to schema fields: --map instruction=COLUMN on the "
        "command line, mapping={'instruction': COLUMN} in Python",
    )


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
) -> tuple[pd.DataFrame, str, list[str], list[str]]:
    """Convert raw records to the canonical frame, checking shape, fields and id uniqueness.

    Also returns the source fields that no schema field reads (kept in metadata), sorted, and
    notes on what was read otherwise than written (a scalar metadata kept under a key).
    """
    columns: dict[str, list[Any]] = {name: [] for name in ALL_FIELDS}
    first_line_of: dict[str, int] = {}
    converter = formats.CONVERTERS.get(format) if format else None
    used = format
    keys_seen: set[str] = set()
    scalar_metadata: list[int] = []
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
                raise DataLoadError(path, _unknown_shape(list(raw)), line)
            converter = formats.CONVERTERS[used]
        raw = formats.with_output_alias(raw, used)
        if not isinstance(raw.get("metadata"), Mapping | None):
            scalar_metadata.append(line)
            raw = {**raw, "metadata": {"value": raw["metadata"]}}
        keys_seen.update(raw)
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
                Errors.E005.format(missing=field_list(error.missing), found=field_list(error.found))
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
    used = used or "alpaca"
    # a file in the workbench's own schema (a generation run's) keeps its extra fields on purpose
    aside = [] if set(ALL_FIELDS) <= keys_seen else sorted(keys_seen - formats.fields_read(used))
    notes = []
    if scalar_metadata:
        notes.append(Errors.E046.format(count=len(scalar_metadata), line=scalar_metadata[0]))
    return columns_frame(columns, len(columns["id"])), used, aside, notes


def _frame_raws(table: pd.DataFrame) -> Iterator[tuple[int, Any]]:
    for index, raw in enumerate(table.to_dict(orient="records")):
        yield index + 1, raw


def read_saved_hf(path: Path, options: ReadOptions, name: str) -> Dataset:
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
        loaded = loaded[options.split if options.split in loaded else next(iter(loaded))]
    return _from_hf(loaded, path, options, name)


def hub_reachable(timeout: float = 2.0) -> str | None:
    """None when the hub's endpoint (HF_ENDPOINT) accepts a connection, else why not.

    The datasets library retries an unreachable hub for about 25 s before it gives up; one
    connection attempt tells the same at once. With HF_HUB_OFFLINE set the library reads its
    local cache and asks no network, so nothing is probed.
    """
    from huggingface_hub import constants

    if constants.HF_HUB_OFFLINE:
        return None
    url = urlsplit(constants.ENDPOINT)
    try:
        socket.create_connection((url.hostname, url.port or 443), timeout=timeout).close()
    except OSError as error:
        return f"cannot connect to {url.hostname}: {error.strerror or error}"
    return None


def read_hub(source: str, options: ReadOptions, name: str) -> Dataset:
    import datasets

    unreachable = hub_reachable()
    if unreachable is not None:
        raise DataLoadError(source, Errors.E010.format(name=source, reason=unreachable))
    try:
        loaded = datasets.load_dataset(source, split=options.split)
    except Exception as error:  # the hub raises many types (connection, offline, not found)
        reason = f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}"
        raise DataLoadError(source, Errors.E010.format(name=source, reason=reason[:300])) from None
    return _from_hf(loaded, source, options, name)


def _from_hf(loaded: Any, where: Path | str, options: ReadOptions, name: str) -> Dataset:
    """A Hugging Face dataset; its own fingerprint stands for the bytes."""
    frame, used, aside, notes = _convert(
        where, _frame_raws(loaded.to_pandas()), options.format, options.mapping_dict
    )
    fingerprint = _digest_of([loaded._fingerprint, used, options.mapping])
    dataset = Dataset(name, frame, fingerprint, str(where), used)
    dataset.warnings.extend(_aside_warnings(where, aside, frame))
    dataset.warnings.extend(f"{where}: {note}" for note in notes)
    return dataset
