"""The Self-Instruct pipeline, and Alpaca's variant, over the generation client; resumable.

Stages: bootstrap rounds until `target` instructions are kept, then (Self-Instruct only) the
classification question and the instances for every kept instruction, then the post-filters,
the dataset and the exports. Alpaca's requests return whole tasks, so it stops after bootstrap.
What differs between the two is the run's Variant (variants.py), which the pipeline asks.

Determinism is what makes resuming safe: round r's prompts come from an RNG seeded with
(run seed, r) and the instructions kept before round r, so a rerun builds the same prompts,
the client's reply cache answers every request already paid for, and the result is the one an
uninterrupted run gives. Each round's candidates are appended to candidates.jsonl before the
checkpoint (state.json) counts them; a killed round is replayed, not resumed half-way.

Where this differs from the original code, on purpose:
- the RNG is seeded per round (and per task for the instance sampling) instead of once per
  process, so a resumed run draws what an uninterrupted one draws;
- the target is exact: candidates past it are recorded as `target_reached` (the original kept
  the whole last batch);
- each instance prompt gets its own max_tokens (300 output-first, 350 input-first; the
  original gave a whole batch 300 as soon as one of its tasks was a classification task);
- duplicate instances are removed in order (the original went through a set);
- candidates rejected by a heuristic filter still get their ROUGE-L and nearest instruction,
  for display only (the original scored only the survivors);
- on the embedded llama.cpp model, llama.cpp's own sampling extras are switched off and a
  seed is sent (local_llm.NEUTRAL_SAMPLING); Alpaca's logit_bias (a GPT-3 token id) is left out.
"""

from __future__ import annotations

import os
import random
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

from analysis.errors import Errors, WorkbenchError
from analysis.rouge import AUTO, ENGLISH, IncrementalRougeFilter
from generation import run_files
from generation.backend import LOCAL, resolve_backend
from generation.client import (
    CHAT,
    BatchStopped,
    Progress,
    Request,
    Result,
    SyncLLMClient,
    resolved_api,
)
from generation.local_llm import NEUTRAL_SAMPLING
from generation.prompt_versions import apply_versions
from generation.self_instruct import filters, records
from generation.self_instruct import run_folder as rf
from generation.self_instruct.pool import Pool, Rules
from generation.self_instruct.run_folder import RunConfig
from generation.self_instruct.seeds import load_seed_tasks
from generation.self_instruct.state import RunState, RunStatus, Stage, Step
from generation.self_instruct.steps import Classification, Instances
from generation.self_instruct.variants import instances_role
from generation.templates import describe_all, load_template
from generation.usage import UsageCounter

SAVE_EVERY_S = 0.5
MAX_FAILURES_KEPT = 50


class SelfInstructRun:
    """One run folder's pipeline. `client` may be given (tests, notebooks); otherwise one is
    made for the configured backend, with the workspace reply cache."""

    def __init__(
        self,
        config: RunConfig,
        out_dir: str | Path,
        *,
        client: SyncLLMClient | None = None,
        on_progress: Callable[[RunState], None] | None = None,
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
        self.variant = config.variant
        self.templates = apply_versions(
            {
                role: load_template(name, config.templates)
                for role, name in self.variant.templates.items()
            },
            config.template_versions,
            self.variant.name,
        )
        self.round = self.variant.round.from_templates(self.templates)
        self.rules = Rules(
            blacklist=self.variant.blacklist,
            multilingual=config.multilingual,
            target=config.target,
            whole_reply=self.variant.drops_truncated_reply,
        )
        self.seeds, self.seed_fingerprint = load_seed_tasks(config.seed)
        needed = config.in_context
        if len(self.seeds) < needed:
            raise WorkbenchError(
                Errors.E031.format(source=config.seed, count=len(self.seeds), needed=needed)
            )
        self.state = RunState()
        self._last_save = 0.0
        self._stage_clock: tuple[Stage, float, float] | None = None

    # --- parameters -----------------------------------------------------------------------

    def params(self, role: str) -> dict:
        """The request parameters of a template role: the variant's, adjusted to the backend."""
        params = dict(self.variant.decoding[role])
        if self.backend.kind == LOCAL:
            params.update(NEUTRAL_SAMPLING, seed=self.config.run_seed)
        return params

    def decoding(self) -> dict:
        """Every request's parameters, as the manifest records them."""
        return {role: self.params(role) for role in self.variant.decoding}

    # --- the run --------------------------------------------------------------------------

    def run(self, clear_stop: bool = True) -> RunState:
        """Run (or resume) to the end; returns the final state. Stops early on the STOP file,
        which is first removed unless `clear_stop` is False (a background worker, whose
        launcher removed it before starting it: a stop asked for since then must count).
        A finished run that already holds its target is left as it is."""
        self.out_dir.mkdir(parents=True, exist_ok=True)
        self.config.check_resumable(self.out_dir)
        with run_files.run_lock(self.out_dir):
            if clear_stop:
                run_files.clear_stop(self.out_dir)
            saved = rf.read_state(self.out_dir)
            if saved and saved.status is RunStatus.DONE and saved.kept >= self.config.target:
                self.state = saved
                return saved
            run_files.write_json(self.out_dir / rf.CONFIG_FILE, self.config.to_dict())
            self.state = self._load_state()
            client = self._client or SyncLLMClient(
                config=self.backend, concurrency=self.config.concurrency
            )
            try:
                self._stages(client)
            except (BatchStopped, KeyboardInterrupt):  # the checkpoint is the last finished step
                self.state.status = RunStatus.STOPPED
            except BaseException as error:
                self.state.status = RunStatus.FAILED
                self.state.error = self.backend.redact(run_files.failure_text(error))
                raise
            finally:
                self._end_clock()
                self._save(force=True)
                if self._client is None:
                    client.close()
        return self.state

    def _stages(self, client: SyncLLMClient) -> None:
        pool = self._restore_pool()
        if self.state.kept < self.config.target:
            self.state.stage = Stage.BOOTSTRAP
        if self.state.stage is Stage.BOOTSTRAP:
            self._bootstrap(client, pool)
        kept_rows = pool.kept_rows
        if self.variant.asks_for_instances:
            self._enter(Stage.CLASSIFICATION)
            labels = self._classify(client, kept_rows)
            self._enter(Stage.INSTANCES)
            tasks = self._generate_instances(client, kept_rows, labels)
        else:
            tasks = records.whole_tasks(kept_rows)
        self._finish(tasks)

    # --- state ----------------------------------------------------------------------------

    def _load_state(self) -> RunState:
        state = rf.read_state(self.out_dir) or RunState()
        state.status = RunStatus.RUNNING
        state.target = self.config.target
        state.template = self.config.template
        state.pid = os.getpid()
        state.error = state.stop_reason = None
        state.step_usage = UsageCounter()  # a killed session's step is replayed, counted anew
        state.sessions += 1
        if state.stage is not Stage.BOOTSTRAP:  # later stages are replayed whole from the cache
            for stage in (Stage.CLASSIFICATION, Stage.INSTANCES):
                state.usage.pop(stage, None)
            state.failures = [f for f in state.failures if f["stage"] == Stage.BOOTSTRAP]
        return state

    def _save(self, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._last_save < SAVE_EVERY_S:
            return
        self._last_save = now
        if self._stage_clock is not None:
            stage, base, started = self._stage_clock
            self.state.seconds[stage] = round(base + now - started, 3)
        self.state.updated_at = time.time()
        rf.write_state(self.out_dir, self.state)
        if self.on_progress:
            self.on_progress(self.state)

    def _enter(self, stage: Stage) -> None:
        self._end_clock()
        self.state.stage = stage
        self._stage_clock = (stage, self.state.seconds.get(stage, 0.0), time.monotonic())

    def _end_clock(self) -> None:
        if self._stage_clock is not None:
            stage, base, started = self._stage_clock
            self.state.seconds[stage] = round(base + time.monotonic() - started, 3)
            self._stage_clock = None

    def _batch(
        self, client: SyncLLMClient, requests: Sequence[Request], stage: Stage, step_name: str
    ):
        """Run one step's requests, saving the progress (requests done, usage so far) as each
        reply comes. The STOP file is looked at before each request is sent: once it is there
        nothing more is sent, and the run stops when the requests in flight are answered. A
        step in which every request failed ends the run (as failed, resumable): the endpoint
        is not answering.
        """
        self.state.step = Step(stage, 0, len(requests))

        def tick(progress: Progress) -> None:
            self.state.step = Step(stage, progress.done, len(requests))
            self.state.step_usage = progress.used
            self._save()

        results = client.run_batch(
            requests, progress=tick, stop=lambda: run_files.stop_requested(self.out_dir)
        )
        if results and not any(result.ok for result in results):
            raise WorkbenchError(
                Errors.E067.format(step=step_name, count=len(results), cause=results[0].cause)
            )
        return results

    def _count(self, stage: Stage, results: Sequence[Result], where: Sequence[str]) -> None:
        """Commit a finished step's usage and failures (its live usage is done with)."""
        self.state.step_usage = UsageCounter()
        usage = self.state.usage.setdefault(stage, UsageCounter())
        for result, place in zip(results, where, strict=True):
            usage.add(result)
            if not result.ok and len(self.state.failures) < MAX_FAILURES_KEPT:
                self.state.failures.append({"stage": stage, "at": place, "cause": result.cause})
            elif result.ok and self.state.served_model is None:
                self.state.served_model = result.model

    # --- stage 1: bootstrap ---------------------------------------------------------------

    def _restore_pool(self) -> Pool:
        """Seeds plus the instructions kept by finished rounds; a killed round's rows go."""
        rows = [
            row
            for row in run_files.read_jsonl(self.out_dir / rf.CANDIDATES_FILE)
            if row["round"] <= self.state.rounds_done
        ]
        run_files.write_jsonl(self.out_dir / rf.CANDIDATES_FILE, rows)
        tokenizer = AUTO if self.config.multilingual else ENGLISH
        rouge = IncrementalRougeFilter(
            [seed.instruction for seed in self.seeds], self.config.threshold, tokenizer
        )
        pool = Pool(rouge)
        for row in rows:
            if row["verdict"] == filters.KEPT:
                pool.keep(row)
        return pool

    def _bootstrap(self, client: SyncLLMClient, pool: Pool) -> None:
        self._enter(Stage.BOOTSTRAP)
        config = self.config
        state = self.state
        while state.kept < config.target:
            if state.idle_rounds >= config.patience:
                state.stop_reason = f"no instruction kept in {config.patience} rounds in a row"
                break
            number = state.rounds_done + 1
            rng = random.Random(f"{config.run_seed}:round:{number}")
            machine = pool.machine_instructions()
            prompts = [
                self.round.prompt(
                    rng, self.seeds, machine, config.in_context, config.machine_in_prompt
                )
                for _ in range(config.prompts_per_round)
            ]
            params = self.params(self.round.role)
            requests = [Request(prompt, self.api, params) for prompt in prompts]
            results = self._batch(client, requests, Stage.BOOTSTRAP, f"round {number}")
            rows = []
            for position, result in enumerate(results):
                if result.ok:
                    candidates = self.round.candidates(
                        result.text, result.truncated, config.in_context, self.api == CHAT
                    )
                    for index, candidate in enumerate(candidates):
                        row = pool.judge(candidate, result.truncated, self.rules)
                        row.update(
                            id=f"{number}-{position}-{index}",
                            round=number,
                            request=position,
                            finish_reason=result.finish_reason,
                        )
                        rows.append(row)
            run_files.append_jsonl(self.out_dir / rf.CANDIDATES_FILE, rows)
            self._count(Stage.BOOTSTRAP, results, [f"round {number}"] * len(results))
            kept_now = sum(row["verdict"] == filters.KEPT for row in rows)
            for row in rows:
                state.reasons[row["reason"]] = state.reasons.get(row["reason"], 0) + 1
            state.rounds_done = number
            state.candidates += len(rows)
            state.kept = len(pool.kept_rows)
            state.idle_rounds = 0 if kept_now else state.idle_rounds + 1
            state.step = Step(Stage.BOOTSTRAP, 0, config.prompts_per_round)  # the next round
            self._save(force=True)

    # --- stages 2 and 3: classification, instances ----------------------------------------

    def _classify(self, client: SyncLLMClient, tasks: Sequence[dict]) -> list[dict]:
        step = Classification(self.templates["classification"])
        params = self.params("classification")
        requests = [Request(step.format_input(t["instruction"]), self.api, params) for t in tasks]
        results = self._batch(client, requests, Stage.CLASSIFICATION, "the classification stage")
        self._count(Stage.CLASSIFICATION, results, [t["task_id"] for t in tasks])
        return [
            {"reply": r.text, "is_classification": step.format_output(r.text)}
            if r.ok
            else {"reply": None, "is_classification": None, "failure": r.cause}
            for r in results
        ]

    def _generate_instances(
        self, client: SyncLLMClient, tasks: Sequence[dict], labels: Sequence[dict]
    ) -> list[dict]:
        # Prompts of one template in a row: llama.cpp reuses the shared prefix between them.
        order = sorted(
            (i for i, label in enumerate(labels) if label["is_classification"] is not None),
            key=lambda i: not labels[i]["is_classification"],
        )
        step = Instances(
            self.templates["instances_input_first"], self.templates["instances_output_first"]
        )
        requests = []
        for i in order:
            clf = labels[i]["is_classification"]
            prompt = step.format_input(tasks[i]["instruction"], clf)
            requests.append(Request(prompt, self.api, self.params(instances_role(clf))))
        results = self._batch(client, requests, Stage.INSTANCES, "the instances stage")
        self._count(Stage.INSTANCES, results, [tasks[i]["task_id"] for i in order])
        reply_of = dict(zip(order, results, strict=True))
        built = []
        for i, (task, label) in enumerate(zip(tasks, labels, strict=True)):
            result = reply_of.get(i)
            rng = random.Random(f"{self.config.run_seed}:instances:{task['task_id']}")
            built.append(
                records.self_instruct_task(
                    task, label, result, step, rng, self.config.max_instances
                )
            )
        return built

    # --- the end: dataset, exports, manifest ----------------------------------------------

    def _finish(self, tasks: list[dict]) -> None:
        self._end_clock()
        state = self.state
        state.stage = Stage.DONE
        dataset = records.write_outputs(self.out_dir, tasks, self.config, self.backend.model)
        state.status = RunStatus.DONE
        state.tasks = len(tasks)
        state.tasks_with_instances = dataset["tasks"]
        state.instances = dataset["instances"]
        state.dropped_tasks = dict(Counter(t["dropped"] for t in tasks if t["dropped"]))
        state.step = Step(Stage.DONE, 1, 1)
        records.write_manifest(self.out_dir, self.provenance(), self.state, dataset)

    def provenance(self) -> records.Provenance:
        return records.Provenance(
            pipeline=self.config.template,
            model=self.backend.model,
            backend=self.backend.kind,
            endpoint=self.backend.endpoint,
            api=self.api,
            templates=describe_all(self.templates),
            parameters={"run": self.config.resolved().to_dict(), "decoding": self.decoding()},
            seed_tasks={
                "source": str(self.config.seed),
                "fingerprint": self.seed_fingerprint,
                "tasks": len(self.seeds),
            },
        )
