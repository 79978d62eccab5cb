"""The judge run over the generation client, resumable; and the library calls for notebooks.

A run builds every request up front (generation.judge.plan: a stable order that depends on
nothing but the settings and the data), sends them in chunks, and appends each chunk's rows to
judgments.jsonl before its checkpoint counts them. A rerun skips the rows already written and
sends the rest; rows whose request failed are sent again. A chunk killed or stopped half-way
is sent again whole, and its replies already paid come from the client's reply cache, so
nothing is paid twice. A chunk in which every request failed ends the run (failed, resumable):
the endpoint is not answering. compare-score is a single-mode run that also writes the
comparison-data exports (generation.judge.export) when it is done.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from analysis.errors import Errors, WorkbenchError
from generation import local_llm, run_files
from generation.backend import LOCAL, resolve_backend
from generation.client import BatchStopped, Progress, Result, SyncLLMClient
from generation.judge import export, records
from generation.judge import run_folder as rf
from generation.judge.answers import load_inputs
from generation.judge.plan import build_requests, judgment_row
from generation.judge.run_folder import COMPARE_SCORE, JudgeConfig, absolute_source
from generation.judge.state import STAGE, JudgeState
from generation.judge.steps import SINGLE, step_for
from generation.run_files import failure_text
from generation.run_status import RunStatus
from generation.templates import describe_all
from generation.usage import UsageCounter

CHUNK_PER_SLOT = 16  # requests per chunk for each request the client keeps in flight
SAVE_EVERY_S = 0.5


class JudgeRun:
    """One run folder's judging. `client` may be given (tests, notebooks); otherwise one is
    made for the configured backend, with the workspace reply cache."""

    def __init__(
        self,
        config: JudgeConfig,
        out_dir: str | Path,
        *,
        client: SyncLLMClient | None = None,
        on_progress: Callable[[JudgeState], None] | None = None,
    ):
        self.config = config
        self.out_dir = Path(out_dir)
        self.backend = (
            client.client.config
            if client
            else resolve_backend(config.backend, config.model, config.base_url)
        )
        self._client = client
        self.on_progress = on_progress
        self.step = step_for(config.mode, config.templates, config.template_versions)
        self.inputs = load_inputs(config.answers, config.questions)
        self.names = [answer_set.name for answer_set in self.inputs.sets]
        if config.reference_model is not None and config.reference_model not in self.names:
            raise WorkbenchError(
                Errors.E092.format(name=config.reference_model, names=", ".join(self.names))
            )
        self.items = self.inputs.alignment.items[: config.limit]
        self.requests = build_requests(
            self.items, self.names, self.step, self.params(), config.reference_model
        )
        self.state = JudgeState()
        self.exports: dict | None = None
        self._last_save = 0.0
        self._clock: tuple[float, float] | None = None  # (seconds before, session start)

    def params(self) -> dict:
        """Every request's decoding: the settings', with llama.cpp's own sampling extras
        switched off on the embedded model (local_llm.NEUTRAL_SAMPLING)."""
        if self.backend.kind == LOCAL:
            return {**self.config.params(), **local_llm.NEUTRAL_SAMPLING}
        return self.config.params()

    # --- the run --------------------------------------------------------------------------

    def run(self, clear_stop: bool = True) -> JudgeState:
        """Run (or resume) to the end; returns the final state. Stops early on the STOP file,
        which is first removed unless `clear_stop` is False (a background worker, whose
        launcher removed it before starting it: a stop asked for since then must count)."""
        self.out_dir.mkdir(parents=True, exist_ok=True)
        self.config.check_resumable(self.out_dir)
        with run_files.run_lock(self.out_dir):
            if clear_stop:
                run_files.clear_stop(self.out_dir)
            self._check_inputs()
            run_files.write_json(self.out_dir / rf.CONFIG_FILE, self.config.to_dict())
            rows = self._load_rows()
            self.state = self._load_state(rows)
            self._clock = (self.state.seconds, time.monotonic())
            client = None
            try:
                if self._todo(rows):
                    client = self._client or SyncLLMClient(
                        config=self.backend, concurrency=self.config.concurrency
                    )
                    self._judge(client, rows)
                self._finish()
            except (BatchStopped, KeyboardInterrupt):  # the checkpoint is the last chunk
                self.state.status = RunStatus.STOPPED
            except BaseException as error:
                self.state.status = RunStatus.FAILED
                self.state.error = self.backend.redact(failure_text(error))
                raise
            finally:
                self._save(force=True)
                self._write_manifest(rows)
                if client is not None and self._client is None:
                    client.close()
        return self.state

    def _check_inputs(self) -> None:
        """Refuse to continue a run whose questions or answers changed since it started (its
        rows would judge other texts than their neighbours)."""
        now = records.aligned_rows(self.items, self.names)
        path = self.out_dir / rf.ALIGNED_FILE
        if path.exists() and run_files.read_jsonl(path) != now:
            raise WorkbenchError(Errors.E097.format(folder=self.out_dir, file=rf.ALIGNED_FILE))
        run_files.write_jsonl(path, now)

    def _load_rows(self) -> list[dict]:
        """The rows already written (a torn last line, from a killed write, is dropped)."""
        rows = run_files.read_jsonl(self.out_dir / rf.JUDGMENTS_FILE)[: len(self.requests)]
        run_files.write_jsonl(self.out_dir / rf.JUDGMENTS_FILE, rows)
        return rows

    def _load_state(self, rows: list[dict]) -> JudgeState:
        state = rf.read_state(self.out_dir) or JudgeState()
        state.status = RunStatus.RUNNING
        state.total = len(self.requests)
        state.questions = len(self.items)
        state.aligned_on = self.inputs.alignment.on
        state.pid = os.getpid()
        state.error = None
        state.step_usage = UsageCounter()
        state.sessions += 1
        state.count(rows)
        state.done = state.committed - state.failed
        return state

    def _todo(self, rows: list[dict]) -> list[int]:
        """Rows to request: those whose request failed, then those not written yet."""
        retry = [i for i, row in enumerate(rows) if row["failure"] is not None]
        return retry + list(range(len(rows), len(self.requests)))

    def _judge(self, client: SyncLLMClient, rows: list[dict]) -> None:
        todo = self._todo(rows)
        size = CHUNK_PER_SLOT * client.client.concurrency
        for start in range(0, len(todo), size):
            chunk = todo[start : start + size]
            results = self._batch(client, chunk)
            fresh = [
                judgment_row(self.requests[i], result, self.step, self.backend.model)
                for i, result in zip(chunk, results, strict=True)
            ]
            replaced = chunk[0] < len(rows)
            for i, row in zip(chunk, fresh, strict=True):
                if i < len(rows):
                    rows[i] = row
                else:
                    rows.append(row)
            path = self.out_dir / rf.JUDGMENTS_FILE
            if replaced:
                run_files.write_jsonl(path, rows)
            else:
                run_files.append_jsonl(path, fresh)
            self._commit(results, rows)

    def _batch(self, client: SyncLLMClient, chunk: Sequence[int]) -> list[Result]:
        """One chunk's requests, the live progress saved as replies come; the STOP file is
        looked at before each request is sent."""
        base = self.state.done

        def tick(progress: Progress) -> None:
            self.state.done = base + progress.done
            self.state.step_usage = progress.used
            self._save()

        results = client.run_batch(
            [self.requests[i].request for i in chunk],
            progress=tick,
            stop=lambda: run_files.stop_requested(self.out_dir),
        )
        if not any(result.ok for result in results):
            step = f"judge requests {chunk[0] + 1}-{chunk[-1] + 1}"
            raise WorkbenchError(
                Errors.E067.format(step=step, count=len(results), cause=results[0].cause)
            )
        return results

    def _commit(self, results: Sequence[Result], rows: list[dict]) -> None:
        state = self.state
        state.step_usage = UsageCounter()
        usage = state.usage.setdefault(STAGE, UsageCounter())
        for result in results:
            usage.add(result)
            if result.ok and state.served_model is None:
                state.served_model = result.model
        state.count(rows)
        state.done = state.committed - state.failed
        self._save(force=True)

    def _finish(self) -> None:
        if self.config.pipeline == COMPARE_SCORE:
            self.exports = export.write_exports(self.out_dir)
        self.state.status = RunStatus.DONE

    # --- checkpoint and manifest ----------------------------------------------------------

    def _save(self, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._last_save < SAVE_EVERY_S:
            return
        self._last_save = now
        if self._clock is not None:
            before, started = self._clock
            self.state.seconds = round(before + now - started, 3)
        self.state.updated_at = time.time()
        rf.write_state(self.out_dir, self.state)
        if self.on_progress:
            self.on_progress(self.state)

    def provenance(self) -> records.Provenance:
        return records.Provenance(
            judge_model=self.backend.model,
            backend=self.backend.kind,
            endpoint=self.backend.endpoint,
            decoding=self.params(),
            templates=describe_all(self.step.prompts.files),
        )

    def _write_manifest(self, rows: list[dict]) -> None:
        counts = records.verdict_counts(rows, self.state, self.inputs)
        if self.exports is not None:
            counts["exports"] = self.exports
        records.write_manifest(
            self.out_dir, self.config, self.provenance(), self.inputs, self.state, counts
        )


# --- library calls --------------------------------------------------------------------------


def _config(answer_sources, questions, **settings) -> JudgeConfig:
    return JudgeConfig(
        answers=tuple(absolute_source(str(source)) for source in answer_sources),
        questions=absolute_source(str(questions)) if questions else None,
        **settings,
    )


def judge_answers(
    answer_sources: Sequence[str | Path],
    out_dir: str | Path,
    mode: str = SINGLE,
    *,
    questions: str | Path | None = None,
    reference_model: str | None = None,
    limit: int | None = None,
    client: SyncLLMClient | None = None,
    on_progress: Callable[[JudgeState], None] | None = None,
    **options,
) -> JudgeState:
    """Judge answer sets into the run folder `out_dir` (resumed if it holds this run).

    mode: "single", "pairwise" or "two-score"; options: backend, model, base_url,
    concurrency, temperature, max_tokens, templates (see JudgeConfig). With `client` given,
    its endpoint judges. The rows are in out_dir/judgments.jsonl; the state is returned.
    """
    config = _config(
        answer_sources,
        questions,
        mode=mode,
        reference_model=reference_model,
        limit=limit,
        **options,
    )
    return JudgeRun(config, out_dir, client=client, on_progress=on_progress).run()


def compare_score(
    answer_sources: Sequence[str | Path],
    out_dir: str | Path,
    *,
    questions: str | Path | None = None,
    limit: int | None = None,
    client: SyncLLMClient | None = None,
    on_progress: Callable[[JudgeState], None] | None = None,
    **options,
) -> JudgeState:
    """GPT-4-LLM's comparison data: every answer graded 1-10 (single mode), then
    comparison_data_v2.json and reward_pairs.jsonl written in `out_dir`; the manifest counts
    what they leave out (counts.exports)."""
    config = _config(
        answer_sources, questions, mode=SINGLE, pipeline=COMPARE_SCORE, limit=limit, **options
    )
    return JudgeRun(config, out_dir, client=client, on_progress=on_progress).run()
