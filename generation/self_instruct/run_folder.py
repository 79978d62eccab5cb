"""A run folder: its settings, its checkpoint, its lock, and the files a run writes there.

`state.json` is both the checkpoint (rounds finished, everything counted so far) and what the
Generate page polls; it is replaced atomically, so a reader never sees half a file. A run
holds an exclusive lock on `.lock` while it works: the kernel drops it when the process dies,
even by SIGKILL, so "is it running?" never trusts a stale pid.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import Any

from analysis.atomic import atomic_open, atomic_write_text
from analysis.defaults import DEFAULT_POOL, DEFAULT_THRESHOLD
from analysis.errors import Errors, WorkbenchError
from analysis.readers import RUN_DATASET_FILE
from generation.backend import safe_url
from generation.client import CHAT, COMPLETION
from generation.self_instruct.state import RunState
from generation.self_instruct.variants import SELF_INSTRUCT, VARIANTS, Variant

AUTO_API = "auto"  # completion for the embedded model, chat for remote endpoints
APIS = (AUTO_API, COMPLETION, CHAT)

CONFIG_FILE = "config.json"
STATE_FILE = "state.json"
CANDIDATES_FILE = "candidates.jsonl"
TASKS_FILE = "tasks.jsonl"
DATASET_FILE = RUN_DATASET_FILE  # the name the dataset readers look for in a run folder
MANIFEST_FILE = "manifest.json"
ALPACA_FILE = "alpaca.json"
PROMPT_COMPLETION_FILE = "finetune_prompt_completion.jsonl"
CHAT_FILE = "finetune_chat.jsonl"
LOG_FILE = "run.log"
#: What a finished run produces: an interrupted and resumed run must write these byte for byte.
OUTPUT_FILES = (
    DATASET_FILE,
    CANDIDATES_FILE,
    TASKS_FILE,
    ALPACA_FILE,
    PROMPT_COMPLETION_FILE,
    CHAT_FILE,
)
STOP_FILE = "STOP"
LOCK_FILE = ".lock"


@dataclass(frozen=True)
class RunConfig:
    """Everything that decides a run's result, plus how fast to go (target, concurrency).

    template: the variant's name (see variants.VARIANTS).
    prompt_instructions: in-context examples per prompt (None: the variant's; the paper's 8,
    Alpaca's 3).
    machine_in_prompt: how many of them come from the machine pool once it has any (2).
    batch_size: prompts per round (None: the variant's; the papers' request_batch_size, 5).
    patience: stop after this many rounds in a row that keep nothing.
    """

    template: str = SELF_INSTRUCT.name
    target: int = 100
    seed: str = DEFAULT_POOL
    backend: str | None = None
    model: str | None = None
    base_url: str | None = None
    api: str = AUTO_API
    concurrency: int | None = None
    batch_size: int | None = None
    prompt_instructions: int | None = None
    machine_in_prompt: int = 2
    threshold: float = DEFAULT_THRESHOLD
    multilingual: bool = False
    max_instances: int = 5
    run_seed: int = 42
    templates: str | None = None
    patience: int = 20

    #: Settings a resumed run may change without changing what it produces.
    ADJUSTABLE = ("target", "concurrency", "patience")

    def __post_init__(self):
        if self.template not in VARIANTS:
            raise WorkbenchError(
                Errors.E032.format(what="template", name=self.template, choices=", ".join(VARIANTS))
            )
        if self.api not in APIS:
            raise WorkbenchError(
                Errors.E032.format(what="API", name=self.api, choices=", ".join(APIS))
            )

    @property
    def variant(self) -> Variant:
        return VARIANTS[self.template]

    @property
    def in_context(self) -> int:
        if self.prompt_instructions is not None:
            return self.prompt_instructions
        return self.variant.in_context

    @property
    def prompts_per_round(self) -> int:
        return self.variant.batch_size if self.batch_size is None else self.batch_size

    def resolved(self) -> RunConfig:
        """The settings with the variant's defaults filled in: what the run really uses."""
        return replace(self, prompt_instructions=self.in_context, batch_size=self.prompts_per_round)

    def to_dict(self) -> dict[str, Any]:
        """The settings as config.json and the manifest store them: the endpoint as safe_url
        writes it, so no credential in the URL reaches a file."""
        data = asdict(self)
        if self.base_url:
            data["base_url"] = safe_url(self.base_url)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RunConfig:
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})

    def with_credentials(self, url: str | None) -> RunConfig:
        """These settings with `url` as the endpoint when it is the stored one plus the
        credentials that storing took out (a worker gets them from its environment)."""
        if url and self.base_url and safe_url(url) == self.base_url:
            return replace(self, base_url=url)
        return self


def write_json(path: Path, data: Any) -> None:
    """Replace a JSON file atomically."""
    atomic_write_text(path, json.dumps(data, indent=1, ensure_ascii=False))


def read_json(path: Path) -> Any | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return None


def write_jsonl(path: Path, rows: Iterable[dict]) -> None:
    with atomic_open(path) as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")


def append_jsonl(path: Path, rows: Iterable[dict]) -> None:
    """Append rows durably: they are on disk before the checkpoint that counts them."""
    with path.open("a", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
        handle.flush()
        os.fsync(handle.fileno())


def read_jsonl(path: Path) -> list[dict]:
    """Rows of a JSONL file; a torn last line (a process killed mid-write) is ignored."""
    if not path.exists():
        return []
    rows = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError:
                break
    return rows


def read_state(out_dir: Path) -> RunState | None:
    """The folder's checkpoint, or None before the worker's first save."""
    saved = read_json(Path(out_dir) / STATE_FILE)
    return None if saved is None else RunState.from_dict(saved)


def write_state(out_dir: Path, state: RunState) -> None:
    write_json(Path(out_dir) / STATE_FILE, state.to_dict())


def check_resumable(out_dir: Path, config: RunConfig) -> None:
    """Refuse to continue a folder's run with settings that would change its result."""
    saved = read_json(out_dir / CONFIG_FILE)
    if saved is None:
        return
    previous = RunConfig.from_dict(saved).resolved().to_dict()
    current = config.resolved().to_dict()
    changed = [
        f"{name}: {previous[name]!r} -> {current[name]!r}"
        for name in current
        if name not in RunConfig.ADJUSTABLE and previous.get(name) != current[name]
    ]
    if changed:
        raise WorkbenchError(Errors.E029.format(folder=out_dir, changes="; ".join(changed)))


@contextlib.contextmanager
def run_lock(out_dir: Path) -> Iterator[None]:
    """Hold the folder's lock for the run; a second process gets a clear error."""
    handle = (out_dir / LOCK_FILE).open("a")
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise WorkbenchError(Errors.E030.format(folder=out_dir)) from None
        yield
    finally:
        handle.close()


def is_running(out_dir: Path) -> bool:
    """Whether a process holds the folder's lock right now."""
    path = Path(out_dir) / LOCK_FILE
    if not path.exists():
        return False
    with path.open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(handle, fcntl.LOCK_UN)
        return False


def log_tail(out_dir: Path, lines: int = 15) -> str:
    """The last lines of the worker's output ("" before it wrote any): why a run failed."""
    path = Path(out_dir) / LOG_FILE
    if not path.exists():
        return ""
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def request_stop(out_dir: Path) -> None:
    """Ask the run in this folder to stop once the requests in flight are answered."""
    (Path(out_dir) / STOP_FILE).touch()


def stop_requested(out_dir: Path) -> bool:
    return (out_dir / STOP_FILE).exists()


def clear_stop(out_dir: Path) -> None:
    (out_dir / STOP_FILE).unlink(missing_ok=True)
