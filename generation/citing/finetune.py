"""The fine-tuning step between rounds: a command the user chooses.

After round r (but the last) the run calls the command through the shell with the round's
files in its environment:
  CITING_RUN_DIR, CITING_ROUND, CITING_ROUND_DIR, CITING_ALPACA (alpaca.json),
  CITING_CHAT (chat.jsonl), CITING_STUDENT (student.json: the student that answered) and
  CITING_NEXT_STUDENT (where it must write the next student).
It fine-tunes the student on the revisions, serves the result on an OpenAI-compatible endpoint
and writes {"model": ..., "base_url": ...} to CITING_NEXT_STUDENT; round r+1's student is then
that endpoint. Optional keys say how to ask it: "concurrency" (requests in flight; a server
that answers one at a time wants 1, or queued requests time out and are sent again while the
server still works on them) and "timeout_s" (seconds a reply may take). The command runs with this interpreter's folder first on PATH ("python" is the
workbench's). A round without any revision is not fine-tuned on: the next round's student is
the one that answered it. Its output goes to round_<r>/finetune.log. A server it started may be named by
"pid" in that file (its own session): the run ends it once the next round is answered, or when
the run stops; a resumed run whose student server is gone runs the command again.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from analysis.errors import Errors, WorkbenchError
from analysis.paths import child_env
from generation.backend import OPENAI, BackendConfig, resolve_backend
from generation.citing import run_folder as rf
from generation.citing.records import REVISED
from generation.run_files import read_json

LOG_FILE = "finetune.log"
#: The bundled fine-tuning step (LoRA on the CPU, generation/commands/citing_finetune.py).
BUNDLED_COMMAND = "python -m generation citing-finetune --steps 8"
#: What a round without revisions means for the next one; said by the CLI and the page.
NOT_TRAINED = (
    "Round {round} has no revision to fine-tune on: round {next}'s student is the one "
    "that answered round {round}."
)


def installed_command() -> str | None:
    """BUNDLED_COMMAND where its libraries (requirements-ml.txt) are installed, else None."""
    from importlib.util import find_spec

    return BUNDLED_COMMAND if all(find_spec(n) for n in ("peft", "gguf", "transformers")) else None


def untrained_notes(
    outcomes: dict[str, dict[str, int]], rounds: int, command: str | None
) -> list[str]:
    """NOT_TRAINED for each finished round before the last that a fine-tuning command would
    have trained on but that kept no revision."""
    if not command:
        return []
    return [
        NOT_TRAINED.format(round=number, next=number + 1)
        for number in sorted(int(key) for key in outcomes)
        if number < rounds and not outcomes[str(number)].get(REVISED, 0)
    ]


def finetune_environment(out_dir: Path, number: int) -> dict[str, str]:
    folder = rf.round_dir(out_dir, number)
    return {
        "CITING_RUN_DIR": str(Path(out_dir).resolve()),
        "CITING_ROUND": str(number),
        "CITING_ROUND_DIR": str(folder.resolve()),
        "CITING_ALPACA": str((folder / rf.ALPACA_FILE).resolve()),
        "CITING_CHAT": str((folder / rf.CHAT_FILE).resolve()),
        "CITING_STUDENT": str((folder / rf.STUDENT_FILE).resolve()),
        "CITING_NEXT_STUDENT": str((folder / rf.NEXT_STUDENT_FILE).resolve()),
    }


def run_finetune(command: str, out_dir: Path, number: int) -> None:
    """Run the command for round `number`; raises E124 when it fails."""
    folder = rf.round_dir(out_dir, number)
    log = folder / LOG_FILE
    env = {**child_env(), **finetune_environment(out_dir, number)}
    # "python" in the command is this interpreter (the workbench's venv), as for the worker.
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    with log.open("ab") as handle:
        status = subprocess.call(
            command, shell=True, env=env, stdin=subprocess.DEVNULL, stdout=handle, stderr=handle
        )
    if status != 0:
        raise WorkbenchError(Errors.E124.format(round=number, status=status, log=log))


def next_student(out_dir: Path, number: int) -> BackendConfig:
    """The student the fine-tuning command after round `number` wrote; raises E125."""
    path = rf.round_dir(out_dir, number) / rf.NEXT_STUDENT_FILE

    def refuse(why: str) -> WorkbenchError:
        return WorkbenchError(Errors.E125.format(round=number, file=path, why=why))

    if not path.exists():
        raise refuse("there is no such file")
    data = read_json(path)
    if not isinstance(data, dict):
        raise refuse("not a JSON object")
    model, base_url = data.get("model"), data.get("base_url")
    if not all(isinstance(v, str) and v for v in (model, base_url)):
        raise refuse('"model" and "base_url" must both be texts')
    return resolve_backend(OPENAI, model, base_url)


@dataclass(frozen=True)
class ServedLimits:
    """How to ask a served student: None leaves the run's own setting."""

    concurrency: int | None = None
    timeout_s: float | None = None


def served_limits(out_dir: Path, number: int) -> ServedLimits:
    """The optional "concurrency" and "timeout_s" of round `number`'s next-student file;
    raises E125 when one is not a positive number."""
    path = rf.round_dir(out_dir, number) / rf.NEXT_STUDENT_FILE
    data = read_json(path) or {}
    limits = {}
    for key, kind in (("concurrency", int), ("timeout_s", (int, float))):
        value = data.get(key)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, kind) or value <= 0:
            why = f'"{key}" must be a positive number, not {value!r}'
            raise WorkbenchError(Errors.E125.format(round=number, file=path, why=why))
        limits[key] = value
    return ServedLimits(**limits)


def _served_pid(out_dir: Path, number: int) -> int | None:
    data = read_json(rf.round_dir(out_dir, number) / rf.NEXT_STUDENT_FILE)
    pid = data.get("pid") if isinstance(data, dict) else None
    return pid if isinstance(pid, int) and pid > 0 else None


def student_alive(out_dir: Path, number: int) -> bool:
    """Whether round `number`'s fine-tuning left a student to ask: a file naming one, and its
    server (when it names a pid) still running."""
    if not (rf.round_dir(out_dir, number) / rf.NEXT_STUDENT_FILE).exists():
        return False
    pid = _served_pid(out_dir, number)
    if pid is None:
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def stop_student(out_dir: Path, number: int) -> None:
    """End the server that round `number`'s fine-tuning command started, if it named one."""
    pid = _served_pid(out_dir, number)
    if pid is None:
        return
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGTERM)
