"""Template versions: saved once, never overwritten, the original untouchable, diffs exact."""

from __future__ import annotations

import json

import pytest

from analysis.errors import WorkbenchError
from analysis.paths import BUNDLED_PROMPTS_DIR
from generation import templates
from generation.prompt_versions import (
    ORIGINAL,
    VersionStore,
    apply_versions,
    diff,
    original,
)
from generation.templates import load_template

BOOTSTRAP = templates.BOOTSTRAP


@pytest.fixture
def store(tmp_path):
    return VersionStore(tmp_path / "versions")


def _edited(text: str) -> str:
    return text.replace("Come up with a series of tasks:", "Come up with a series of new tasks:")


def test_prompt_versions_original_is_the_bundled_file():
    version = original(BOOTSTRAP)
    assert version.text == (BUNDLED_PROMPTS_DIR / BOOTSTRAP).read_text(encoding="utf-8")
    assert version.name == ORIGINAL and version.parent is None
    assert version.sha256 == load_template(BOOTSTRAP).sha256


def test_prompt_versions_save_list_and_get(store):
    base = original(BOOTSTRAP)
    first = store.save("concise", BOOTSTRAP, _edited(base.text), ORIGINAL, " shorter ")
    second = store.save("concise-2", BOOTSTRAP, first.text + "", "concise", "")
    listed = store.versions(BOOTSTRAP)
    assert [v.name for v in listed] == [ORIGINAL, "concise", "concise-2"]
    assert store.get("concise") == first
    assert first.note == "shorter" and second.parent == "concise"
    assert first.sha256 != base.sha256 and first.sha256 == second.sha256
    saved = json.loads((store.folder / "concise.json").read_text(encoding="utf-8"))
    assert saved["text"] == first.text and saved["template"] == BOOTSTRAP
    assert store.versions(templates.ALPACA) == [original(templates.ALPACA)]


def test_prompt_versions_are_never_overwritten(store):
    text = _edited(original(BOOTSTRAP).text)
    store.save("mine", BOOTSTRAP, text)
    before = (store.folder / "mine.json").read_bytes()
    with pytest.raises(WorkbenchError, match="exists already"):
        store.save("mine", BOOTSTRAP, text + "\nmore")
    assert (store.folder / "mine.json").read_bytes() == before


@pytest.mark.parametrize("name", [ORIGINAL, "", "has space", "../escape", ".hidden", "x" * 65])
def test_prompt_versions_refuse_bad_names(store, name):
    with pytest.raises(WorkbenchError, match="named with letters"):
        store.save(name, BOOTSTRAP, original(BOOTSTRAP).text)
    assert not store.folder.exists() or not list(store.folder.iterdir())


def test_prompt_versions_refuse_missing_and_unknown_placeholders_before_saving(store):
    text = original(BOOTSTRAP).text
    with pytest.raises(WorkbenchError, match=r"lacks the placeholder\(s\) \{tasks\}"):
        store.save("broken", BOOTSTRAP, text.replace("{tasks}", ""))
    with pytest.raises(WorkbenchError, match=r"\{topic\}"):
        store.save("broken", BOOTSTRAP, "About {topic}:\n" + text)
    assert store.saved() == []


def test_prompt_versions_unknown_name_lists_the_saved_ones(store):
    store.save("kept", BOOTSTRAP, _edited(original(BOOTSTRAP).text))
    with pytest.raises(
        WorkbenchError, match="no template version named 'nope'; saved versions: kept"
    ):
        store.get("nope")


def test_prompt_versions_diff_shows_exactly_the_changed_line(store):
    base = original(BOOTSTRAP)
    edited = store.save("new", BOOTSTRAP, _edited(base.text))
    changes = diff(base, edited).splitlines()
    assert changes[0] == f"--- {BOOTSTRAP} (original)"
    assert changes[1] == f"+++ {BOOTSTRAP} (new)"
    assert [line for line in changes if line[:1] in "+-" and line[:3] not in ("---", "+++")] == [
        "-Come up with a series of tasks:",
        "+Come up with a series of new tasks:",
    ]
    assert diff(base, original(BOOTSTRAP)) == ""


def test_prompt_versions_apply_replaces_only_their_template(store):
    loaded = {
        "bootstrap": load_template(BOOTSTRAP),
        "classification": load_template(templates.CLASSIFICATION),
    }
    store.save("v1", BOOTSTRAP, _edited(loaded["bootstrap"].text))
    result = apply_versions(loaded, ["v1"], "self-instruct", store)
    assert result["bootstrap"].text == _edited(loaded["bootstrap"].text)
    assert result["bootstrap"].describe()["source"] == "version v1"
    assert result["classification"] is loaded["classification"]


def test_prompt_versions_apply_refuses_foreign_and_doubled_versions(store):
    loaded = {"alpaca": load_template(templates.ALPACA)}
    store.save("si", BOOTSTRAP, _edited(original(BOOTSTRAP).text))
    with pytest.raises(WorkbenchError, match="which alpaca does not use"):
        apply_versions(loaded, ["si"], "alpaca", store)
    store.save("si-2", BOOTSTRAP, _edited(original(BOOTSTRAP).text) + "\n")
    loaded = {"bootstrap": load_template(BOOTSTRAP)}
    with pytest.raises(WorkbenchError, match="two template versions replace"):
        apply_versions(loaded, ["si", "si-2"], "self-instruct", store)


def test_prompt_versions_cli_option_reaches_the_run_config():
    from analysis.cli import build_parser
    from generation import commands
    from generation.commands.self_instruct import config_from_args

    parser = build_parser("python -m generation", "", commands)
    argv = ["self-instruct", "--target", "3", "--out", "d"]
    args = parser.parse_args([*argv, "--template-version", "a", "--template-version", "b"])
    assert config_from_args(args).template_versions == ("a", "b")
    assert config_from_args(parser.parse_args(argv)).template_versions == ()


@pytest.mark.parametrize("command", ["judge", "compare-score"])
def test_prompt_versions_cli_option_reaches_the_judge_config(command):
    from analysis.cli import build_parser
    from generation import commands
    from generation.commands.judge import config_from_args

    parser = build_parser("python -m generation", "", commands)
    answers = ["predictions/davinci", "predictions/text-davinci-003"]
    argv = [command, *answers, "--out", "d", "--template-version", "strict"]
    if command == "judge":
        argv += ["--mode", "pairwise"]
    assert config_from_args(parser.parse_args(argv)).template_versions == ("strict",)


def test_prompt_versions_replace_every_role_a_file_serves():
    from generation.judge.steps import TEMPLATE_FILES, load_prompts

    system = templates.JUDGE_SINGLE_SYSTEM
    VersionStore().save("terse-judge", system, "You are a strict judge.")
    prompts = load_prompts("single", versions=["terse-judge"])
    assert TEMPLATE_FILES["single"]["reference_system"] == system  # one file, two roles
    assert prompts.general.system.text == "You are a strict judge."
    assert prompts.reference.system.text == "You are a strict judge."
    assert prompts.files["system"].describe()["source"] == "version terse-judge"
