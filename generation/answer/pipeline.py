"""The teacher-answers pipeline (GPT-4-LLM) over the generation client: resumable, stoppable.

The source's rows (up to the limit) are worked in chunks of a few times the concurrency. For
Chinese, a chunk's instructions and inputs are translated first (one request each), then every
row whose translation is whole is answered; in English the rows are answered as they are. A
chunk's records are appended to records.jsonl, then the checkpoint counts them. Rerunning
resumes: rows with a record are not asked again, except those whose request failed (asked
again, so a rerun mends them); the reply cache answers every request already paid for, so a
killed run loses at most the requests in flight. The STOP file is looked at before each request
is sent. At the end records.jsonl is rewritten in source order, and dataset.jsonl,
failures.jsonl and manifest.json are written.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from analysis.datasets import load_dataset
from analysis.errors import Errors, WorkbenchError
from generation import run_files
from generation.answer import records as rec
from generation.answer import run_folder as rf
from generation.answer.run_folder import AnswerConfig
from generation.answer.state import AnswerState, Stage, Step
from generation.answer.steps import (
    TRANSLATION,
    ZH,
    Answer,
    Translation,
    completion_stops,
    load_templates,
)
from generation.backend import LOCAL, resolve_backend
from generation.client import (
    COMPLETION,
    BatchStopped,
    Progress,
    Request,
    Result,
    SyncLLMClient,
    default_concurrency,
    resolved_api,
)
from generation.local_llm import NEUTRAL_SAMPLING
from generation.run_status import RunStatus
from generation.templates import describe_all
from generation.usage import UsageCounter

ROWS_PER_SLOT = 8  # a chunk holds this many rows per request in flight
MIN_CHUNK_ROWS = 16
SAVE_EVERY_S = 0.5


class AnswerRun:
    """One run folder's pipeline. `client` may be given (tests, notebooks); otherwise one is
    made for the configured backend, with the workspace reply cache."""

    def __init__(
        self,
        config: AnswerConfig,
        out_dir: str | Path,
        *,
        client: SyncLLMClient | None = None,
        on_progress: Callable[[AnswerState], None] | None = None,
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
        self.api = resolved_api(config.api, self.backend.kind)
        self.templates = load_templates(config.lang, config.templates, config.template_versions)
        self.answer = Answer.from_templates(self.templates)
        self.translation = Translation(self.templates[TRANSLATION]) if config.lang == ZH else None
        self.source = load_dataset(config.source)
        frame = self.source.frame  # its ids are unique, it has rows: the loader sees to both
        self.total = min(len(frame), config.limit or len(frame))
        self.rows = rec.source_rows(frame, self.total)
        self.state = AnswerState()
        self._last_save = 0.0
        self._clock: tuple[float, float] | None = None  # (seconds before, session start)

    # --- parameters -----------------------------------------------------------------------

    def params(self, role: str, text: str = "") -> dict:
        """A request's parameters: the answer's, or the translation's of `text`, adjusted to
        the backend and the API (a completion stops where the reply stops being its answer)."""
        config = self.config
        if role == TRANSLATION:
            params = config.translation_params()
            stops = self.translation.completion_stops(text)
        else:
            params = config.answer_params()
            stops = completion_stops([self.answer.with_input, self.answer.without_input])
        if self.api == COMPLETION:
            params["stop"] = stops
        if self.backend.kind == LOCAL:
            params.update(NEUTRAL_SAMPLING, seed=config.run_seed)
        return params

    def decoding(self) -> dict:
        """The requests' parameters as the manifest records them (a text with "### " lines of
        its own is translated with the template's headings as stops instead)."""
        roles = ["answer", TRANSLATION] if self.translation else ["answer"]
        return {role: self.params(role) for role in roles}

    def chunk_rows(self) -> int:
        if self._client is not None:
            concurrency = self._client.client.concurrency
        else:
            concurrency = self.config.concurrency or default_concurrency(self.backend.kind)
        return max(MIN_CHUNK_ROWS, ROWS_PER_SLOT * concurrency)

    # --- the run --------------------------------------------------------------------------

    def run(self, clear_stop: bool = True) -> AnswerState:
        """Run (or resume) to the end; returns the final state. Stops early on the STOP file,
        which is first removed unless `clear_stop` is False (a background worker, whose
        launcher removed it before starting it: a stop asked for since then must count).
        A finished run with nothing left to ask is left as it is."""
        self.out_dir.mkdir(parents=True, exist_ok=True)
        self.config.check_resumable(self.out_dir)
        with run_files.run_lock(self.out_dir):
            if clear_stop:
                run_files.clear_stop(self.out_dir)
            saved = rf.read_state(self.out_dir)
            self._check_source(saved)
            records = self._restore(saved)
            todo = [
                position
                for position in range(self.total)
                if position not in records or records[position]["failure"] in rec.RETRIED
            ]
            if saved and saved.status is RunStatus.DONE and saved.total == self.total and not todo:
                self.state = saved
                return saved
            run_files.write_json(self.out_dir / rf.CONFIG_FILE, self.config.to_dict())
            self.state = self._load_state(saved, records)
            client = self._client or SyncLLMClient(
                config=self.backend, concurrency=self.config.concurrency
            )
            self._clock = (self.state.seconds, time.monotonic())
            try:
                self._work(client, records, todo)
                self._finish(records)
            except (BatchStopped, KeyboardInterrupt):  # the checkpoint is the last whole chunk
                self.state.status = RunStatus.STOPPED
            except BaseException as error:
                self.state.status = RunStatus.FAILED
                self.state.error = self.backend.redact(run_files.failure_text(error))
                raise
            finally:
                self._save(force=True)
                self._clock = None
                if self._client is None:
                    client.close()
        return self.state

    def _check_source(self, saved: AnswerState | None) -> None:
        """Refuse to go on answering a source that changed since the folder's run began: its
        rows would no longer be the ones answered. The refusal is the run's state too (a page
        reads it there)."""
        if saved is None or saved.source_fingerprint in (None, self.source.fingerprint):
            return
        error = WorkbenchError(
            Errors.E081.format(
                folder=self.out_dir,
                source=self.config.source,
                was=saved.source_fingerprint,
                now=self.source.fingerprint,
            )
        )
        saved.status, saved.error, saved.updated_at = RunStatus.FAILED, str(error), time.time()
        rf.write_state(self.out_dir, saved)
        raise error

    def _restore(self, saved: AnswerState | None) -> dict[int, dict]:
        """The records of the chunks the checkpoint counts, by row (a later record of a row
        replaces an earlier one); the file is rewritten with them, so a torn last line or an
        uncounted chunk is gone before anything is appended."""
        counted = saved.chunks if saved else -1
        path = self.out_dir / rf.RECORDS_FILE
        kept = [row for row in run_files.read_jsonl(path) if row.get("chunk", 0) <= counted]
        run_files.write_jsonl(path, kept)
        return {row["position"]: row for row in kept if row["position"] < self.total}

    def _load_state(self, saved: AnswerState | None, records: dict[int, dict]) -> AnswerState:
        state = saved or AnswerState()
        state.status = RunStatus.RUNNING
        state.stage = Stage.TRANSLATION if self.translation else Stage.ANSWER
        state.lang = self.config.lang
        state.total = self.total
        state.source_fingerprint = self.source.fingerprint
        state.pid = os.getpid()
        state.error = None
        state.step_usage = UsageCounter()  # a killed session's chunk is replayed, counted anew
        state.sessions += 1
        state.done = state.answered = state.truncated = 0
        state.failed = {}
        self.state = state
        for record in records.values():
            self._count(record, +1)
        return state

    def _count(self, record: dict, sign: int) -> None:
        state = self.state
        state.done += sign
        if record["outcome"] == rec.ANSWERED:
            state.answered += sign
        elif record["outcome"] == rec.TRUNCATED:
            state.truncated += sign
        else:
            state.failed[record["failure"]] = state.failed.get(record["failure"], 0) + sign
            if not state.failed[record["failure"]]:
                del state.failed[record["failure"]]

    def _save(self, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._last_save < SAVE_EVERY_S:
            return
        self._last_save = now
        if self._clock is not None:
            self.state.seconds = round(self._clock[0] + now - self._clock[1], 3)
        self.state.updated_at = time.time()
        rf.write_state(self.out_dir, self.state)
        if self.on_progress:
            self.on_progress(self.state)

    # --- chunks ---------------------------------------------------------------------------

    def _work(self, client: SyncLLMClient, records: dict[int, dict], todo: list[int]) -> None:
        size = self.chunk_rows()
        for start in range(0, len(todo), size):
            positions = todo[start : start + size]
            fresh = any(position not in records for position in positions)
            number = self.state.chunks + 1
            chunk = [rec.new_record(p, self.rows[p], self.config.lang, number) for p in positions]
            used: dict[str, list[Result]] = {}
            if self.translation:
                used[Stage.TRANSLATION] = self._translate(client, chunk)
            used[Stage.ANSWER] = self._answer(client, chunk, used.get(Stage.TRANSLATION, []))
            run_files.append_jsonl(self.out_dir / rf.RECORDS_FILE, chunk)
            for record in chunk:
                if record["position"] in records:
                    self._count(records[record["position"]], -1)
                records[record["position"]] = record
                self._count(record, +1)
            self._commit(used)
            self.state.chunks = number
            self._save(force=True)
            results = [result for batch in used.values() for result in batch]
            if fresh and results and not any(result.ok for result in results):
                raise WorkbenchError(
                    Errors.E067.format(
                        step=_rows_text(chunk), count=len(results), cause=results[0].cause
                    )
                )

    def _translate(self, client: SyncLLMClient, chunk: list[dict]) -> list[Result]:
        """Translate each row's instruction and input (one request each; an empty input needs
        none); a row whose translation cannot be answered is failed with its cause."""
        asked = [
            (record, field)
            for record in chunk
            for field in ("instruction", "input")
            if field == "instruction" or record["input"] != ""
        ]
        requests = [
            Request(
                self.translation.format_input(record[field]),
                self.api,
                self.params(TRANSLATION, record[field]),
            )
            for record, field in asked
        ]
        results = self._batch(client, requests, Stage.TRANSLATION, chunk, UsageCounter())
        for record in chunk:
            record["translation"] = {"instruction": None, "input": None}
        for (record, field), result in zip(asked, results, strict=True):
            entry = rec.translation_entry(result, self.translation, record[field])
            record["translation"][field] = entry
        for record in chunk:
            failure = rec.translation_failure(record["translation"])
            if failure:
                rec.fail(record, *failure)
        return results

    def _answer(
        self, client: SyncLLMClient, chunk: list[dict], earlier: Sequence[Result]
    ) -> list[Result]:
        asked = [record for record in chunk if record["outcome"] is None]
        params = self.params("answer")
        requests = [
            Request(self.answer.format_input(*rec.question(record)), self.api, params)
            for record in asked
        ]
        before = UsageCounter()
        for result in earlier:
            before.add(result)
        results = self._batch(client, requests, Stage.ANSWER, chunk, before)
        for record, result in zip(asked, results, strict=True):
            rec.answered(record, result, self.answer)
            if result.ok and self.state.served_model is None:
                self.state.served_model = result.model
        return results

    def _batch(
        self,
        client: SyncLLMClient,
        requests: Sequence[Request],
        stage: Stage,
        chunk: Sequence[dict],
        before: UsageCounter,
    ) -> list[Result]:
        """One stage's requests for a chunk, saving the progress as each reply comes; the STOP
        file is looked at before each request is sent. `before`: what the chunk used so far."""
        first, last = chunk[0]["position"] + 1, chunk[-1]["position"] + 1
        self.state.stage = stage
        self.state.step = Step(stage, 0, len(requests), first, last)
        self._save()
        if not requests:
            return []

        def tick(progress: Progress) -> None:
            self.state.step = Step(stage, progress.done, len(requests), first, last)
            self.state.step_usage = before + progress.used
            self._save()

        return client.run_batch(
            requests, progress=tick, stop=lambda: run_files.stop_requested(self.out_dir)
        )

    def _commit(self, used: dict[str, list[Result]]) -> None:
        """Count a finished chunk's usage (its live usage is done with)."""
        self.state.step_usage = UsageCounter()
        for stage, results in used.items():
            counter = self.state.usage.setdefault(stage, UsageCounter())
            for result in results:
                counter.add(result)

    # --- the end --------------------------------------------------------------------------

    def _finish(self, records: dict[int, dict]) -> None:
        state = self.state
        ordered = [records[position] for position in range(self.total)]
        for record in ordered:
            record.pop("chunk", None)  # bookkeeping of the session that wrote it
        rec.write_outputs(self.out_dir, ordered, self.source.name)
        state.stage = Stage.DONE
        state.status = RunStatus.DONE
        state.step = Step(Stage.DONE, 1, 1)
        self._save(force=True)
        rec.write_manifest(self.out_dir, self.provenance(), state)

    def provenance(self) -> rec.Provenance:
        return rec.Provenance(
            lang=self.config.lang,
            model=self.backend.model,
            backend=self.backend.kind,
            endpoint=self.backend.endpoint,
            api=self.api,
            source={
                "name": self.source.name,
                "source": str(self.config.source),
                "fingerprint": self.source.fingerprint,
                "rows": len(self.source.frame),
                "answered_rows": self.total,
            },
            templates=describe_all(self.templates),
            decoding=self.decoding(),
            settings=self.config.to_dict(),
        )


def _rows_text(chunk: Sequence[dict]) -> str:
    return f"rows {chunk[0]['position'] + 1}-{chunk[-1]['position'] + 1}"


def answer_dataset(
    source: str | Path,
    out_dir: str | Path,
    *,
    lang: str = "en",
    limit: int | None = None,
    client: SyncLLMClient | None = None,
    on_progress: Callable[[AnswerState], None] | None = None,
    **settings,
) -> AnswerState:
    """Have a teacher model answer every instruction of `source`, GPT-4-LLM's way, into the run
    folder `out_dir`; returns the final state (answered, truncated, failed by cause, usage).

    source: anything `analysis.datasets.load_dataset` resolves (a registered name, a file, a
    run folder, a hub id). lang: "en", or "zh" (translate the instruction and the input, then
    answer in Chinese). limit: the first N rows only. client: a `SyncLLMClient` to use (its
    endpoint and model are the teacher); without one, `backend`, `model` and `base_url` in
    `settings` choose it as the CLI does (the embedded model when nothing is configured).
    settings: the other AnswerConfig fields (api, concurrency, temperature, top_p, max_tokens,
    translation_max_tokens, templates, run_seed).

    Calling it again on the same folder resumes (nothing paid for twice; failed requests are
    asked again). The result loads like any dataset, with the source's row ids::

        from analysis.datasets import load_dataset
        from generation.answer.pipeline import answer_dataset

        state = answer_dataset("user_oriented_instructions", "runs/teacher-zh", lang="zh", limit=20)
        print(state.answered, state.truncated, state.failed)
        teacher = load_dataset("runs/teacher-zh")  # failures: runs/teacher-zh/failures.jsonl
    """
    config = AnswerConfig(source=str(source), lang=lang, limit=limit, **settings)
    return AnswerRun(config, out_dir, client=client, on_progress=on_progress).run()
