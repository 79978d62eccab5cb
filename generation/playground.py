"""The prompt playground: one pipeline step, one template text, one decoding, a few seeds.

A trial builds the step's prompt for each seed exactly as a real run builds it (the seed
picks the in-context examples and, on the embedded model, the sampling seed), sends the
prompts through the one client, parses every reply with the step's own parser and judges each
item with the pipeline's own filters against a fresh pool of the seed tasks. Two trials on the
same seeds are an A/B comparison: the same examples in both prompts, so what differs is the
template or the decoding. Nothing here is a copy of the pipeline's logic; every piece is the
pipeline's function, called with the playground's template and parameters.
"""

from __future__ import annotations

import json
import random
import statistics
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from types import MappingProxyType
from typing import Any

import pandas as pd

from analysis.datasets import load_dataset
from analysis.errors import Errors, WorkbenchError
from analysis.rouge import ENGLISH, IncrementalRougeFilter
from generation import templates
from generation.answer import steps as answer_steps
from generation.backend import LOCAL
from generation.citing import steps as citing_steps
from generation.client import AUTO_API, CHAT, Progress, Request, SyncLLMClient, resolved_api
from generation.judge import steps as judge_steps
from generation.local_llm import NEUTRAL_SAMPLING
from generation.self_instruct import filters, steps
from generation.self_instruct.pool import Pool, Rules
from generation.self_instruct.seeds import SeedTask
from generation.self_instruct.variants import ALPACA, SELF_INSTRUCT, AlpacaRound, SelfInstructRound
from generation.templates import Template, check_placeholders, load_template
from generation.usage import UsageCounter

#: The answer sets the judge steps grade: the bundled models' answers to the same questions.
BUNDLED_ANSWER_SETS = tuple(
    f"predictions/{model}"
    for model in ("davinci", "davinci-self-instruct", "text-davinci-001", "text-davinci-003")
)
KEPT = filters.KEPT
REJECTED = "rejected"
AGREES = "agrees_with_seed_label"
DISAGREES = "differs_from_seed_label"
UNPARSED = "unparsed"
UNLIMITED = 10**9  # a trial has no target: every candidate is judged on its own merits


@dataclass(frozen=True)
class Item:
    """One thing parsed from a reply, with its verdict: kept, or the filter that rejected it."""

    text: str
    verdict: str
    reason: str
    detail: str = ""
    input: str = ""
    output: str = ""
    max_rougeL: float | None = None
    nearest: str | None = None


@dataclass(frozen=True)
class TrialReply:
    seed: int
    prompt: str
    text: str | None  # None when the request failed
    finish_reason: str | None
    prompt_tokens: int
    completion_tokens: int
    cost: float | None
    cached: bool
    failure: str | None
    items: tuple[Item, ...]

    @property
    def truncated(self) -> bool:
        return self.finish_reason == "length"


@dataclass(frozen=True)
class Trial:
    step: str
    template: Template
    decoding: Mapping[str, Any]
    model: str
    replies: tuple[TrialReply, ...]
    usage: UsageCounter

    @property
    def items(self) -> list[Item]:
        return [item for reply in self.replies for item in reply.items]


@dataclass
class _Context:
    """What one trial's judging shares across its replies: the pool, and per seed what the
    prompt was built from (the seed task an instance or classification prompt shows)."""

    seed_tasks: Sequence[SeedTask]
    pool: Pool
    shown: dict[int, SeedTask] = field(default_factory=dict)


@dataclass(frozen=True)
class Step:
    """A pipeline step as the playground runs it. `build(template, rng, seed, context)` is the
    prompt of one seed; `judge(template, reply text, truncated, chat, seed, context)` its items.
    """

    key: str
    label: str
    template: str  # the template file
    decoding: Mapping[str, Any]
    build: Callable[..., str | list[dict[str, str]]]
    judge: Callable[..., list[Item]]
    api: str = AUTO_API  # the judge's prompts are chat messages; the others follow the backend


def _pool_item(row: dict) -> Item:
    return Item(
        text=row["instruction"],
        verdict=row["verdict"],
        reason=row["reason"],
        detail=row["detail"],
        input=row["input"],
        output=row["output"],
        max_rougeL=row["max_rougeL"],
        nearest=row["nearest"],
    )


def _round_step(key, label, variant, round_type) -> Step:
    """A bootstrap request (Self-Instruct's list of instructions, Alpaca's batch of tasks):
    built and parsed by the variant's Round, judged by the run's Pool against the seeds."""
    role = round_type.role
    rules = Rules(
        blacklist=variant.blacklist,
        multilingual=False,
        target=UNLIMITED,
        whole_reply=variant.drops_truncated_reply,
    )

    def build(template, rng, seed, context) -> str:
        bootstrap = round_type.from_templates({role: template})
        return bootstrap.prompt(rng, context.seed_tasks, [], variant.in_context, 0)

    def judge(template, text, truncated, chat, seed, context) -> list[Item]:
        bootstrap = round_type.from_templates({role: template})
        candidates = bootstrap.candidates(text, truncated, variant.in_context, chat)
        return [_pool_item(context.pool.judge(c, truncated, rules)) for c in candidates]

    return Step(key, label, variant.templates[role], variant.decoding[role], build, judge)


def _pick(context: _Context, rng: random.Random, seed: int, is_classification: bool) -> SeedTask:
    tasks = [t for t in context.seed_tasks if bool(t.is_classification) == is_classification]
    task = rng.choice(tasks or list(context.seed_tasks))
    context.shown[seed] = task
    return task


def _classification_step() -> Step:
    """Is a seed task a classification task? Judged against the seed's human label."""

    def build(template, rng, seed, context) -> str:
        task = _pick(context, rng, seed, is_classification=rng.random() < 0.5)
        return steps.Classification(template).format_input(task.instruction)

    def judge(template, text, truncated, chat, seed, context) -> list[Item]:
        task = context.shown[seed]
        answer = steps.Classification(template).format_output(text)
        agrees = task.is_classification is None or answer == task.is_classification
        return [
            Item(
                text=task.instruction,
                verdict=KEPT if agrees else REJECTED,
                reason=AGREES if agrees else DISAGREES,
                detail=f"model: {'yes' if answer else 'no'}; seed label: "
                f"{'unknown' if task.is_classification is None else task.is_classification}",
            )
        ]

    return Step(
        "classification",
        "Self-Instruct: is it a classification task?",
        SELF_INSTRUCT.templates["classification"],
        SELF_INSTRUCT.decoding["classification"],
        build,
        judge,
    )


def _instances_step(is_classification: bool) -> Step:
    """Instances for a seed task, parsed and filtered as the pipeline does."""
    role = "instances_output_first" if is_classification else "instances_input_first"

    def pair(template: Template) -> steps.Instances:
        # The step reads only the template of the kind asked for: this one, in both places.
        return steps.Instances(input_first=template, output_first=template)

    def build(template, rng, seed, context) -> str:
        task = _pick(context, rng, seed, is_classification)
        return pair(template).format_input(task.instruction, is_classification)

    def judge(template, text, truncated, chat, seed, context) -> list[Item]:
        task = context.shown[seed]
        parsed = pair(template).format_output(text, is_classification, truncated)
        rng = random.Random(f"instances:{seed}")
        judged, dropped = filters.filter_instances(parsed, rng)
        return [
            Item(
                text=task.instruction,
                verdict=KEPT if item.kept and dropped is None else REJECTED,
                reason=(item.reason or dropped or KEPT),
                input=item.input,
                output=item.output,
            )
            for item in judged
        ] or [Item(task.instruction, REJECTED, filters.NO_INSTANCES)]

    label = "output-first (classification)" if is_classification else "input-first"
    return Step(
        role,
        f"Self-Instruct: instances, {label}",
        SELF_INSTRUCT.templates[role],
        SELF_INSTRUCT.decoding[role],
        build,
        judge,
    )


def _answer_step(with_input: bool) -> Step:
    """The teacher answering a seed task with Alpaca's prompt (with or without its input): the
    verdict is whether the reply holds an answer, whole."""
    role = answer_steps.WITH_INPUT if with_input else answer_steps.WITHOUT_INPUT
    file = answer_steps.TEMPLATE_FILES[answer_steps.EN][role]

    def tasks(context: _Context) -> list[SeedTask]:
        found = [t for t in context.seed_tasks if (t.input != "") == with_input]
        return found or list(context.seed_tasks)

    def build(template, rng, seed, context) -> str:
        task = rng.choice(tasks(context))
        context.shown[seed] = task
        return answer_steps.Answer(template, template).format_input(task.instruction, task.input)

    def judge(template, text, truncated, chat, seed, context) -> list[Item]:
        task = context.shown[seed]
        answer = answer_steps.Answer(template, template).format_output(text, task.input)
        reason = filters.TRUNCATED if truncated else (KEPT if answer else filters.EMPTY_OUTPUT)
        return [
            Item(
                text=task.instruction,
                verdict=KEPT if reason == KEPT else REJECTED,
                reason=reason,
                input=task.input,
                output=answer or "",
            )
        ]

    original_template = load_template(file)
    decoding = {
        **answer_steps.ANSWER_PARAMS,
        "stop": answer_steps.completion_stops([original_template]),
    }
    which = "with its input" if with_input else "without input"
    label = f"Teacher answers: Alpaca's prompt, {which} (GPT-4-LLM)"
    key = "answer_with_input" if with_input else "answer_without_input"
    return Step(key, label, file, decoding, build, judge)


#: The revision step's stand-in rubric row: a trial revises one seed task's own answer against
#: it (a run's rows come from its rubrics.jsonl, which the teacher wrote and the user edited).
EXAMPLE_CATEGORY = citing_steps.Category(
    "General tasks",
    "Instructions asking for a short piece of text, an answer or an edit.",
    (
        "Does exactly what the instruction asks, using the input when there is one.",
        "Is correct and complete.",
        "Is clear, concise and well organized.",
    ),
)
CATEGORY_SAMPLE = 12  # instructions a categories trial shows the teacher
CATEGORY_COUNT = 4


def _citing_categories_step() -> Step:
    """The teacher grouping a seeded sample of seed instructions into categories with
    criteria; the verdict is whether the strict parser reads the table."""

    def build(template, rng, seed, context) -> str:
        sample = [t.instruction for t in rng.sample(list(context.seed_tasks), CATEGORY_SAMPLE)]
        context.shown[seed] = sample
        return citing_steps.Categorize(template).format_input(sample, CATEGORY_COUNT)

    def judge(template, text, truncated, chat, seed, context) -> list[Item]:
        try:
            table = citing_steps.Categorize(template).format_output(text, context.shown[seed])
        except citing_steps.Unparsed as error:
            reason = filters.TRUNCATED if truncated else UNPARSED
            return [Item("(the rubric table)", REJECTED, reason, detail=str(error))]
        return [
            Item(
                text=category.name,
                verdict=KEPT,
                reason=KEPT,
                detail=f"{len(category.members)} member(s); criteria: "
                + " | ".join(category.criteria),
                output=category.description,
            )
            for category in table
        ]

    file = templates.CITING_CATEGORIES
    decoding = dict(citing_steps.CATEGORIES_PARAMS)
    label = "CITING: categories and rubrics from a sample of instructions"
    return Step("citing_categories", label, file, decoding, build, judge)


def _citing_revision_step() -> Step:
    """The teacher revising a seed task's own answer against EXAMPLE_CATEGORY's criteria; the
    verdict is whether the reply holds both a revised answer and a rationale."""

    def build(template, rng, seed, context) -> str:
        task = rng.choice(list(context.seed_tasks))
        context.shown[seed] = task
        revise = citing_steps.Revise(template)
        return revise.format_input(task.instruction, task.input, EXAMPLE_CATEGORY, task.output)

    def judge(template, text, truncated, chat, seed, context) -> list[Item]:
        task = context.shown[seed]
        try:
            revised, rationale = citing_steps.Revise(template).format_output(text)
        except citing_steps.Unparsed as error:
            reason = filters.TRUNCATED if truncated else UNPARSED
            return [Item(task.instruction, REJECTED, reason, detail=str(error), input=task.input)]
        verdict, reason = (REJECTED, filters.TRUNCATED) if truncated else (KEPT, KEPT)
        return [Item(task.instruction, verdict, reason, rationale, task.input, revised)]

    file = templates.CITING_REVISION
    decoding = dict(citing_steps.REVISION_PARAMS)
    label = "CITING: the teacher revises an answer against a rubric"
    return Step("citing_revision", label, file, decoding, build, judge)


@lru_cache(maxsize=1)
def _bundled_answers() -> tuple[tuple[str, str, str], ...]:
    """(question, model, answer) of the four bundled models' answers to the 252 user-oriented
    instructions: what the judge steps grade."""
    rows = []
    for name in BUNDLED_ANSWER_SETS:
        frame = load_dataset(name).frame
        for row in frame.itertuples(index=False):
            question = judge_steps.question_text(row.instruction, row.input)
            rows.append((question, row.model, row.output))
    return tuple(rows)


def _judge_prompts(mode: str, template: Template) -> judge_steps.JudgePrompts:
    """The mode's bundled prompts with `template` as the user message of the general form."""
    bundled = judge_steps.load_prompts(mode)
    return replace(bundled, general=replace(bundled.general, user=template), reference=None)


def _judge_step(mode: str, label: str) -> Step:
    """The judge grading one answer (single) or two answers to one question (pairwise): the
    verdict is whether the strict pattern finds a rating (or a winner) in the reply."""
    grading = judge_steps.STEPS[mode]

    def build(template, rng, seed, context) -> list[dict[str, str]]:
        answers = _bundled_answers()
        first = rng.randrange(len(answers))
        question = answers[first][0]
        others = [a for a in answers if a[0] == question and a[1] != answers[first][1]]
        shown = [answers[first]] + ([rng.choice(others)] if mode != judge_steps.SINGLE else [])
        context.shown[seed] = shown
        step = grading(_judge_prompts(mode, template))
        return step.format_input(question, *(answer for _, _, answer in shown)).messages

    def judge(template, text, truncated, chat, seed, context) -> list[Item]:
        shown = context.shown[seed]
        verdict = grading(_judge_prompts(mode, template)).format_output(text, truncated)
        if verdict.winner is not None:
            named = {"A": shown[0][1], "B": shown[-1][1]}
            detail = f"winner: {named.get(verdict.winner, verdict.winner)}"
        elif verdict.scores is not None:
            detail = "rating: " + ", ".join(str(score) for score in verdict.scores)
        else:
            detail = "no verdict in the reply"
        reason = KEPT if verdict.parsed else (filters.TRUNCATED if truncated else UNPARSED)
        return [
            Item(
                text=shown[0][0],
                verdict=KEPT if verdict.parsed else REJECTED,
                reason=reason,
                detail=f"{detail} ({' vs '.join(model for _, model, _ in shown)})",
            )
        ]

    files = judge_steps.TEMPLATE_FILES[mode]
    decoding = {
        "temperature": judge_steps.DEFAULT_TEMPERATURE,
        "max_tokens": judge_steps.DEFAULT_MAX_TOKENS,
    }
    return Step(f"judge_{mode}", label, files["user"], decoding, build, judge, CHAT)


STEPS: dict[str, Step] = {
    step.key: step
    for step in (
        _round_step(
            "bootstrap", "Self-Instruct: new instructions", SELF_INSTRUCT, SelfInstructRound
        ),
        _classification_step(),
        _instances_step(is_classification=False),
        _instances_step(is_classification=True),
        _round_step("alpaca", "Alpaca: a batch of whole tasks", ALPACA, AlpacaRound),
        _answer_step(with_input=True),
        _answer_step(with_input=False),
        _judge_step(judge_steps.SINGLE, "Judge: grade one answer 1-10 (MT-bench)"),
        _judge_step(judge_steps.PAIRWISE, "Judge: which of two answers is better (MT-bench)"),
        _citing_categories_step(),
        _citing_revision_step(),
    )
}


#: The sampling settings a trial may change: (name, low, high, stride, the API's default).
#: A setting the step does not send is sent only once it differs from the API's default, so
#: an untouched form makes the pipeline's own request.
DECODING_FIELDS = (
    ("temperature", 0.0, 2.0, 0.1, 1.0),
    ("top_p", 0.0, 1.0, 0.05, 1.0),
    ("presence_penalty", -2.0, 2.0, 0.1, 0.0),
    ("frequency_penalty", -2.0, 2.0, 0.1, 0.0),
)


def default_decoding(step: Step) -> dict[str, Any]:
    return dict(step.decoding)


def parse_stop(text: str) -> list[str]:
    """The stop sequences typed as a JSON list of strings (empty text: none); E074 otherwise."""
    try:
        stop = json.loads(text or "[]")
    except json.JSONDecodeError as error:
        raise WorkbenchError(Errors.E074.format(problem=error)) from None
    if not isinstance(stop, list) or not all(isinstance(s, str) for s in stop):
        raise WorkbenchError(Errors.E074.format(problem=f"got {stop!r}"))
    return stop


def decoding_from(
    step: Step, values: Mapping[str, float], max_tokens: int, stop_text: str
) -> dict[str, Any]:
    """The decoding a trial sends, from the form's values (DECODING_FIELDS by name), its
    max_tokens and its stop text."""
    decoding = {
        name: like_default(step, name, values[name])
        for name, *_, api_default in DECODING_FIELDS
        if name in step.decoding or values[name] != api_default
    }
    decoding["max_tokens"] = int(max_tokens)
    if stop := parse_stop(stop_text):
        decoding["stop"] = stop
    return decoding


def like_default(step: Step, name: str, value: float) -> float | int:
    """A decoding value typed as the step's default (a whole-number 0.0 where the default is 0
    is sent as 0): the same settings then make the same request, answered from the reply cache
    whether the trial ran in the page, a notebook or a pipeline."""
    default = step.decoding.get(name)
    if isinstance(default, int) and not isinstance(default, bool) and float(value).is_integer():
        return int(value)
    return value


def request_params(decoding: Mapping[str, Any], backend_kind: str, seed: int) -> dict:
    """The parameters sent: the decoding, and on the embedded model the pipeline's neutral
    sampling and the trial seed (so each seed samples its own reply, reproducibly)."""
    params = dict(decoding)
    if backend_kind == LOCAL:
        params.update(NEUTRAL_SAMPLING, seed=seed)
    return params


def _context(seed_tasks: Sequence[SeedTask]) -> _Context:
    rouge = IncrementalRougeFilter([t.instruction for t in seed_tasks], tokenizer=ENGLISH)
    return _Context(seed_tasks, Pool(rouge))


def shown_prompt(payload: str | list[dict[str, str]]) -> str:
    """A prompt as text: a completion prompt as is, chat messages each under its role."""
    if isinstance(payload, str):
        return payload
    return "\n\n".join(f"[{m['role']}]\n{m['content']}" for m in payload)


def preview(step: Step, template: Template, seed: int, seed_tasks: Sequence[SeedTask]) -> str:
    """The exact prompt a trial sends for `seed` (placeholders checked first)."""
    check_placeholders(step.template, template.text, template.source)
    rng = random.Random(f"playground:{seed}")
    return shown_prompt(step.build(template, rng, seed, _context(seed_tasks)))


def run_trial(
    step: Step,
    template: Template,
    decoding: Mapping[str, Any],
    seeds: Sequence[int],
    seed_tasks: Sequence[SeedTask],
    client: SyncLLMClient,
    *,
    api: str = AUTO_API,
    progress: Callable[[Progress], None] | None = None,
    stop: Callable[[], bool] | None = None,
) -> Trial:
    """Send one prompt per seed and judge every reply. Placeholders are checked before
    anything is sent; `stop` ends the batch once the requests in flight are answered
    (client.BatchStopped). A failed request is a reply with its cause and no items."""
    check_placeholders(step.template, template.text, template.source)
    backend = client.client.config
    api = resolved_api(step.api if api == AUTO_API else api, backend.kind)
    context = _context(seed_tasks)
    prompts = [
        step.build(template, random.Random(f"playground:{seed}"), seed, context) for seed in seeds
    ]
    requests = [
        Request(prompt, api, request_params(decoding, backend.kind, seed))
        for prompt, seed in zip(prompts, seeds, strict=True)
    ]
    results = client.run_batch(requests, progress=progress, stop=stop)
    usage = UsageCounter()
    replies = []
    for seed, payload, result in zip(seeds, prompts, results, strict=True):
        usage.add(result)
        prompt = shown_prompt(payload)
        if not result.ok:
            replies.append(
                TrialReply(seed, prompt, None, None, 0, 0, None, False, result.cause, ())
            )
            continue
        items = step.judge(template, result.text, result.truncated, api == CHAT, seed, context)
        replies.append(
            TrialReply(
                seed,
                prompt,
                result.text,
                result.finish_reason,
                result.usage.prompt_tokens,
                result.usage.completion_tokens,
                result.cost,
                result.cached,
                None,
                tuple(items),
            )
        )
    decoding = MappingProxyType(dict(decoding))
    return Trial(step.key, template, decoding, backend.model, tuple(replies), usage)


# --- tables and comparisons ---------------------------------------------------------------


def items_table(trial: Trial) -> pd.DataFrame:
    """Every item of every reply, with its seed and verdict."""
    rows = [
        {
            "seed": reply.seed,
            "verdict": item.verdict,
            "reason": item.reason,
            "text": item.text,
            "input": item.input,
            "output": item.output,
            "max_rougeL": item.max_rougeL,
            "nearest": item.nearest,
            "detail": item.detail,
        }
        for reply in trial.replies
        for item in reply.items
    ]
    columns = ["seed", "verdict", "reason", "text", "input", "output", "max_rougeL", "nearest"]
    return pd.DataFrame(rows, columns=[*columns, "detail"])


def replies_table(trial: Trial) -> pd.DataFrame:
    """One row per seed: finish reason, tokens, cost, items kept of parsed, failure."""
    rows = [
        {
            "seed": reply.seed,
            "finish_reason": reply.finish_reason or "failed",
            "items": len(reply.items),
            "kept": sum(item.verdict == KEPT for item in reply.items),
            "prompt_tokens": reply.prompt_tokens,
            "completion_tokens": reply.completion_tokens,
            "cost": reply.cost,
            "cached": reply.cached,
            "failure": reply.failure or "",
        }
        for reply in trial.replies
    ]
    return pd.DataFrame(rows)


def verdicts_text(trial: Trial) -> str:
    """The verdicts in one line: "Verdicts: kept 3, too_similar 2" (kept first)."""
    counts = Counter(item.reason for item in trial.items)
    kept = counts.pop(KEPT, 0)
    others = ", ".join(f"{reason} {n}" for reason, n in counts.most_common())
    return (
        f"Verdicts: kept {kept}"
        + (f", {others}" if others else "")
        + (f" ({len(trial.items)} items)")
    )


def summary(trial: Trial, verb_pairs: pd.DataFrame | None = None) -> dict[str, Any]:
    """What an A/B comparison sets side by side. `verb_pairs` (verb, noun per item, in order,
    as analysis.verbs.column.extract gives) adds the verb–noun diversity."""
    items = trial.items
    kept = [item for item in items if item.verdict == KEPT]
    scores = [item.max_rougeL for item in items if item.max_rougeL is not None]
    rejects = Counter(item.reason for item in items if item.verdict != KEPT)
    result: dict[str, Any] = {
        "replies": len(trial.replies),
        "failed requests": sum(reply.failure is not None for reply in trial.replies),
        "cut by the length limit": sum(reply.truncated for reply in trial.replies),
        "items": len(items),
        "kept": len(kept),
        "kept share": len(kept) / len(items) if items else None,
        "mean max ROUGE-L to the pool": statistics.fmean(scores) if scores else None,
        "mean words per item": statistics.fmean(len(_shown(i).split()) for i in items)
        if items
        else None,
        "completion tokens": sum(reply.completion_tokens for reply in trial.replies),
    }
    if verb_pairs is not None:
        found = verb_pairs[verb_pairs["verb"] != ""]
        distinct = len(set(zip(found["verb"], found["noun"], strict=True)))
        result["verb–noun pairs (distinct / items with one)"] = (
            f"{distinct} / {len(found)}" if len(found) else "0 / 0"
        )
    for reason, count in sorted(rejects.items()):
        result[f"rejected: {reason}"] = count
    return result


def _shown(item: Item) -> str:
    """The text an item stands for: its output for instances, else its text."""
    return item.output or item.text


def item_texts(trial: Trial) -> list[str]:
    """The texts whose verb–noun pairs measure a trial's diversity, in item order."""
    return [_shown(item) for item in trial.items]


def compare(summaries: Mapping[str, Mapping[str, Any]]) -> pd.DataFrame:
    """Summaries side by side: one row per measure, one column per trial (absent: 0 for
    reject counts, blank otherwise)."""
    measures: list[str] = []
    for values in summaries.values():
        measures += [m for m in values if m not in measures]
    table = pd.DataFrame(
        {
            name: [values.get(m, 0 if m.startswith("rejected: ") else None) for m in measures]
            for name, values in summaries.items()
        },
        index=pd.Index(measures, name="measure"),
    )
    return table.astype(object)


# --- A/B ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Arm:
    """One side of a comparison: a name (a version's, or "edited"), its template, its decoding."""

    name: str
    template: Template
    decoding: Mapping[str, Any]


def run_arms(
    step: Step,
    arms: Sequence[Arm],
    seeds: Sequence[int],
    seed_tasks: Sequence[SeedTask],
    client: SyncLLMClient,
    *,
    progress: Callable[[int, int], None] | None = None,
    stop: Callable[[], bool] | None = None,
) -> dict[str, tuple[Trial, dict[str, Any]]]:
    """Each arm's trial on the same seeds, in turn, with its summary (verb–noun diversity
    included). Every arm's placeholders are checked before the first request is sent."""
    from analysis.verbs.column import extract  # spaCy: loaded only once a trial has run

    for arm in arms:
        check_placeholders(step.template, arm.template.text, arm.template.source)
    total = len(arms) * len(seeds)
    results = {}
    for index, arm in enumerate(arms):
        offset = index * len(seeds)

        def tick(done: Progress, offset: int = offset) -> None:
            if progress is not None:
                progress(offset + done.done, total)

        trial = run_trial(
            step, arm.template, arm.decoding, seeds, seed_tasks, client, progress=tick, stop=stop
        )
        texts = item_texts(trial)
        pairs = extract(texts) if texts else None
        results[arm.name] = (trial, summary(trial, pairs))
    return results
