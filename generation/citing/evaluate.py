"""CITING's evaluation of a finished run (issue #18): the judge's pairwise machinery, both
orders, on articulation, depth and comprehensiveness; the win rate by round.

1. answers: each round's student (the one that answered round r; with a fine-tuning command,
   the one its round_<n>/next_student.json names, and the student fine-tuned after the last
   round as round R + 1 when that file exists) answers the first `test_limit` held-out test
   instructions of split.json with the round's own decoding (eval/answers_round_<r>.jsonl,
   the record schema; an answers file holding those instructions already is reused). A failed
   request stops the evaluation before anything is judged (rerun: the answers that came are
   in the reply cache), so a judge run never sees its inputs change; a fine-tuned student whose
   server is gone (the run stops them when it ends) is served again by the run's fine-tuning
   command (citing-finetune serves the model it saved without training again), and stopped
   when the evaluation ends;
2. judging (generation.judge.judge_answers, mode pairwise: both orders, a verdict that flips
   with the order is a tie): round r's student against round r-1's on those instructions
   (eval/students_<r>_vs_<r-1>/), and each round's revisions against the student's answers
   they revise (eval/revised_vs_original_<r>/). The judge's system message is CITING's judge
   template (generation/prompts/citing_judge_pair_system.txt, our reconstruction; the run's
   template folder and versions apply), copied to eval/judge_templates/ under pair-v2's
   system file name, so the judge's own strict "[[A]]"/"[[B]]"/"[[C]]" parser reads the reply;
3. eval/win_rates.csv from the judge run folders (analysis.citing_eval).
Rerunning skips what is done: complete answers files are reused, the judge runs resume by
themselves. eval/ is a worker folder of its own (config.json, state.json, run.log, STOP),
so the CITING page runs the evaluation in the background (`python -m
generation.citing.evaluate RUN_DIR/eval`).
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.atomic import atomic_write_text
from analysis.citing_eval import REVISED, STUDENTS, Comparison, win_rate_table
from analysis.errors import Errors, WorkbenchError
from analysis.judge_runs import read_run_folder
from analysis.schema import make_record
from generation import launcher, run_files
from generation.backend import BackendConfig
from generation.citing import records as rec
from generation.citing import run_folder as rf
from generation.citing.finetune import (
    ServedLimits,
    next_student,
    run_finetune,
    served_limits,
    stop_student,
    student_alive,
)
from generation.citing.pipeline import CitingRun
from generation.citing.run_folder import CitingConfig
from generation.citing.split import TEST
from generation.citing.steps import JUDGE
from generation.client import BatchStopped, Request, SyncLLMClient, resolved_api
from generation.judge.pipeline import judge_answers
from generation.judge.run_folder import JUDGMENTS_FILE
from generation.judge.steps import DEFAULT_MAX_TOKENS, DEFAULT_TEMPERATURE, PAIRWISE
from generation.run_status import RunStatus
from generation.templates import JUDGE_PAIR_SYSTEM

PIPELINE = "citing-eval"
WORKER = "generation.citing.evaluate"


@dataclass(frozen=True)
class EvalConfig(launcher.StoredConfig):
    """What decides an evaluation: how many test instructions, and the judge (backend, model,
    endpoint, decoding; the embedded model when none is named, as for `judge`)."""

    test_limit: int | None = None
    backend: str | None = None
    model: str | None = None
    base_url: str | None = None
    concurrency: int | None = None
    temperature: float = DEFAULT_TEMPERATURE
    max_tokens: int = DEFAULT_MAX_TOKENS

    PIPELINE = PIPELINE
    ADJUSTABLE = ("concurrency",)

    def check_resumable(self, out_dir: Path) -> None:
        """StoredConfig's check once something is judged; before that every setting may
        change (an evaluation that failed on a student, or was stopped before judging): the
        answers files are reused only when they hold the same instructions, and the judge's
        settings count from its first verdict."""
        if any(Path(out_dir).glob(f"*/{JUDGMENTS_FILE}")):
            super().check_resumable(out_dir)

    def __post_init__(self):
        for name in ("test_limit", "concurrency", "max_tokens"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, int) or value < 1):
                raise WorkbenchError(Errors.E080.format(name=name, value=value))

    def judge_options(self) -> dict[str, Any]:
        names = ("backend", "model", "base_url", "concurrency", "temperature", "max_tokens")
        return {name: getattr(self, name) for name in names}


@dataclass
class EvalState:
    """eval/state.json: where the evaluation is (its step, in words) and how it ended."""

    status: RunStatus = RunStatus.RUNNING
    step: str = ""
    error: str | None = None
    pid: int | None = None
    updated_at: float = field(default_factory=time.time)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> EvalState:
        known = {f.name for f in fields(cls)}
        state = cls(**{k: v for k, v in data.items() if k in known})
        state.status = RunStatus(state.status)
        return state


def read_state(folder: Path) -> EvalState | None:
    saved = run_files.read_json(Path(folder) / launcher.STATE_FILE)
    return None if saved is None else EvalState.from_dict(saved)


def write_state(folder: Path, state: EvalState) -> None:
    run_files.write_json(Path(folder) / launcher.STATE_FILE, state.to_dict())


class CitingEvaluation:
    """The evaluation of the CITING run in `run_dir`. `student` and `judge` clients may be
    given (tests, notebooks): the student one answers for the run's configured student."""

    def __init__(
        self,
        run_dir: str | Path,
        config: EvalConfig,
        *,
        student: SyncLLMClient | None = None,
        judge: SyncLLMClient | None = None,
        log: Callable[[str], None] | None = None,
    ):
        self.run_dir = Path(run_dir)
        self.folder = rf.eval_dir(self.run_dir)
        self.config = config
        self.judge = judge
        self.log = log or (lambda text: None)
        stored = run_files.read_json(self.run_dir / rf.CONFIG_FILE)
        saved = rf.read_state(self.run_dir)
        if stored is None or saved is None or saved.rounds_done < 1:
            raise WorkbenchError(Errors.E128.format(folder=self.run_dir))
        self.rounds = saved.rounds_done
        self.citing = CitingRun(CitingConfig.from_dict(stored), self.run_dir, student=student)
        split = run_files.read_json(self.run_dir / rf.SPLIT_FILE)
        if split.get("fingerprint") != self.citing.source.fingerprint:
            raise WorkbenchError(
                Errors.E081.format(
                    folder=self.run_dir,
                    source=self.citing.config.source,
                    was=split.get("fingerprint"),
                    now=self.citing.source.fingerprint,
                )
            )
        self.test_rows = self.citing.rows(split[TEST][: config.test_limit])
        self.state = EvalState()
        self._started: set[int] = set()  # rounds whose student server this evaluation started

    # --- who answers -----------------------------------------------------------------------

    def student_rounds(self) -> list[int]:
        """Every round, and R + 1 for the student fine-tuned after the last round when the
        fine-tuning command wrote one."""
        rounds = list(range(1, self.rounds + 1))
        if (rf.round_dir(self.run_dir, self.rounds) / rf.NEXT_STUDENT_FILE).exists():
            rounds.append(self.rounds + 1)
        return rounds

    def student_of(self, number: int) -> BackendConfig:
        """The student that answered round `number`: the configured one, or the one the
        fine-tuning after the latest earlier round wrote (as the rounds chose it)."""
        trained = self._trained_for(number)
        if trained is None:
            return self.citing.student_backend
        return next_student(self.run_dir, trained)

    def _trained_for(self, number: int) -> int | None:
        """The earlier round whose fine-tuning made round `number`'s student (None: the
        configured student)."""
        if self.citing.config.finetune_command:
            for earlier in range(number - 1, 0, -1):
                if (rf.round_dir(self.run_dir, earlier) / rf.NEXT_STUDENT_FILE).exists():
                    return earlier
        return None

    def _served(self, number: int) -> ServedLimits:
        """Round `number`'s fine-tuned student served (the run stops its servers when it ends:
        the fine-tuning command runs again, and citing-finetune then only serves the model it
        saved); how to ask it."""
        trained = self._trained_for(number)
        if trained is None:
            return ServedLimits()
        if not student_alive(self.run_dir, trained):
            self._step(f"serving round {trained}'s fine-tuned student again")
            run_finetune(self.citing.config.finetune_command, self.run_dir, trained)
            self._started.add(trained)
        return served_limits(self.run_dir, trained)

    # --- the evaluation --------------------------------------------------------------------

    def run(self, clear_stop: bool = True) -> pd.DataFrame | None:
        """Evaluate (or resume); the win-rate table, or None when stopped (STOP in eval/)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        self.config.check_resumable(self.folder)
        with run_files.run_lock(self.folder):
            if clear_stop:
                run_files.clear_stop(self.folder)
            run_files.write_json(self.folder / launcher.CONFIG_FILE, self.config.to_dict())
            self.state = EvalState(pid=os.getpid())
            try:
                table = self._evaluate()
                self.state.status = RunStatus.STOPPED if table is None else RunStatus.DONE
                return table
            except (BatchStopped, KeyboardInterrupt):
                self.state.status = RunStatus.STOPPED
                return None
            except BaseException as error:
                self.state.status = RunStatus.FAILED
                self.state.error = run_files.failure_text(error)
                raise
            finally:
                self._step("")
                self.citing.close_clients()
                for trained in self._started:  # the servers this evaluation started
                    stop_student(self.run_dir, trained)

    def _step(self, text: str) -> None:
        self.state.step = text
        self.state.updated_at = time.time()
        write_state(self.folder, self.state)
        if text:
            self.log(text)

    def _stopped(self) -> bool:
        return run_files.stop_requested(self.folder)

    def _evaluate(self) -> pd.DataFrame | None:
        templates = self._judge_templates()
        answered = []
        for number in self.student_rounds():
            if self._stopped():
                return None
            self._step(f"round {number}'s student answers {len(self.test_rows)} test instructions")
            answered.append(self._answers(number))
        comparisons = []
        for (number, newer), (_, older) in zip(answered[1:], answered, strict=False):
            folder = rf.students_dir(self.run_dir, number)
            comparison = self._judge(STUDENTS, number, [newer, older], folder, templates)
            if comparison is None:
                return None
            comparisons.append(comparison)
        for number in range(1, self.rounds + 1):
            original = self._originals(number)
            if original is None:
                continue
            revised = rf.round_dir(self.run_dir, number) / rf.DATASET_FILE
            folder = rf.revised_dir(self.run_dir, number)
            comparison = self._judge(REVISED, number, [revised, original], folder, templates)
            if comparison is None:
                return None
            comparisons.append(comparison)
        table = win_rate_table(comparisons)
        atomic_write_text(self.folder / rf.WIN_RATES_FILE, table.to_csv(index=False))
        return table

    def _judge_templates(self) -> Path:
        """The judge's templates folder: CITING's judge template as pair-v2's system message.
        A template changed since judging began is refused (E029): the resumed judge runs would
        mix two prompts."""
        folder = self.folder / rf.JUDGE_TEMPLATES_DIR
        path = folder / JUDGE_PAIR_SYSTEM
        text = self.citing.templates[JUDGE].text
        judged = any(self.folder.glob(f"*/{JUDGMENTS_FILE}"))
        if judged and path.exists() and path.read_text(encoding="utf-8") != text:
            changes = (
                f"the judge template ({self.citing.templates[JUDGE].source} differs from {path})"
            )
            raise WorkbenchError(Errors.E029.format(folder=self.folder, changes=changes))
        folder.mkdir(exist_ok=True)
        atomic_write_text(path, text)
        return folder.resolve()

    def _answers(self, number: int) -> tuple[int, Path]:
        """Round `number`'s student's answers to the test instructions (reused when its file
        holds them all); raises E067 when every request failed, E129 when some did."""
        path = rf.answers_file(self.run_dir, number)
        ids = [str(row["id"]) for row in self.test_rows]
        if [row["id"] for row in run_files.read_jsonl(path)] == ids:
            return number, path
        limits = self._served(number)  # first: serving again writes a new endpoint
        backend = self.student_of(number)
        api = resolved_api(self.citing.config.api, backend.kind)
        params = self.citing.student_params(backend, number)
        requests = [
            Request(
                self.citing.answer.format_input(row["instruction"], row["input"] or ""),
                api,
                params,
                repeat=number - 1,
            )
            for row in self.test_rows
        ]
        client = self.citing.client("student", backend, limits)
        results = client.run_batch(requests, stop=self._stopped)
        failed = [result for result in results if not result.ok]
        if failed:
            step = f"round {number}'s student on the test instructions"
            if len(failed) == len(results):
                raise WorkbenchError(
                    Errors.E067.format(step=step, count=len(results), cause=failed[0].cause)
                )
            raise WorkbenchError(
                Errors.E129.format(
                    step=step, failed=len(failed), count=len(results), cause=failed[0].cause
                )
            )
        records = [
            make_record(
                id=row["id"],
                instruction=row["instruction"],
                input=row["input"] or "",
                output=self.citing.answer.format_output(result.text, row["input"] or "") or "",
                metadata={"citing_round": number, "finish_reason": result.finish_reason},
                source=self.citing.source.name,
                model=result.model or backend.model,
            )
            for row, result in zip(self.test_rows, results, strict=True)
        ]
        run_files.write_jsonl(path, records)
        return number, path

    def _originals(self, number: int) -> Path | None:
        """The student's answers that round `number` revised, as a dataset; None when the
        round revised none."""
        revised = [r for r in rec.read_round(self.run_dir, number) if r["outcome"] == rec.REVISED]
        if not revised:
            return None
        path = rf.original_file(self.run_dir, number)
        run_files.write_jsonl(
            path,
            (
                make_record(
                    id=r["id"],
                    instruction=r["instruction"],
                    input=r["input"],
                    output=r["student_answer"],
                    metadata={"citing_round": number},
                    source=self.citing.source.name,
                    model=r["student_model"],
                    category=r["category"],
                )
                for r in revised
            ),
        )
        return path

    def _judge(
        self, kind: str, number: int, sources: list[Path], folder: Path, templates: Path
    ) -> Comparison | None:
        """One pairwise judge run (resumed if begun); None when it was stopped."""
        if self._stopped():
            return None
        self._step(f"judging {folder.name}")
        state = judge_answers(
            [str(source.resolve()) for source in sources],
            folder,
            mode=PAIRWISE,
            client=self.judge,
            templates=str(templates),
            **self.config.judge_options(),
        )
        if state.status is not RunStatus.DONE:
            return None
        return Comparison(number, kind, read_run_folder(folder))


def evaluate(
    run_dir: str | Path,
    *,
    student: SyncLLMClient | None = None,
    judge: SyncLLMClient | None = None,
    log: Callable[[str], None] | None = None,
    **settings,
) -> pd.DataFrame | None:
    """Evaluate the CITING run in `run_dir` (see the module docstring); the win-rate table
    (also in run_dir/eval/win_rates.csv), None when stopped. settings: EvalConfig's fields
    (test_limit, backend, model, base_url, concurrency, temperature, max_tokens)::

        from generation.citing.evaluate import evaluate

        table = evaluate("runs/citing", test_limit=20, max_tokens=512)
    """
    config = EvalConfig(**settings)
    return CitingEvaluation(run_dir, config, student=student, judge=judge, log=log).run()


def start(run_dir: str | Path, config: EvalConfig):
    """Start the evaluation's background worker on run_dir/eval (resuming is starting again)."""
    folder = rf.eval_dir(Path(run_dir))
    folder.mkdir(parents=True, exist_ok=True)
    config.check_resumable(folder)
    run_files.write_json(folder / launcher.CONFIG_FILE, config.to_dict())
    return launcher.start_worker(WORKER, folder, config.base_url)


def status(run_dir: str | Path) -> tuple[EvalState | None, RunStatus, bool]:
    """(saved state, the status a page shows, whether the worker is alive)."""
    folder = rf.eval_dir(Path(run_dir))
    saved = read_state(folder)
    shown, running = launcher.shown_status(folder, saved.status if saved else None)
    return saved, shown, running


def read_win_rates(run_dir: str | Path) -> pd.DataFrame | None:
    """eval/win_rates.csv as written; None before an evaluation finished."""
    path = rf.eval_dir(Path(run_dir)) / rf.WIN_RATES_FILE
    return pd.read_csv(path) if path.exists() else None


def main(argv: list[str] | None = None) -> int:
    def build(folder: Path, base_url: str | None) -> CitingEvaluation:
        config = EvalConfig.from_dict(run_files.read_json(folder / launcher.CONFIG_FILE))
        return CitingEvaluation(
            folder.parent,
            config.with_credentials(base_url=base_url),
            log=lambda text: print(text, flush=True),
        )

    return launcher.worker_main(argv, build, read_state, write_state, EvalState)


if __name__ == "__main__":
    sys.exit(main())
