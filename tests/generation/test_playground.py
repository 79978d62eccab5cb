"""The prompt playground's library: exact previews, trials judged by the pipeline's own
filters, A/B on the same seeds, and nothing sent for a broken template (canned replies on the
fake endpoint; the embedded model runs in the browser test)."""

from __future__ import annotations

import json
import re

import pytest

from analysis.errors import WorkbenchError
from generation import playground as pg
from generation.backend import resolve_backend
from generation.client import BatchStopped, LLMClient, SyncLLMClient
from generation.prompt_versions import original
from generation.retry import RetryPolicy
from generation.self_instruct import filters
from generation.self_instruct.seeds import load_seed_tasks
from generation.templates import Template
from generation.testing.fake_openai import FakeOpenAI
from tests.generation.fixtures import canned_self_instruct as canned

SEED_TASKS = load_seed_tasks("seed_tasks")[0]
BOOTSTRAP = pg.STEPS["bootstrap"]


def _listed(prompt: str) -> list[str]:
    return re.findall(r"^\d+\. (.*)$", prompt, flags=re.MULTILINE)


@pytest.fixture
def canned_client(tmp_path, api_key):
    with FakeOpenAI(responder=canned.reply) as fake:
        backend = resolve_backend("openai", model="fake-model", base_url=fake.url, api_key=api_key)
        client = LLMClient(
            backend,
            cache=tmp_path / "replies.sqlite",
            retry=RetryPolicy(max_attempts=2, base_delay=0.01, max_delay=0.02),
            timeout=5,
        )
        with SyncLLMClient(client) as sync:
            yield fake, sync


def _template(step: pg.Step, edit=lambda text: text) -> Template:
    return Template(step.template, edit(original(step.template).text), "test")


def test_playground_preview_is_the_seeded_prompt_of_the_pipeline():
    template = _template(BOOTSTRAP)
    prompt = pg.preview(BOOTSTRAP, template, 1, SEED_TASKS)
    listed = _listed(prompt)
    seeds = {re.sub(r"\s+", " ", t.instruction).strip().rstrip(":") for t in SEED_TASKS}
    assert prompt.startswith("Come up with a series of tasks:\n")
    assert prompt.endswith("9.") and len(listed) == 8 and set(listed) <= seeds
    assert pg.preview(BOOTSTRAP, template, 1, SEED_TASKS) == prompt
    assert pg.preview(BOOTSTRAP, template, 2, SEED_TASKS) != prompt
    edited = _template(BOOTSTRAP, lambda t: t.replace("series of tasks", "series of new tasks"))
    assert pg.preview(BOOTSTRAP, edited, 1, SEED_TASKS) == prompt.replace(
        "series of tasks", "series of new tasks"
    )


def test_playground_preview_refuses_an_unknown_placeholder():
    broken = _template(BOOTSTRAP, lambda t: t.replace("tasks:", "tasks about {topic}:"))
    with pytest.raises(WorkbenchError, match=r"\{topic\}"):
        pg.preview(BOOTSTRAP, broken, 1, SEED_TASKS)


def test_playground_trial_judges_every_item_with_the_pipeline_filters(canned_client):
    fake, client = canned_client
    decoding = pg.default_decoding(BOOTSTRAP)
    trial = pg.run_trial(BOOTSTRAP, _template(BOOTSTRAP), decoding, [1, 2, 3], SEED_TASKS, client)
    assert [reply.seed for reply in trial.replies] == [1, 2, 3]
    assert len(fake.bodies) == 3
    sent = [body["messages"][-1]["content"] for body in fake.bodies]
    assert sorted(sent) == sorted(r.prompt for r in trial.replies)
    assert all(body["temperature"] == 0.7 and body["max_tokens"] == 1024 for body in fake.bodies)
    items = trial.items
    reasons = {item.reason for item in items}
    # The canned replies hold copies of in-context tasks, blacklisted and program tasks.
    assert filters.KEPT in reasons and filters.TOO_SIMILAR in reasons
    assert reasons & {filters.BLACKLISTED, filters.WRITE_A_PROGRAM, filters.TOO_SHORT}
    for item in items:
        assert item.max_rougeL is not None and item.nearest
        if item.reason == filters.TOO_SIMILAR:
            assert item.max_rougeL > 0.7
        if item.verdict == pg.KEPT:
            assert item.max_rougeL <= 0.7
    assert all(r.completion_tokens > 0 and r.finish_reason == "stop" for r in trial.replies)
    assert trial.usage.requests == 3
    table = pg.items_table(trial)
    assert len(table) == len(items) and set(table["seed"]) == {1, 2, 3}


def test_playground_trial_again_is_answered_from_the_cache(canned_client):
    fake, client = canned_client
    decoding = pg.default_decoding(BOOTSTRAP)
    first = pg.run_trial(BOOTSTRAP, _template(BOOTSTRAP), decoding, [4, 5], SEED_TASKS, client)
    second = pg.run_trial(BOOTSTRAP, _template(BOOTSTRAP), decoding, [4, 5], SEED_TASKS, client)
    assert len(fake.bodies) == 2
    assert all(reply.cached for reply in second.replies)
    assert [r.text for r in first.replies] == [r.text for r in second.replies]


def test_playground_trial_sends_nothing_for_a_broken_template(canned_client):
    fake, client = canned_client
    broken = _template(BOOTSTRAP, lambda t: t.replace("{tasks}", ""))
    with pytest.raises(WorkbenchError, match="lacks the placeholder"):
        pg.run_trial(BOOTSTRAP, broken, pg.default_decoding(BOOTSTRAP), [1], SEED_TASKS, client)
    assert fake.bodies == []


def test_playground_trial_stops_before_sending(canned_client):
    fake, client = canned_client
    with pytest.raises(BatchStopped):
        pg.run_trial(
            BOOTSTRAP,
            _template(BOOTSTRAP),
            pg.default_decoding(BOOTSTRAP),
            [1, 2],
            SEED_TASKS,
            client,
            stop=lambda: True,
        )
    assert fake.bodies == []


def test_playground_trial_keeps_a_failed_request_and_a_cut_reply(canned_client):
    fake, client = canned_client
    template = _template(BOOTSTRAP)
    prompts = [pg.preview(BOOTSTRAP, template, seed, SEED_TASKS) for seed in (1, 2)]
    fake.script(prompts[0], "400")
    fake.script(prompts[1], "length")
    trial = pg.run_trial(
        BOOTSTRAP, template, pg.default_decoding(BOOTSTRAP), [1, 2], SEED_TASKS, client
    )
    failed, cut = trial.replies
    assert failed.failure and failed.text is None and failed.items == ()
    assert cut.truncated and cut.items
    # Self-Instruct drops every candidate of a reply cut by the length limit.
    assert {item.reason for item in cut.items} == {filters.TRUNCATED}
    summary = pg.summary(trial)
    assert summary["failed requests"] == 1 and summary["cut by the length limit"] == 1
    assert summary["kept"] == 0 and summary[f"rejected: {filters.TRUNCATED}"] == len(cut.items)


def test_playground_classification_is_judged_against_the_seed_label(canned_client):
    fake, client = canned_client
    step = pg.STEPS["classification"]
    trial = pg.run_trial(
        step, _template(step), pg.default_decoding(step), list(range(8)), SEED_TASKS, client
    )
    labels = {t.instruction: t.is_classification for t in SEED_TASKS}
    for reply in trial.replies:
        (item,) = reply.items
        said_yes = reply.text.strip() in ("Yes", "yes", "YES")
        assert (item.verdict == pg.KEPT) == (said_yes == labels[item.text])


def test_playground_instances_are_filtered_as_the_pipeline_does(canned_client):
    fake, client = canned_client
    step = pg.STEPS["instances_input_first"]
    trial = pg.run_trial(
        step, _template(step), pg.default_decoding(step), [1, 2], SEED_TASKS, client
    )
    non_classification = {t.instruction for t in SEED_TASKS if not t.is_classification}
    for reply in trial.replies:
        assert reply.items
        for item in reply.items:
            assert item.text in non_classification
            assert item.verdict == pg.KEPT or item.reason != filters.KEPT


def test_playground_ab_runs_both_arms_on_the_same_examples(canned_client):
    fake, client = canned_client
    base = _template(BOOTSTRAP)
    edited = _template(BOOTSTRAP, lambda t: t.replace("tasks:", "tasks, all new:"))
    decoding = pg.default_decoding(BOOTSTRAP)
    results = pg.run_arms(
        BOOTSTRAP,
        [pg.Arm("A", base, decoding), pg.Arm("B", edited, {**decoding, "temperature": 1.0})],
        [1, 2],
        SEED_TASKS,
        client,
    )
    (trial_a, summary_a), (trial_b, summary_b) = results["A"], results["B"]
    for reply_a, reply_b in zip(trial_a.replies, trial_b.replies, strict=True):
        assert _listed(reply_a.prompt) == _listed(reply_b.prompt)
        assert "tasks, all new:" in reply_b.prompt
    assert [b["temperature"] for b in fake.bodies] == [0.7, 0.7, 1.0, 1.0]
    table = pg.compare({"A": summary_a, "B": summary_b})
    assert list(table.columns) == ["A", "B"]
    assert table.loc["items", "A"] == len(trial_a.items)
    assert table.loc["kept share", "B"] == summary_b["kept"] / summary_b["items"]
    distinct, with_pair = summary_a["verb–noun pairs (distinct / items with one)"].split(" / ")
    assert 0 < int(distinct) <= int(with_pair) <= summary_a["items"]


def test_playground_ab_checks_every_arm_before_sending(canned_client):
    fake, client = canned_client
    broken = _template(BOOTSTRAP, lambda t: t + "{extra}")
    decoding = pg.default_decoding(BOOTSTRAP)
    with pytest.raises(WorkbenchError, match=r"\{extra\}"):
        pg.run_arms(
            BOOTSTRAP,
            [pg.Arm("A", _template(BOOTSTRAP), decoding), pg.Arm("B", broken, decoding)],
            [1],
            SEED_TASKS,
            client,
        )
    assert fake.bodies == []


@pytest.fixture
def scripted_client(tmp_path, api_key):
    """A client on a fake endpoint whose replies the test sets (`replies[0]` for every prompt)."""
    replies = ["Rating: [[7]]"]
    with FakeOpenAI(responder=lambda prompt, body: replies[0]) as fake:
        backend = resolve_backend("openai", model="fake-model", base_url=fake.url, api_key=api_key)
        client = LLMClient(backend, cache=tmp_path / "replies.sqlite", timeout=5)
        with SyncLLMClient(client) as sync:
            yield fake, sync, replies


@pytest.mark.parametrize(
    ("reply", "verdict", "detail"),
    [
        ("Helpful and correct. Rating: [[7]]", pg.KEPT, "rating: 7"),
        ("Helpful. I would give it a seven.", pg.REJECTED, "no verdict in the reply"),
        ('Rating: [[5]] as in "Rating: [[5]]", then [[9]]', pg.REJECTED, "no verdict"),
    ],
)
def test_playground_judge_single_grades_a_bundled_answer(scripted_client, reply, verdict, detail):
    fake, client, replies = scripted_client
    replies[0] = reply
    step = pg.STEPS["judge_single"]
    trial = pg.run_trial(step, _template(step), pg.default_decoding(step), [3], SEED_TASKS, client)
    (body,) = fake.bodies
    assert [m["role"] for m in body["messages"]] == ["system", "user"]  # chat, as FastChat
    assert body["temperature"] == 0 and body["max_tokens"] == 2048
    (item,) = trial.items
    assert item.verdict == verdict and item.detail.startswith(detail)
    assert "[user]" in trial.replies[0].prompt and item.text in body["messages"][1]["content"]


def test_playground_judge_pairwise_names_the_winner(scripted_client):
    fake, client, replies = scripted_client
    replies[0] = "Assistant B is more helpful. [[B]]"
    step = pg.STEPS["judge_pairwise"]
    trial = pg.run_trial(step, _template(step), pg.default_decoding(step), [1], SEED_TASKS, client)
    (item,) = trial.items
    first, second = item.detail.split("(")[1].rstrip(")").split(" vs ")
    assert first != second and item.detail.startswith(f"winner: {second}")


def test_playground_teacher_answer_is_cut_at_the_next_heading(scripted_client):
    fake, client, replies = scripted_client
    replies[0] = "Paris is the capital.\n### Instruction:\nName a river."
    step = pg.STEPS["answer_without_input"]
    trial = pg.run_trial(step, _template(step), pg.default_decoding(step), [2], SEED_TASKS, client)
    (item,) = trial.items
    assert item.verdict == pg.KEPT and item.output == "Paris is the capital."
    assert item.input == "" and fake.bodies[0]["max_tokens"] == 512
    replies[0] = "   "
    trial = pg.run_trial(step, _template(step), pg.default_decoding(step), [5], SEED_TASKS, client)
    assert trial.items[0].reason == filters.EMPTY_OUTPUT


def test_playground_page_values_are_typed_as_the_step_defaults():
    # A number input gives 0.0 for frequency_penalty; the pipeline sends 0: one request, one
    # cache entry, whichever sent it.
    assert pg.like_default(BOOTSTRAP, "frequency_penalty", 0.0) == 0
    assert isinstance(pg.like_default(BOOTSTRAP, "frequency_penalty", 0.0), int)
    assert isinstance(pg.like_default(BOOTSTRAP, "temperature", 0.7), float)
    assert isinstance(pg.like_default(BOOTSTRAP, "frequency_penalty", 0.5), float)


def test_playground_citing_categories_are_read_strictly(scripted_client):
    fake, client, replies = scripted_client
    table = {
        "categories": [
            {"name": "Writing", "description": "Texts.", "criteria": ["Clear"], "members": [1, 2]},
            {"name": "Math", "description": "Numbers.", "criteria": ["Right"], "members": [3]},
        ]
    }
    replies[0] = "```json\n" + json.dumps(table) + "\n```"
    step = pg.STEPS["citing_categories"]
    trial = pg.run_trial(step, _template(step), pg.default_decoding(step), [1], SEED_TASKS, client)
    assert [item.text for item in trial.items] == ["Writing", "Math"]
    assert trial.items[0].detail.startswith("2 member(s); criteria: Clear")
    assert str(pg.CATEGORY_SAMPLE) in fake.bodies[0]["messages"][-1]["content"]
    replies[0] = '{"categories": [{"name": "Writing"}]}'
    trial = pg.run_trial(step, _template(step), pg.default_decoding(step), [2], SEED_TASKS, client)
    (item,) = trial.items
    assert item.verdict == pg.REJECTED and "description" in item.detail


def test_playground_citing_revision_needs_answer_and_rationale(scripted_client):
    fake, client, replies = scripted_client
    replies[0] = "A better answer.\n\nRationale: it is clearer."
    step = pg.STEPS["citing_revision"]
    trial = pg.run_trial(step, _template(step), pg.default_decoding(step), [1], SEED_TASKS, client)
    (item,) = trial.items
    assert (item.verdict, item.output, item.detail) == (
        pg.KEPT,
        "A better answer.",
        "it is clearer.",
    )
    prompt = fake.bodies[0]["messages"][-1]["content"]
    assert all(criterion in prompt for criterion in pg.EXAMPLE_CATEGORY.criteria)
    replies[0] = "Only a revised answer, no rationale."
    trial = pg.run_trial(step, _template(step), pg.default_decoding(step), [3], SEED_TASKS, client)
    assert trial.items[0].reason == pg.UNPARSED


def test_playground_decoding_form_untouched_sends_the_pipeline_request():
    step = pg.STEPS["bootstrap"]
    values = {name: step.decoding.get(name, default) for name, *_, default in pg.DECODING_FIELDS}
    stop = json.dumps(step.decoding.get("stop", []))
    assert pg.decoding_from(step, values, step.decoding["max_tokens"], stop) == step.decoding
    changed = pg.decoding_from(step, {**values, "frequency_penalty": 0.5}, 48, "")
    assert changed["frequency_penalty"] == 0.5 and changed["max_tokens"] == 48
    assert "stop" not in changed


@pytest.mark.parametrize(
    "text, problem",
    [('["\\n\\n"', "Expecting"), ('"16."', "got '16.'"), ("[1, 2]", "got [1, 2]")],
)
def test_playground_stop_text_that_is_not_a_list_of_strings_is_refused(text, problem):
    with pytest.raises(WorkbenchError, match=r"stop must be a JSON list of strings") as caught:
        pg.parse_stop(text)
    assert problem in str(caught.value)
    assert pg.parse_stop('["\\n\\n", "16."]') == ["\n\n", "16."] and pg.parse_stop("") == []
