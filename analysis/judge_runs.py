"""Read a judge run folder or a GPT-4-LLM score file into one table of verdicts.

A run folder (written by `python -m generation judge|compare-score --out DIR`, see the run-folder
contract in analysis/scores.py) holds `judgments.jsonl`, one judge request per line, and a
`manifest.json` once the run has finished. A score file (`cmp_data_scores.json`) maps each model
to its list of scores, with no question ids. Both become a `JudgeRun` whose `verdicts` has one
row per judge request (VERDICT_COLUMNS). Every check names the file, the line and what is wrong;
a verdict that could not be parsed is kept as unparsed, never turned into a number. Files are
only read.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.errors import DataLoadError, Errors

JUDGMENTS_FILE = "judgments.jsonl"
MANIFEST_FILE = "manifest.json"
MODES = ("single", "pairwise", "two-score")
ORDERS = ("original", "swapped")
TIE = "tie"
RUN_FOLDER, SCORE_FILE = "run folder", "score file"
#: GPT-4-LLM's scale: its judge scored 1-10, and its score file also holds 0 and halves.
SCORE_RANGE = (0.0, 10.0)
#: Fields the aggregation reads; the contract's other fields are optional here.
REQUIRED = ("question_id", "mode", "models", "order", "parsed", "scores", "winner")
VERDICT_COLUMNS = (
    "line",
    "question_id",
    "category",
    "question",
    "mode",
    "model_a",
    "model_b",
    "order",
    "reference",
    "raw",
    "finish_reason",
    "failure",
    "parsed",
    "score_a",
    "score_b",
    "winner",
    "judge_model",
)


@dataclass(frozen=True)
class JudgeRun:
    """A run folder or score file, read. `verdicts`: one row per judge request; model_a is the
    model shown first in that request (models[0]), model_b the second (None in single mode)."""

    path: str
    kind: str  # RUN_FOLDER or SCORE_FILE
    mode: str
    verdicts: pd.DataFrame
    manifest: dict = field(default_factory=dict)
    warnings: tuple[str, ...] = ()

    @property
    def models(self) -> list[str]:
        """Every judged model: the manifest's order of answer sets, then first appearance."""
        named = [answer.get("name") for answer in self.manifest.get("answers", [])]
        seen = pd.concat([self.verdicts["model_a"], self.verdicts["model_b"]]).dropna()
        named = [name for name in named if isinstance(name, str)]
        return list(dict.fromkeys([*named, *seen.drop_duplicates()]))

    @property
    def categories(self) -> list[str]:
        return sorted(self.verdicts["category"].dropna().unique())

    @property
    def judge_model(self) -> str | None:
        if self.manifest.get("judge_model"):
            return self.manifest["judge_model"]
        found = self.verdicts["judge_model"].dropna()
        return str(found.iloc[0]) if len(found) else None

    @property
    def reference_model(self) -> str | None:
        return self.manifest.get("reference_model")

    @property
    def fingerprints(self) -> dict[str, str]:
        """Model -> the content fingerprint of its answer set (labels hang on it)."""
        return {
            answer["name"]: answer["fingerprint"]
            for answer in self.manifest.get("answers", [])
            if isinstance(answer, dict) and answer.get("name") and answer.get("fingerprint")
        }

    def in_categories(self, categories: list[str] | None) -> JudgeRun:
        """The same run with only the verdicts of `categories` (None or empty: all)."""
        if not categories:
            return self
        kept = self.verdicts[self.verdicts["category"].isin(categories)]
        return replace(self, verdicts=kept.reset_index(drop=True))


def run_folders(root: Path) -> list[Path]:
    """The judge run folders directly under `root` (those holding judgments.jsonl), newest
    first: what a page offers to open."""
    if not root.is_dir():
        return []
    found = [path for path in root.iterdir() if (path / JUDGMENTS_FILE).is_file()]
    return sorted(found, key=lambda path: (path / JUDGMENTS_FILE).stat().st_mtime, reverse=True)


def source_version(path: str | Path) -> tuple:
    """What changes when the scores behind `path` change (size and time of each file read):
    a page's cache key, so a run that is still writing is read afresh."""
    path = Path(path)
    files = [path / JUDGMENTS_FILE, path / MANIFEST_FILE] if path.is_dir() else [path]
    return tuple(
        (str(f), f.stat().st_size, f.stat().st_mtime_ns) if f.exists() else (str(f),) for f in files
    )


def read_scores(path: str | Path) -> JudgeRun:
    """A judge run folder (or its judgments.jsonl) or a GPT-4-LLM score file."""
    path = Path(path)
    if not path.exists():
        raise DataLoadError(path, Errors.E009)
    if path.is_dir():
        if not (path / JUDGMENTS_FILE).is_file():
            raise DataLoadError(path, Errors.E100.format(why=f"the folder has no {JUDGMENTS_FILE}"))
        return read_run_folder(path)
    if path.name == JUDGMENTS_FILE:
        return read_run_folder(path.parent)
    if path.suffix.lower() == ".json":
        return read_score_file(path)
    raise DataLoadError(path, Errors.E100.format(why=f"a {path.suffix or 'suffix-less'} file"))


# --- run folders -------------------------------------------------------------------------


def read_run_folder(folder: Path) -> JudgeRun:
    path = folder / JUDGMENTS_FILE
    manifest = _read_manifest(folder / MANIFEST_FILE)
    rows, warnings, first_line = [], [], {}
    lines = _text(path).split("\n")
    torn = len(lines) if lines[-1] else None  # a last line with no line break: cut off?
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
        except json.JSONDecodeError as error:
            if number == torn:
                warnings.append(f"{path}, line {number}: {Errors.E109}")
                continue
            problem = Errors.E002.format(msg=error.msg)
            raise DataLoadError(path, problem, number, error.colno) from None
        row = _verdict(path, number, raw)
        mode = rows[0]["mode"] if rows else manifest.get("mode") or row["mode"]
        if row["mode"] != mode:
            where = f"line {rows[0]['line']}" if rows else f"{MANIFEST_FILE}"
            problem = Errors.E102.format(mode=row["mode"], run_mode=mode, where=where)
            raise DataLoadError(path, problem, number)
        key = (row["question_id"], row["model_a"], row["model_b"], row["order"])
        if key in first_line:
            problem = Errors.E106.format(
                question_id=key[0],
                models=[m for m in key[1:3] if m is not None],
                order=key[3],
                first_line=first_line[key],
            )
            raise DataLoadError(path, problem, number)
        first_line[key] = number
        rows.append(row)
    if not rows:
        raise DataLoadError(path, Errors.E001.format(expected="one judge verdict (JSON) per line"))
    verdicts = pd.DataFrame(rows, columns=list(VERDICT_COLUMNS))
    return JudgeRun(str(folder), RUN_FOLDER, rows[0]["mode"], verdicts, manifest, tuple(warnings))


def _text(path: Path) -> str:
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        problem = Errors.E003.format(byte=data[error.start], offset=error.start)
        raise DataLoadError(path, problem, line) from None


def _read_manifest(path: Path) -> dict:
    """The manifest, or {} while a run has not written it yet (it is written at the end)."""
    if not path.exists():
        return {}
    try:
        manifest = json.loads(_text(path))
    except json.JSONDecodeError as error:
        problem = Errors.E002.format(msg=error.msg)
        raise DataLoadError(path, problem, error.lineno, error.colno) from None
    if not isinstance(manifest, dict):
        problem = Errors.E004.format(expected="a JSON object", found=_kind(manifest))
        raise DataLoadError(path, problem, 1)
    if manifest.get("mode") is not None and manifest["mode"] not in MODES:
        problem = Errors.E101.format(field="mode", expected=_one_of(MODES), found=manifest["mode"])
        raise DataLoadError(path, problem)
    return manifest


def _verdict(path: Path, line: int, raw: Any) -> dict:
    """One judgments.jsonl line checked against the contract, as a VERDICT_COLUMNS row."""

    def fail(problem: str) -> DataLoadError:
        return DataLoadError(path, problem, line)

    def wrong(name: str, expected: str) -> DataLoadError:
        return fail(Errors.E101.format(field=name, expected=expected, found=_shown(raw[name])))

    if not isinstance(raw, dict):
        raise fail(Errors.E004.format(expected="a JSON object (a judge verdict)", found=_kind(raw)))
    missing = [name for name in REQUIRED if name not in raw]
    if missing:
        raise fail(Errors.E005.format(missing=", ".join(missing), found=", ".join(raw)))
    mode, models, parsed = raw["mode"], raw["models"], raw["parsed"]
    question_id = raw["question_id"]
    if isinstance(question_id, bool) or not isinstance(question_id, str | int):
        raise wrong("question_id", "a string (the question's row id)")
    if mode not in MODES:
        raise wrong("mode", _one_of(MODES))
    count = 1 if mode == "single" else 2
    if (
        not isinstance(models, list)
        or len(models) != count
        or not all(isinstance(m, str) and m for m in models)
        or len(set(models)) != count
        or TIE in models
    ):
        expected = f"a list of {count} different model name(s) in {mode} mode, none named 'tie'"
        raise wrong("models", expected)
    if raw["order"] not in ORDERS:
        raise wrong("order", _one_of(ORDERS))
    if not isinstance(parsed, bool):
        raise wrong("parsed", "true or false")
    scores, winner = raw["scores"], raw["winner"]
    if mode == "pairwise" and scores is not None:
        raise wrong("scores", "null in a pairwise verdict (its verdict is the winner)")
    if scores is not None and not (
        isinstance(scores, list) and len(scores) == count and all(map(_is_score, scores))
    ):
        raise wrong("scores", f"null or a list of {count} number(s) or null(s), one per model")
    if winner is not None and (mode != "pairwise" or not isinstance(winner, str)):
        raise wrong("winner", "null except in a pairwise verdict")
    if not parsed and (winner is not None or any(s is not None for s in scores or [])):
        raise fail(Errors.E103.format(what="a winner" if winner is not None else "a score"))
    if parsed and mode == "pairwise" and winner is None:
        raise fail(Errors.E104.format(mode=mode, what="winner"))
    if parsed and mode != "pairwise" and all(s is None for s in scores or []):
        raise fail(Errors.E104.format(mode=mode, what="score"))
    if winner is not None and winner not in (*models, TIE):
        raise fail(Errors.E105.format(winner=winner, models=", ".join(models)))
    scores = [float(s) if s is not None else math.nan for s in scores or []] + [math.nan] * 2
    return {
        "line": line,
        "question_id": str(question_id),
        "category": raw.get("category") or None,
        "question": raw.get("question") or "",
        "mode": mode,
        "model_a": models[0],
        "model_b": models[1] if count == 2 else None,
        "order": raw["order"],
        "reference": bool(raw.get("reference")),
        "raw": raw.get("raw"),
        "finish_reason": raw.get("finish_reason"),
        "failure": raw.get("failure"),
        "parsed": parsed,
        "score_a": scores[0],
        "score_b": scores[1],
        "winner": winner,
        "judge_model": raw.get("judge_model"),
    }


# --- GPT-4-LLM score files ---------------------------------------------------------------


def read_score_file(path: Path) -> JudgeRun:
    """`{model: [score, ...]}`: single scores with no question ids (a null is a verdict that
    could not be parsed). The lists need not be equally long: GPT-4-LLM's are not."""
    text = _text(path)
    if not text.strip():
        raise DataLoadError(path, Errors.E001.format(expected=_SCORE_FILE_SHAPE))
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        problem = Errors.E002.format(msg=error.msg)
        raise DataLoadError(path, problem, error.lineno, error.colno) from None
    if not isinstance(data, dict) or not data:
        found = "an empty object" if data == {} else _kind(data)
        raise DataLoadError(path, Errors.E004.format(expected=_SCORE_FILE_SHAPE, found=found), 1)
    parts = []
    for model, scores in data.items():
        if not isinstance(scores, list) or not all(map(_is_score, scores)):
            _raise_bad_score(path, text, model, scores)
        values = pd.array(scores, dtype="Float64").to_numpy(dtype=float, na_value=math.nan)
        if ((values < SCORE_RANGE[0]) | (values > SCORE_RANGE[1])).any():
            _raise_bad_score(path, text, model, scores)
        parts.append(pd.DataFrame({"model_a": model, "score_a": values}))
    verdicts = pd.concat(parts, ignore_index=True)
    verdicts = verdicts.assign(
        line=pd.NA,
        question_id=None,
        category=None,
        question="",
        mode="single",
        model_b=None,
        order="original",
        reference=False,
        raw=None,
        finish_reason=None,
        failure=None,
        parsed=verdicts["score_a"].notna(),
        score_b=math.nan,
        winner=None,
        judge_model=None,
    )[list(VERDICT_COLUMNS)]
    return JudgeRun(str(path), SCORE_FILE, "single", verdicts)


_SCORE_FILE_SHAPE = "a JSON object mapping each model name to its list of scores"


def _raise_bad_score(path: Path, text: str, model: str, scores: Any) -> None:
    """Name the first bad value of `model` and its line (found by scanning the text only now:
    reading a good file never pays for it)."""
    key_line, element_lines = _list_lines(text).get(model, (None, []))
    if not isinstance(scores, list):
        expected = "a list of scores"
        problem = Errors.E101.format(field=model, expected=expected, found=_shown(scores))
        raise DataLoadError(path, problem, key_line)
    low, high = SCORE_RANGE
    position = next(
        i for i, s in enumerate(scores) if not _is_score(s) or not (s is None or low <= s <= high)
    )
    line = element_lines[position] if position < len(element_lines) else key_line
    problem = Errors.E107.format(
        value=scores[position], position=position + 1, model=model, low=low, high=high
    )
    raise DataLoadError(path, problem, line)


def _list_lines(text: str) -> dict[str, tuple[int, list[int]]]:
    """For a JSON object of lists: key -> (its line, the line each element starts on)."""
    found: dict[str, tuple[int, list[int]]] = {}
    depth, line, index = 0, 1, 0
    key: str | None = None  # the key read last at the top level
    expect_key = expect_element = False
    while index < len(text):
        char = text[index]
        if char == "\n":
            line += 1
        elif not char.isspace():
            if expect_element and char != "]":
                found[key][1].append(line)
            expect_element = False
            if char == '"':
                end = index + 1
                while text[end] != '"':
                    end += 2 if text[end] == "\\" else 1
                if depth == 1 and expect_key:
                    key, expect_key = json.loads(text[index : end + 1]), False
                    found[key] = (line, [])
                index = end
            elif char in "[{":
                depth += 1
                expect_key = depth == 1
                expect_element = depth == 2 and char == "["
            elif char in "]}":
                depth -= 1
            elif char == ",":
                expect_key, expect_element = depth == 1, depth == 2
        index += 1
    return found


# --- small helpers -----------------------------------------------------------------------


def _is_score(value: Any) -> bool:
    return value is None or (
        isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
    )


def _kind(value: Any) -> str:
    return {dict: "a JSON object", list: "a JSON list", str: "a string", bool: "a boolean"}.get(
        type(value), "a number" if isinstance(value, int | float) else "null"
    )


def _shown(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "..."


def _one_of(values: tuple[str, ...]) -> str:
    return "one of " + ", ".join(repr(v) for v in values)
