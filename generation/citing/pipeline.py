"""The CITING pipeline over the generation client: resumable, stoppable.

1. split: the source's row ids, seeded 8:1:1 (split.json);
2. categories: the teacher groups the first `category_sample` training instructions of the
   seeded order into categories with a description and criteria each (rubrics.jsonl). An
   existing rubrics.jsonl is read instead, so the user's edits count; a reply the strict
   parser refuses stops the run (E120) with the reply kept in categories_reply.json;
3. rounds: the first `limit` training instructions get their category (a member of it, else
   by sentence embeddings when an embedding model is set); in each round the student answers
   each, the teacher revises each answer against its category's criteria, and the round's
   records and SFT exports are written; a fine-tuning command, when set, makes the next
   round's student from them (generation.citing.finetune).

Rerunning resumes: finished rounds are kept, a round cut short is worked again with every
request answered from the reply cache. The STOP file is looked at before each request.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from analysis.datasets import load_dataset
from analysis.errors import Errors, WorkbenchError
from generation import run_files
from generation.answer.records import source_rows
from generation.answer.steps import WITH_INPUT, WITHOUT_INPUT, completion_stops
from generation.backend import LOCAL, BackendConfig
from generation.citing import records as rec
from generation.citing import run_folder as rf
from generation.citing.assign import assign_categories
from generation.citing.finetune import (
    ServedLimits,
    next_student,
    run_finetune,
    served_limits,
    stop_student,
    student_alive,
)
from generation.citing.rubrics import read_rubrics, write_rubrics
from generation.citing.run_folder import CitingConfig
from generation.citing.split import PARTS, TEST, TRAIN, VALIDATION, split_ids
from generation.citing.state import CitingState, Stage
from generation.citing.steps import (
    CATEGORIES,
    REVISION,
    Categorize,
    Category,
    Revise,
    Unparsed,
    load_templates,
    student_step,
)
from generation.client import (
    COMPLETION,
    BatchStopped,
    Progress,
    Request,
    Result,
    SyncLLMClient,
    resolved_api,
)
from generation.local_llm import NEUTRAL_SAMPLING
from generation.run_status import RunStatus
from generation.templates import describe_all
from generation.usage import UsageCounter

SAVE_EVERY_S = 0.5


class CitingRun:
    """One run folder's pipeline. `teacher` and `student` clients may be given (tests,
    notebooks); otherwise each is made for its configured backend with the reply cache."""

    def __init__(
        self,
        config: CitingConfig,
        out_dir: str | Path,
        *,
        teacher: SyncLLMClient | None = None,
        student: SyncLLMClient | None = None,
        on_progress: Callable[[CitingState], None] | None = None,
    ):
        self.config = config
        self.out_dir = Path(out_dir)
        self._given = {"teacher": teacher, "student": student}
        self.teacher_backend = teacher.client.config if teacher else config.teacher()
        self.student_backend = student.client.config if student else config.student()
        self.on_progress = on_progress
        self.templates = load_templates(config.templates, config.template_versions)
        self.categorize = Categorize(self.templates[CATEGORIES])
        self.revise = Revise(self.templates[REVISION])
        self.answer = student_step(self.templates)
        self.source = load_dataset(config.source)
        self.state = CitingState()
        self._last_save = 0.0
        self._clock: tuple[float, float] | None = None
        self._clients: list[SyncLLMClient] = []
        self._serving: int | None = None  # the round whose fine-tuned student is in use

    # --- parameters -----------------------------------------------------------------------

    def _adjusted(self, params: dict, backend: BackendConfig, stops: Sequence[str]) -> dict:
        if resolved_api(self.config.api, backend.kind) == COMPLETION and stops:
            params["stop"] = list(stops)
        if backend.kind == LOCAL:
            params.update(NEUTRAL_SAMPLING, seed=self.config.run_seed)
        return params

    def categories_params(self) -> dict:
        params = {"temperature": 0.0, "top_p": 1.0, "max_tokens": self.config.categories_max_tokens}
        return self._adjusted(params, self.teacher_backend, ())

    def revision_params(self) -> dict:
        params = {"temperature": 0.0, "top_p": 1.0, "max_tokens": self.config.revision_max_tokens}
        return self._adjusted(params, self.teacher_backend, ("\n### Instruction:",))

    def student_params(self, backend: BackendConfig, number: int) -> dict:
        """The student's decoding; the embedded model's seed moves with the round, so an
        unchanged student still draws a new answer each round."""
        params = {
            "temperature": self.config.student_temperature,
            "top_p": 0.9,
            "max_tokens": self.config.student_max_tokens,
        }
        stops = completion_stops([self.templates[WITH_INPUT], self.templates[WITHOUT_INPUT]])
        params = self._adjusted(params, backend, stops)
        if backend.kind == LOCAL:
            params["seed"] = self.config.run_seed + number
        return params

    def decoding(self) -> dict:
        return {
            "categories": self.categories_params(),
            "revision": self.revision_params(),
            "student": self.student_params(self.student_backend, 1),
        }

    # --- clients --------------------------------------------------------------------------

    def client(
        self, role: str, backend: BackendConfig, limits: ServedLimits | None = None
    ) -> SyncLLMClient:
        """The client given for `role` ("teacher", "student") when it serves `backend`, else one
        made for it (closed by `close_clients`), within a served student's `limits`."""
        given = self._given[role]
        if given is not None and given.client.config == backend:
            return given
        limits = limits or ServedLimits()
        asked = [n for n in (self.config.concurrency, limits.concurrency) if n is not None]
        client = SyncLLMClient(
            config=backend, concurrency=min(asked, default=None), timeout=limits.timeout_s
        )
        self._clients.append(client)
        return client

    def close_clients(self) -> None:
        for client in self._clients:
            client.close()
        self._clients.clear()

    # --- the run --------------------------------------------------------------------------

    def run(self, clear_stop: bool = True) -> CitingState:
        """Run (or resume) to the end; returns the final state. Stops early on the STOP file,
        first removed unless `clear_stop` is False (a background worker)."""
        self.out_dir.mkdir(parents=True, exist_ok=True)
        self.config.check_resumable(self.out_dir)
        with run_files.run_lock(self.out_dir):
            if clear_stop:
                run_files.clear_stop(self.out_dir)
            saved = rf.read_state(self.out_dir)
            self._check_source(saved)
            run_files.write_json(self.out_dir / rf.CONFIG_FILE, self.config.to_dict())
            self.state = self._load_state(saved)
            self._clock = (self.state.seconds, time.monotonic())
            try:
                split = self._split()
                categories = self._categories(split)
                self._assign_unseen(split, categories)
                if self.config.rubrics_only:
                    self.state.status = RunStatus.STOPPED  # resumable: the rounds are next
                    self.state.stage = Stage.CATEGORIES
                    return self.state
                self._rounds(split, categories)
                self._finish(split)
            except (BatchStopped, KeyboardInterrupt):
                self.state.status = RunStatus.STOPPED
            except BaseException as error:
                self.state.status = RunStatus.FAILED
                self.state.error = self.teacher_backend.redact(
                    self.student_backend.redact(run_files.failure_text(error))
                )
                raise
            finally:
                self._save(force=True)
                self._clock = None
                self.close_clients()
                if self.config.finetune_command:  # a resumed run serves them again
                    for number in {self._serving, self.state.round} - {None}:
                        stop_student(self.out_dir, number)
        return self.state

    def _check_source(self, saved: CitingState | None) -> None:
        if saved is None or saved.source_fingerprint in (None, self.source.fingerprint):
            return
        raise WorkbenchError(
            Errors.E081.format(
                folder=self.out_dir,
                source=self.config.source,
                was=saved.source_fingerprint,
                now=self.source.fingerprint,
            )
        )

    def _load_state(self, saved: CitingState | None) -> CitingState:
        state = saved or CitingState()
        state.status = RunStatus.RUNNING
        state.rounds = self.config.rounds
        state.rounds_done = min(state.rounds_done, self.config.rounds)
        state.source_fingerprint = self.source.fingerprint
        state.pid = os.getpid()
        state.error = None
        state.sessions += 1
        return state

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

    def _batch(self, client: SyncLLMClient, requests: list[Request], stage: Stage) -> list[Result]:
        """One stage's requests, the progress saved as replies come, the STOP file looked at
        before each request is sent; their usage counted under the stage."""
        self.state.stage = stage
        self.state.step_done, self.state.step_total = 0, len(requests)
        self._save(force=True)
        if not requests:
            return []

        def tick(progress: Progress) -> None:
            self.state.step_done = progress.done
            self._save()

        results = client.run_batch(
            requests, progress=tick, stop=lambda: run_files.stop_requested(self.out_dir)
        )
        counter = self.state.usage.setdefault(stage, UsageCounter())
        for result in results:
            counter.add(result)
        return results

    # --- split and categories -------------------------------------------------------------

    def _split(self) -> dict[str, list[str]]:
        """The split, the same every time for this source and seed."""
        self.state.stage = Stage.SPLIT
        ids = [str(value) for value in self.source.frame["id"]]
        split = split_ids(ids, self.config.seed, source=self.config.source)
        run_files.write_json(
            self.out_dir / rf.SPLIT_FILE,
            {"seed": self.config.seed, "fingerprint": self.source.fingerprint, **split},
        )
        return split

    def rows(self, ids: Sequence[str]) -> list[dict]:
        """The source's rows of `ids`, in that order."""
        frame = self.source.frame.set_index(self.source.frame["id"].astype(str), drop=False)
        chosen = frame.loc[list(ids)]
        return source_rows(chosen, len(chosen))

    def _train_rows(self, split: dict[str, list[str]], count: int) -> list[dict]:
        """The first `count` training rows in the split's seeded order."""
        return self.rows(split[TRAIN][:count])

    def _categories(self, split: dict[str, list[str]]) -> list[Category]:
        path = self.out_dir / rf.RUBRICS_FILE
        existing = read_rubrics(path)
        if existing is not None:
            return existing
        rows = self._train_rows(split, self.config.category_sample)
        instructions = [row["instruction"] for row in rows]
        prompt = self.categorize.format_input(instructions, self.config.categories)
        api = resolved_api(self.config.api, self.teacher_backend.kind)
        request = Request(prompt, api, self.categories_params())
        client = self.client("teacher", self.teacher_backend)
        (result,) = self._batch(client, [request], Stage.CATEGORIES)
        if not result.ok:
            raise WorkbenchError(Errors.E067.format(step="categories", count=1, cause=result.cause))
        self.state.teacher_model = result.model
        reply_path = self.out_dir / rf.CATEGORIES_REPLY_FILE
        run_files.write_json(
            reply_path,
            {"prompt": prompt, "reply": result.text, "finish_reason": result.finish_reason},
        )
        try:
            if result.truncated:
                raise Unparsed("the reply was cut by the length limit")
            categories = self.categorize.format_output(result.text, instructions)
        except Unparsed as why:
            raise WorkbenchError(
                Errors.E120.format(why=why, path=reply_path, rubrics=path)
            ) from None
        write_rubrics(path, categories)
        return categories

    def _assign_unseen(self, split: dict[str, list[str]], categories: list[Category]) -> None:
        """With an embedding model, every validation and test instruction's nearest category
        and its margin to the runner-up (assignments.jsonl), from the rubric table as it is now
        (an edit counts at the next start; the embeddings come from their cache)."""
        if not self.config.embedding_model:
            return
        self.state.stage = Stage.ASSIGNMENT
        self._save(force=True)
        frame = self.source.frame.set_index(self.source.frame["id"].astype(str), drop=False)
        rows = [(part, row_id) for part in (VALIDATION, TEST) for row_id in split[part]]
        instructions = frame.loc[[row_id for _, row_id in rows], "instruction"].tolist()
        assigned = assign_categories(instructions, categories, self.config.embedding_model)
        run_files.write_jsonl(
            self.out_dir / rf.ASSIGNMENTS_FILE,
            (
                {
                    "id": row_id,
                    "part": part,
                    "instruction": text,
                    "category": category.name if category else None,
                    "assigned_by": how,
                    "margin": margin,
                }
                for (part, row_id), text, (category, how, margin) in zip(
                    rows, instructions, assigned, strict=True
                )
            ),
        )

    # --- rounds ---------------------------------------------------------------------------

    def _sampled(self, split: dict[str, list[str]], categories: list[Category]) -> list[dict]:
        """The round's records before any reply: each sampled instruction with its category."""
        rows = self._train_rows(split, self.config.limit)
        assigned = assign_categories(
            [row["instruction"] for row in rows], categories, self.config.embedding_model
        )
        records = [
            rec.new_record(position, row, *assignment)
            for position, (row, assignment) in enumerate(zip(rows, assigned, strict=True))
        ]
        without = sum(record["category"] is None for record in records)
        if without == len(records):
            raise WorkbenchError(
                Errors.E123.format(
                    round=self.state.round, count=without, rubrics=self.out_dir / rf.RUBRICS_FILE
                )
            )
        return records

    def _rounds(self, split: dict[str, list[str]], categories: list[Category]) -> None:
        by_name = {category.name: category for category in categories}
        for number in range(self.state.rounds_done + 1, self.config.rounds + 1):
            self.state.round = number
            student = self._student_of(number)
            records = self._sampled(split, categories)
            self._student_answers(student, records, number)
            self._revisions(records, by_name)
            folder = rec.write_round(self.out_dir, number, records, self.source.name)
            run_files.write_json(
                folder / rf.STUDENT_FILE,
                {"model": student.model, "endpoint": student.endpoint, "kind": student.kind},
            )
            self.state.outcomes[str(number)] = rec.outcome_counts(records)
            self.state.students[str(number)] = student.model
            self.state.rounds_done = number
            self._save(force=True)
            if (
                self.config.finetune_command
                and number < self.config.rounds
                and self._revised_in(number)
            ):
                self._finetune(number)

    def _revised_in(self, number: int) -> int:
        return self.state.outcomes.get(str(number), {}).get(rec.REVISED, 0)

    def _finetune(self, number: int) -> None:
        self.state.stage = Stage.FINETUNE
        self._save(force=True)
        run_finetune(self.config.finetune_command, self.out_dir, number)

    def _student_of(self, number: int) -> BackendConfig:
        """Round 1's student is the configured one; a later round's is what the fine-tuning
        command wrote after the last round with revisions (none: the configured one)."""
        if not self.config.finetune_command:
            return self.student_backend
        trained = [n for n in range(number - 1, 0, -1) if self._revised_in(n)]
        if not trained:  # no round so far had a revision to learn from
            return self.student_backend
        if self._serving not in (None, trained[0]):  # a newer student replaces it
            stop_student(self.out_dir, self._serving)
        self._serving = trained[0]
        if not student_alive(self.out_dir, trained[0]):  # a resumed run: train it again
            self._finetune(trained[0])
        return next_student(self.out_dir, trained[0])

    def _limits_of(self, backend: BackendConfig) -> ServedLimits:
        """What the fine-tuning command said of the student it serves (none: the run's own)."""
        if backend == self.student_backend or self._serving is None:
            return ServedLimits()
        return served_limits(self.out_dir, self._serving)

    def _student_answers(self, backend: BackendConfig, records: list[dict], number: int) -> None:
        asked = [record for record in records if record["outcome"] is None]
        api = resolved_api(self.config.api, backend.kind)
        params = self.student_params(backend, number)
        requests = [
            Request(
                self.answer.format_input(record["instruction"], record["input"]),
                api,
                params,
                repeat=number - 1,
            )
            for record in asked
        ]
        client = self.client("student", backend, self._limits_of(backend))
        results = self._batch(client, requests, Stage.STUDENT)
        for record, result in zip(asked, results, strict=True):
            rec.student_answered(record, result, self.answer)
        _check_any_answered(results, f"round {number}: student answers")

    def _revisions(self, records: list[dict], by_name: dict[str, Category]) -> None:
        asked = [record for record in records if record["outcome"] is None]
        api = resolved_api(self.config.api, self.teacher_backend.kind)
        params = self.revision_params()
        requests = [
            Request(
                self.revise.format_input(
                    record["instruction"],
                    record["input"],
                    by_name[record["category"]],
                    record["student_answer"],
                ),
                api,
                params,
            )
            for record in asked
        ]
        results = self._batch(
            self.client("teacher", self.teacher_backend), requests, Stage.REVISION
        )
        for record, result in zip(asked, results, strict=True):
            rec.revised(record, result, self.revise)
            if result.ok and self.state.teacher_model is None:
                self.state.teacher_model = result.model
        _check_any_answered(results, f"round {self.state.round}: teacher revisions")

    # --- the end --------------------------------------------------------------------------

    def _finish(self, split: dict[str, list[str]]) -> None:
        self.state.stage = Stage.DONE
        self.state.status = RunStatus.DONE
        self.state.step_done = self.state.step_total = 0
        self._save(force=True)
        run_files.write_json(self.out_dir / rf.MANIFEST_FILE, self.manifest(split))

    def manifest(self, split: dict[str, list[str]]) -> dict:
        state = self.state
        total = state.total_usage()
        return {
            "kind": "CITING run",
            "pipeline": rf.PIPELINE,
            "source": {
                "name": self.source.name,
                "source": str(self.config.source),
                "fingerprint": self.source.fingerprint,
                "rows": len(self.source.frame),
            },
            "split": {
                "seed": self.config.seed,
                "ratios": "8:1:1",
                "sizes": {part: len(split[part]) for part in PARTS},
                "ids": {part: split[part] for part in PARTS},
            },
            "teacher": {
                "model": self.teacher_backend.model,
                "served_model": state.teacher_model,
                "endpoint": self.teacher_backend.endpoint,
            },
            "students": state.students,
            "templates": describe_all(self.templates),
            "templates_note": "CITING's prompts are not published: ours are a reconstruction",
            "decoding": self.decoding(),
            "settings": self.config.to_dict(),
            "rounds": {number: counts for number, counts in state.outcomes.items()},
            "usage": {
                "total": {**total.to_dict(), "tokens": total.total_tokens},
                "by_stage": {stage: counter.to_dict() for stage, counter in state.usage.items()},
            },
            "timings_s": {"total": round(state.seconds, 3)},
            "sessions": state.sessions,
            "started_at": state.started_at,
            "finished_at": time.time(),
        }


def _check_any_answered(results: Sequence[Result], step: str) -> None:
    """Every request of a step failing means the endpoint is down: stop, resumable."""
    if results and not any(result.ok for result in results):
        raise WorkbenchError(
            Errors.E067.format(step=step, count=len(results), cause=results[0].cause)
        )


def citing_run(
    source: str | Path,
    out_dir: str | Path,
    *,
    teacher: SyncLLMClient | None = None,
    student: SyncLLMClient | None = None,
    on_progress: Callable[[CitingState], None] | None = None,
    **settings,
) -> CitingState:
    """Run CITING on `source` into the run folder `out_dir`; returns the final state.

    settings: CitingConfig's fields (rounds, limit, categories, category_sample, seed,
    teacher_model, student_model, ..., embedding_model, finetune_command). teacher/student: a
    `SyncLLMClient` each (tests, notebooks); otherwise the configured backends, both the
    embedded model by default. Calling it again resumes; edit `out_dir/rubrics.jsonl` between
    the categories and the rounds (or write it before the first call) to set the rubrics::

        from generation.citing.pipeline import citing_run

        state = citing_run("seed_tasks", "runs/citing", rounds=2, limit=4)
        print(state.outcomes)  # round -> outcome -> count
    """
    config = CitingConfig(source=str(source), **settings)
    return CitingRun(
        config, out_dir, teacher=teacher, student=student, on_progress=on_progress
    ).run()
