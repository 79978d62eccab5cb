"""CITING's prompts and strict parsers, the split and the rubric table, without any model:
well-formed replies read, every malformed one refused with its reason, never guessed."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from analysis.datasets import load_dataset
from analysis.errors import WorkbenchError
from generation import templates
from generation.answer.steps import WITH_INPUT, WITHOUT_INPUT
from generation.citing import records, rubrics
from generation.citing.assign import BY_TEACHER, assign_categories
from generation.citing.split import TEST, TRAIN, VALIDATION, split_ids
from generation.citing.steps import (
    CATEGORIES,
    JUDGE,
    REVISION,
    Categorize,
    Category,
    Revise,
    Unparsed,
    load_templates,
)
from generation.client import Choice, Reply, Usage
from generation.judge.verdicts import parse_pair_verdict
from generation.prompt_versions import VersionStore

LOADED = load_templates()
CATEGORIZE = Categorize(LOADED[CATEGORIES])
REVISE = Revise(LOADED[REVISION])
INSTRUCTIONS = ["Add 2 and 3.", "Write a haiku about rain.", "What is 7 times 6?"]
RUBRIC = Category("math", "arithmetic questions", ("The result is right.", "Show the steps."))


def reply(categories) -> str:
    return json.dumps({"categories": categories})


def good(**changes) -> dict:
    return {
        "name": "math",
        "description": "sums",
        "criteria": ["right"],
        "members": [1, 3],
    } | changes


def test_citing_steps_templates_are_ours_and_the_students_are_alpacas():
    assert set(LOADED) == {CATEGORIES, REVISION, JUDGE, WITH_INPUT, WITHOUT_INPUT}
    assert LOADED[WITHOUT_INPUT].name == templates.ANSWER_NO_INPUT
    for role in (CATEGORIES, REVISION, JUDGE):
        assert "reconstruction" in LOADED[role].text


def test_citing_steps_judge_template_asks_for_the_pairwise_verdict_form():
    text = LOADED[JUDGE].text
    for aspect in ("articulation", "depth", "comprehensiveness"):
        assert aspect in text
    assert '"[[A]]" if assistant A is better' in text and '"[[C]]" for a tie' in text
    assert parse_pair_verdict("Depth favours the second. [[B]]").winner == "B"


def test_citing_steps_categories_prompt_lists_every_instruction_numbered():
    prompt = CATEGORIZE.format_input(["Add  2\nand 3.", "Write a haiku."], 5)
    assert "1. Add 2 and 3.\n2. Write a haiku." in prompt
    assert "at most 5 categories" in prompt and "Below are 2 numbered" in prompt


def test_citing_steps_categories_parsed_from_plain_and_fenced_json():
    categories = [
        good(),
        {"name": "poetry", "description": "poems", "criteria": ["rhymes", "short"], "members": [2]},
    ]
    for text in (reply(categories), f"Sure:\n```json\n{reply(categories)}\n```\nDone."):
        parsed = CATEGORIZE.format_output(text, INSTRUCTIONS)
        assert [c.name for c in parsed] == ["math", "poetry"]
        assert parsed[0].members == (INSTRUCTIONS[0], INSTRUCTIONS[2])
        assert parsed[1].criteria == ("rhymes", "short")


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("I cannot do that.", "no JSON object"),
        ('{"categories": [', "no JSON object"),
        ('{"categories": [}', "malformed"),
        (json.dumps({"groups": []}), "no non-empty"),
        (reply([]), "no non-empty"),
        (reply(["math"]), "not an object"),
        (reply([good(name=" ")]), "name is not a non-empty text"),
        (reply([good(), good(members=[2])]), "used twice"),
        (reply([good(criteria=[])]), "criteria is not a non-empty list"),
        (reply([good(criteria=["ok", 3])]), "criterion is not"),
        (reply([good(members=["1"])]), "list of instruction numbers"),
        (reply([good(members=[4])]), "no instruction number 4"),
        (reply([good(members=[True])]), "list of instruction numbers"),
        (reply([good(), good(name="other", members=[3])]), "instruction 3 is in category 1"),
    ],
)
def test_citing_steps_malformed_categories_are_refused(text, why):
    with pytest.raises(Unparsed, match=why):
        CATEGORIZE.format_output(text, INSTRUCTIONS)


def test_citing_steps_revision_prompt_carries_the_rubric_and_the_answer():
    prompt = REVISE.format_input("Add 2 and 3.", "", RUBRIC, "  It is 6.  ")
    assert '"math": arithmetic questions' in prompt
    assert "1. The result is right.\n2. Show the steps." in prompt
    assert "### Instruction:\nAdd 2 and 3.\n\n### Student's answer:\nIt is 6.\n" in prompt
    assert prompt.endswith("### Revised answer:")
    assert "Add\n\n5 + 5" in REVISE.format_input("Add", "5 + 5", RUBRIC, "10")


@pytest.mark.parametrize(
    "text",
    [
        " 2 + 3 = 5.\n\n### Rationale:\nThe sum was wrong.",  # a completion of the prompt
        "### Revised answer:\n2 + 3 = 5.\n\n### Rationale:\nThe sum was wrong.",  # chat
        "Revised answer: 2 + 3 = 5.\nRationale: The sum was wrong.\n\n### Instruction:\nNext",
        "### Revised answer:\n### Revised answer:\n2 + 3 = 5.\n### Rationale:\nThe sum was wrong.",
    ],
)
def test_citing_steps_revision_and_rationale_parsed(text):
    assert REVISE.format_output(text) == ("2 + 3 = 5.", "The sum was wrong.")


#: The embedded SmolLM2's revision reply in a real run (/work/citing-run2, round 1), shortened:
#: it loops on the rationale heading until the length limit cuts it.
LOOPING_REPLY = (
    "\nThe sentence is quite negative and I believe it's a mix of both positive and negative."
    + "\n\n### Rationale:\nThe sentence is quite negative and I believe it's a mix of both "
    "positive and negative."
    * 6
    + "\n\n### Rationale:\nThe sentence is quite negative and I believe it's a mix o"
)


@pytest.mark.parametrize("cut", [False, True])
def test_citing_steps_a_looping_reply_ends_at_its_first_rationale(cut):
    revised, rationale = REVISE.format_output(LOOPING_REPLY, cut=cut)
    assert revised == rationale
    assert revised == (
        "The sentence is quite negative and I believe it's a mix of both positive and negative."
    )


def test_citing_steps_a_heading_after_both_sections_closes_them_even_in_a_cut_reply():
    text = "2 + 3 = 5.\n### Rationale:\nThe sum was wrong.\n## Notes\nmore"
    assert REVISE.format_output(text, cut=True) == ("2 + 3 = 5.", "The sum was wrong.")


@pytest.mark.parametrize(
    ("text", "outcome", "detail"),
    [
        (LOOPING_REPLY, records.REVISED, records.KEPT_CUT),
        ("2 + 3 = 5.\n### Rationale:\nThe sum", records.REVISION_TRUNCATED, "before it ended"),
    ],
)
def test_citing_records_a_cut_revision_is_kept_only_when_complete(text, outcome, detail):
    reply = Reply((Choice(text, "length"),), Usage(10, 512), "teacher", "key", None)
    record = records.revised({"outcome": None, "detail": None}, reply, REVISE)
    assert record["outcome"] == outcome and detail in record["detail"]
    assert record["revision_finish_reason"] == "length"
    assert (record.get("revision") is not None) == (outcome == records.REVISED)


@pytest.mark.parametrize(
    "text",
    [
        "2 + 3 = 5.\n### Rationale:\nThe sum was",
        "### Rationale:\nThe sum was wrong.\n\n### Revised answer:\n2 + 3",  # reversed
    ],
)
def test_citing_steps_a_reply_cut_inside_its_last_section_is_refused(text):
    assert REVISE.format_output(text)  # complete, had it not been cut
    with pytest.raises(Unparsed, match="cut by the length limit before it ended"):
        REVISE.format_output(text, cut=True)


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("2 + 3 = 5.", 'no "Rationale"'),
        ("### Revised answer:\n\n### Rationale:\nfixed", 'no "Revised answer"'),
        ("5\n### Rationale:\n   \n", 'no "Rationale"'),
        ("5\n### Revised answer:\n6\n### Rationale:\nwhy", 'two "Revised answer"'),
        ("", 'no "Revised answer"'),
    ],
)
def test_citing_steps_malformed_revisions_are_refused(text, why):
    with pytest.raises(Unparsed, match=why):
        REVISE.format_output(text)


def test_citing_steps_a_saved_version_replaces_a_citing_template(tmp_path):
    text = "Revise for {category} ({description}): {criteria}\n{question}\n{answer}\n"
    VersionStore().save("terse", templates.CITING_REVISION, text)
    loaded = load_templates(versions=["terse"])
    assert loaded[REVISION].text == text and loaded[REVISION].source == "version terse"
    (tmp_path / templates.CITING_CATEGORIES).write_text("{instructions} {count}")
    with pytest.raises(WorkbenchError, match=r"\{categories\}"):
        load_templates(tmp_path)


def test_citing_split_is_seeded_8_1_1_and_covers_every_id_once():
    ids = load_dataset("seed_tasks").frame["id"].tolist()
    split = split_ids(ids, seed=3)
    assert sorted(split[TRAIN] + split[VALIDATION] + split[TEST]) == sorted(ids)
    for part in (VALIDATION, TEST):
        assert abs(len(split[part]) - len(ids) / 10) <= 1
    assert split == split_ids(list(ids), seed=3)
    assert split[TRAIN] != split_ids(ids, seed=4)[TRAIN]
    assert split_ids(list("abcdefghij"), 0)[TEST] and split_ids(list("abcdefghij"), 0)[VALIDATION]
    with pytest.raises(WorkbenchError, match="too few"):
        split_ids(["a", "b"], 0)


def test_citing_rubrics_round_trip_through_file_and_table(tmp_path):
    path = tmp_path / "rubrics.jsonl"
    table = [RUBRIC, Category("poetry", "poems", ("Rhymes.",), ("Write a haiku about rain.",))]
    rubrics.write_rubrics(path, table)
    assert rubrics.read_rubrics(path) == table
    frame = rubrics.to_frame(table)
    assert list(frame.columns) == list(rubrics.COLUMNS)
    frame.loc[1, "criteria"] = "Rhymes.\n\nHas 17 syllables."
    edited = rubrics.from_frame(frame)
    assert edited[1].criteria == ("Rhymes.", "Has 17 syllables.")
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert lines[1] == {
        "category": "poetry",
        "description": "poems",
        "criteria": ["Rhymes."],
        "members": ["Write a haiku about rain."],
    }
    assert rubrics.read_rubrics(tmp_path / "none.jsonl") is None


@pytest.mark.parametrize(
    ("content", "why"),
    [
        ("{", "line 2: malformed JSON"),
        ("\n", "holds no category"),
        ('{"category": "a", "description": "b", "criteria": []}', "line 2: no criteria"),
        ('{"category": "a", "description": "", "criteria": ["c"]}', "line 2: description"),
        ('{"category": "a", "description": "b", "criteria": [1]}', "line 2: criteria is not"),
        ('{"category": "Math", "description": "b", "criteria": ["c"]}', "line 2: the category"),
        ('["a"]', "line 2 is not a JSON object"),
    ],
)
def test_citing_rubrics_a_broken_line_is_refused_naming_file_and_line(tmp_path, content, why):
    path = tmp_path / "rubrics.jsonl"
    first = json.dumps(rubrics.to_lines([RUBRIC])[0]) if content.strip() else ""
    path.write_text(f"{first}\n{content}\n")
    with pytest.raises(WorkbenchError, match=why) as error:
        rubrics.read_rubrics(path)
    assert str(path) in str(error.value)


def test_citing_rubrics_an_edited_table_with_an_empty_row_is_refused():
    frame = pd.concat([rubrics.to_frame([RUBRIC]), pd.DataFrame([{"category": "x"}])])
    with pytest.raises(WorkbenchError, match="row 2: description"):
        rubrics.from_frame(frame)


def test_citing_assign_by_membership_whitespace_and_case_aside():
    table = [Category("math", "sums", ("right",), ("Add 2 and 3.",))]
    assigned = assign_categories(["add 2  and 3.", "Write a poem."], table, None)
    assert assigned == [(table[0], BY_TEACHER, None), (None, None, None)]


def test_citing_cli_takes_the_source_as_train_or_positional_and_limit():
    from analysis.cli import build_parser
    from generation import commands
    from generation.commands.citing import config_from_args

    parser = build_parser("python -m generation", "", commands)
    common = ["--rounds", "2", "--limit", "3", "--out", "d"]
    named = config_from_args(parser.parse_args(["citing", "--train", "seed_tasks", *common]))
    assert (named.source, named.rounds, named.limit) == ("seed_tasks", 2, 3)
    assert config_from_args(parser.parse_args(["citing", "seed_tasks", *common])) == named
    for both_or_neither in (["citing", "--train", "a", "b", *common], ["citing", *common]):
        with pytest.raises(WorkbenchError, match="--train PATH"):
            config_from_args(parser.parse_args(both_or_neither))
