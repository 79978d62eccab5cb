"""Loaders: every format, every bad input, and round trips through the schema."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.datasets import load_dataset, save_jsonl
from analysis.errors import DataLoadError, WorkbenchError
from analysis.schema import ALL_FIELDS, make_record, to_records
from tests.analysis.records import records_frame


def write_jsonl(path: Path, rows: list) -> Path:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


def test_datasets_alpaca_json_list(tmp_path):
    path = tmp_path / "alpaca.json"
    path.write_text(
        json.dumps(
            [
                {"instruction": "Give three tips.", "input": "", "output": "1. Eat."},
                {"instruction": "Translate.", "input": "Hallo", "output": "Hello"},
            ]
        )
    )
    dataset = load_dataset(path)
    assert dataset.format == "alpaca"
    assert list(dataset.frame.columns) == list(ALL_FIELDS)
    assert dataset.frame["id"].tolist() == ["0", "1"]
    assert dataset.frame.loc[1, "input"] == "Hallo"


def test_datasets_alpaca_jsonl_keeps_extra_fields_in_metadata(tmp_path):
    path = write_jsonl(
        tmp_path / "a.jsonl", [{"instruction": "Say hi.", "output": "hi", "score": 7}]
    )
    frame = load_dataset(path).frame
    assert frame.loc[0, "input"] == ""
    assert frame.loc[0, "metadata"] == {"score": 7}


def test_datasets_self_instruct_tasks_one_row_per_instance(tmp_path):
    task = {
        "id": "t1",
        "instruction": "Classify the sentiment.",
        "instances": [
            {"input": "good", "output": "positive"},
            {"input": "bad", "output": "negative"},
        ],
        "is_classification": True,
    }
    frame = load_dataset(write_jsonl(tmp_path / "tasks.jsonl", [task])).frame
    assert frame["id"].tolist() == ["t1/0", "t1/1"]
    assert frame["task_id"].tolist() == ["t1", "t1"]
    assert frame["is_classification"].tolist() == [True, True]
    assert frame["output"].tolist() == ["positive", "negative"]


def test_datasets_predictions_map_response_and_target(tmp_path):
    row = {
        "prompt": "p",
        "instruction": "Fix it.\n",
        "input": "x",
        "response": " y ",
        "target": "z",
    }
    frame = load_dataset(write_jsonl(tmp_path / "pred.jsonl", [row])).frame
    assert (frame.loc[0, "instruction"], frame.loc[0, "output"], frame.loc[0, "reference"]) == (
        "Fix it.",
        "y",
        "z",
    )


def test_datasets_chat_messages_and_sharegpt(tmp_path):
    rows = [
        {
            "messages": [
                {"role": "system", "content": "Be brief."},
                {"role": "user", "content": "Name a colour."},
                {"role": "assistant", "content": "Blue."},
            ]
        },
        {"conversations": [{"from": "human", "value": "2+2?"}, {"from": "gpt", "value": "4"}]},
    ]
    path = write_jsonl(tmp_path / "chat.jsonl", rows[:1])
    first = load_dataset(path).frame
    assert (first.loc[0, "instruction"], first.loc[0, "output"]) == ("Name a colour.", "Blue.")
    assert first.loc[0, "metadata"]["system"] == "Be brief."
    second = load_dataset(write_jsonl(tmp_path / "sharegpt.jsonl", rows[1:])).frame
    assert (second.loc[0, "instruction"], second.loc[0, "output"]) == ("2+2?", "4")


def test_datasets_prompt_completion_splits_input(tmp_path):
    rows = [
        {
            "prompt": "Sort the numbers.\n\nInput: 3, 1, 2\n\nOutput:",
            "completion": " 1, 2, 3<|endoftext|>",
        },
        {"prompt": "Name a planet.\n\nOutput:", "completion": " Mars"},
    ]
    frame = load_dataset(write_jsonl(tmp_path / "pc.jsonl", rows)).frame
    assert frame.loc[0, "instruction"] == "Sort the numbers."
    assert frame.loc[0, "input"] == "3, 1, 2"
    assert frame.loc[1, "instruction"] == "Name a planet."
    assert frame.loc[1, "output"] == "Mars"


def test_datasets_csv_and_parquet_with_mapping(tmp_path):
    table = pd.DataFrame(
        {"question": ["Why?", "How?"], "answer": ["Because.", "Thus."], "kind": ["a", "b"]}
    )
    csv_path = tmp_path / "qa.csv"
    table.to_csv(csv_path, index=False)
    mapping = {"instruction": "question", "output": "answer", "category": "kind"}
    frame = load_dataset(csv_path, mapping=mapping).frame
    assert frame["instruction"].tolist() == ["Why?", "How?"]
    assert frame["category"].tolist() == ["a", "b"]
    parquet_path = tmp_path / "qa.parquet"
    table.to_parquet(parquet_path)
    assert load_dataset(parquet_path, mapping=mapping).frame["output"].tolist() == [
        "Because.",
        "Thus.",
    ]


def test_datasets_mapping_names_missing_column(tmp_path):
    csv_path = tmp_path / "qa.csv"
    pd.DataFrame({"question": ["Why?"]}).to_csv(csv_path, index=False)
    with pytest.raises(DataLoadError, match=r"qa\.csv.*'prompt'.*it has \['question'\]"):
        load_dataset(csv_path, mapping={"instruction": "prompt"})


def test_datasets_saved_hugging_face_dataset(tmp_path):
    import datasets

    saved = tmp_path / "hf"
    datasets.Dataset.from_dict(
        {"instruction": ["a b c"], "input": [""], "output": ["d"]}
    ).save_to_disk(saved)
    loaded = load_dataset(saved)
    assert loaded.frame["instruction"].tolist() == ["a b c"]
    assert len(loaded.fingerprint) == 16


def test_datasets_hub_id_offline_gives_clear_error(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    with pytest.raises(DataLoadError) as caught:
        load_dataset("yizhongw/self_instruct-not-cached")
    message = str(caught.value)
    assert "Hugging Face hub" in message and "local path" in message


# --- bad input -------------------------------------------------------------------------------


def test_datasets_malformed_json_names_line_and_column(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text('[\n  {"instruction": "a"},\n  {"instruction": "b",}\n]\n')
    with pytest.raises(DataLoadError) as caught:
        load_dataset(path)
    assert caught.value.line == 3 and caught.value.column is not None
    assert str(caught.value).startswith(f"{path}, line 3, column")


def test_datasets_malformed_jsonl_line_fails_or_is_skipped(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"instruction": "a"}\n{"instruction": \n{"instruction": "c"}\nnot json\n')
    with pytest.raises(DataLoadError, match=r"bad\.jsonl, line 2, column \d+: invalid JSON"):
        load_dataset(path)
    dataset = load_dataset(path, skip_bad_lines=True)
    assert dataset.frame["instruction"].tolist() == ["a", "c"]
    assert dataset.skipped_lines == [2, 4]
    assert "skipped 2 bad line(s): 2, 4" in dataset.warnings[0]


def test_datasets_non_utf8_names_line(tmp_path):
    path = tmp_path / "latin1.jsonl"
    path.write_bytes('{"instruction": "ok"}\n{"instruction": "caf\xe9"}\n'.encode("latin-1"))
    with pytest.raises(
        DataLoadError, match=r"line 2, column 21: the file is not UTF-8 text: byte 0xe9"
    ):
        load_dataset(path)
    json_path = tmp_path / "latin1.json"
    json_path.write_bytes('[\n{"instruction": "caf\xe9"}]'.encode("latin-1"))
    with pytest.raises(DataLoadError, match=r"line 2, column 21: the file is not UTF-8"):
        load_dataset(json_path)


@pytest.mark.parametrize("content", ["", "\n\n", "[]"])
def test_datasets_empty_file(tmp_path, content):
    path = tmp_path / ("empty.json" if content == "[]" else "empty.jsonl")
    path.write_text(content)
    with pytest.raises(DataLoadError, match="empty"):
        load_dataset(path)


def test_datasets_missing_fields_lists_found(tmp_path):
    path = write_jsonl(tmp_path / "tasks.jsonl", [{"instances": [], "name": "x"}])
    with pytest.raises(DataLoadError) as caught:
        load_dataset(path)
    assert "line 1" in str(caught.value)
    assert "missing field(s) instruction; the record has instances, name" in str(caught.value)


def test_datasets_unknown_shape_suggests_format(tmp_path):
    path = write_jsonl(tmp_path / "odd.jsonl", [{"foo": 1}])
    with pytest.raises(DataLoadError, match=r"cannot tell the format.*has fields foo and"):
        load_dataset(path)


def test_datasets_wrong_top_level_type(tmp_path):
    path = tmp_path / "obj.json"
    path.write_text('{"instruction": "a", "output": "b"}')
    with pytest.raises(
        DataLoadError, match=r"expected a JSON list of records at the top level, found an object"
    ):
        load_dataset(path)
    lines = tmp_path / "list.jsonl"
    lines.write_text('{"instruction": "a"}\n[1, 2]\n')
    with pytest.raises(
        DataLoadError, match=r"line 2: expected a JSON object \(a record\), found a JSON list"
    ):
        load_dataset(lines)


def test_datasets_duplicate_ids(tmp_path):
    path = write_jsonl(
        tmp_path / "dup.jsonl",
        [
            {"id": "x", "instruction": "a"},
            {"id": "y", "instruction": "b"},
            {"id": "x", "instruction": "c"},
        ],
    )
    with pytest.raises(DataLoadError, match=r"line 3: duplicate id 'x', first seen on line 1"):
        load_dataset(path)


def test_datasets_missing_path_and_unknown_format(tmp_path):
    with pytest.raises(DataLoadError, match="no file or folder"):
        load_dataset(tmp_path / "nope.jsonl")
    with pytest.raises(WorkbenchError, match="unknown format 'xml'"):
        load_dataset(tmp_path / "nope.jsonl", format="xml")


def test_datasets_input_file_is_never_modified(tmp_path):
    path = tmp_path / "bad.jsonl"
    original = b'{"instruction": "a"}\n{broken\n'
    path.write_bytes(original)
    before = path.stat().st_mtime_ns
    load_dataset(path, skip_bad_lines=True)
    with pytest.raises(DataLoadError):
        load_dataset(path)
    assert path.read_bytes() == original and path.stat().st_mtime_ns == before


def test_datasets_fingerprint_follows_content(tmp_path):
    path = write_jsonl(tmp_path / "a.jsonl", [{"instruction": "a"}])
    first = load_dataset(path).fingerprint
    assert load_dataset(path).fingerprint == first
    write_jsonl(path, [{"instruction": "b"}])
    assert load_dataset(path).fingerprint != first


# --- round trips (property tests) --------------------------------------------------------------

texts = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40)
record_lists = st.lists(
    st.builds(
        lambda instruction, given, output, classification, category: (
            instruction,
            given,
            output,
            classification,
            category,
        ),
        texts,
        texts,
        texts,
        st.one_of(st.none(), st.booleans()),
        st.one_of(st.none(), texts),
    ),
    min_size=1,
    max_size=8,
)


def _records(rows):
    return [
        make_record(
            id=f"r{i}", instruction=ins, input=inp, output=out, is_classification=cls, category=cat
        )
        for i, (ins, inp, out, cls, cat) in enumerate(rows)
    ]


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=record_lists)
def test_datasets_schema_jsonl_round_trip(tmp_path, rows):
    frame = records_frame(_records(rows))
    path = tmp_path / "round.jsonl"
    save_jsonl(frame, path)
    loaded = load_dataset(path).frame
    assert to_records(loaded) == to_records(frame)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=record_lists)
def test_datasets_alpaca_json_round_trip(tmp_path, rows):
    alpaca = [{"instruction": i, "input": n, "output": o} for i, n, o, _, _ in rows]
    path = tmp_path / "alpaca.json"
    path.write_text(json.dumps(alpaca, ensure_ascii=False), encoding="utf-8")
    loaded = load_dataset(path, format="alpaca").frame
    assert loaded[["instruction", "input", "output"]].to_dict(orient="records") == alpaca


def test_datasets_save_jsonl_does_not_touch_source(tmp_path):
    path = write_jsonl(tmp_path / "a.jsonl", [{"instruction": "a"}])
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    save_jsonl(load_dataset(path).frame, tmp_path / "copy.jsonl")
    assert hashlib.sha256(path.read_bytes()).hexdigest() == digest


def test_datasets_second_load_reads_parsed_cache(tmp_path, monkeypatch):
    import analysis.readers as readers_module

    rows = [
        {
            "id": "t",
            "instruction": "Classify.",
            "instances": [{"input": "x", "output": "y"}],
            "is_classification": True,
            "name": "n",
        },
    ]
    path = write_jsonl(tmp_path / "tasks.jsonl", rows)
    first = load_dataset(path)

    def must_not_parse(*args, **kwargs):
        raise AssertionError("parsed again although the bytes did not change")

    monkeypatch.setattr(readers_module, "_read_jsonl", must_not_parse)
    second = load_dataset(path)
    pd.testing.assert_frame_equal(first.frame, second.frame)
    assert second.frame.loc[0, "metadata"] == {"name": "n"} and second.format == first.format
    monkeypatch.undo()
    write_jsonl(path, rows + [{**rows[0], "id": "u"}])
    assert len(load_dataset(path)) == 2


def test_datasets_cached_load_keeps_skipped_line_warning(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"instruction": "a"}\n{oops\n')
    load_dataset(path, skip_bad_lines=True)
    again = load_dataset(path, skip_bad_lines=True)
    assert again.skipped_lines == [2] and "skipped 1 bad line(s): 2" in again.warnings[0]
    with pytest.raises(DataLoadError, match="line 2"):
        load_dataset(path)


def test_datasets_schema_jsonl_with_metadata_object_loads(tmp_path):
    row = {"id": "a", "instruction": "x", "metadata": {"round": 3}, "extra": "y", "model": "m"}
    frame = load_dataset(write_jsonl(tmp_path / "schema.jsonl", [row])).frame
    assert frame.loc[0, "metadata"] == {"round": 3, "extra": "y"}
    assert frame.loc[0, "model"] == "m"


# --- one resolver: a name, a path and a registered entry give one dataset ------------------


def test_datasets_bundled_name_and_path_are_one_dataset():
    from analysis import registry

    by_name = load_dataset("predictions/text-davinci-003")
    assert set(by_name.frame["model"]) == {"text-davinci-003"}
    by_path = load_dataset(registry.lookup("predictions/text-davinci-003").location)
    assert by_path.name == by_name.name == "predictions/text-davinci-003"
    assert by_path.fingerprint == by_name.fingerprint
    pd.testing.assert_frame_equal(by_path.frame, by_name.frame)
    assert by_name.entry.licence == "Apache-2.0"


def test_datasets_fingerprint_names_the_content_not_the_format_request(tmp_path):
    path = write_jsonl(tmp_path / "a.jsonl", [{"instruction": "x", "response": "y"}])
    detected = load_dataset(path)
    assert detected.format == "predictions"
    assert load_dataset(path, format="predictions").fingerprint == detected.fingerprint
    assert load_dataset(path, format="alpaca").fingerprint != detected.fingerprint


def test_datasets_question_answer_records_keep_their_answer(tmp_path):
    rows = [
        {"question": "What is 2+2?", "answer": "4"},
        {"question": "Capital of France?", "answer": "Paris"},
    ]
    dataset = load_dataset(write_jsonl(tmp_path / "qa.jsonl", rows))
    assert dataset.frame["output"].tolist() == ["4", "Paris"]
    assert dataset.warnings == []


def test_datasets_fields_kept_aside_are_named_with_the_map_that_reads_them(tmp_path):
    path = tmp_path / "qa.csv"
    path.write_text("question,answer_text,score\nWhat is 2+2?,4,5\n", encoding="utf-8")
    # one answer-like column: read as the output; the score stays aside and is named
    dataset = load_dataset(path)
    assert dataset.frame["output"].tolist() == ["4"]
    [warning] = dataset.warnings
    assert "qa.csv" in warning and "score" in warning and "--map FIELD=score" in warning
    # two answer-like columns: ambiguous, neither is guessed, the --map is offered
    path.write_text("question,answer,response\nQ?,a,r\n", encoding="utf-8")
    dataset = load_dataset(path)
    assert dataset.frame["output"].tolist() == [""]
    [warning] = dataset.warnings
    assert "answer, response" in warning and "--map output=answer" in warning
    assert load_dataset(path, mapping={"output": "response"}).frame["output"].tolist() == ["r"]


def test_datasets_bundled_files_warn_of_nothing():
    from analysis import registry

    for info in registry.bundled():
        assert load_dataset(info.name).warnings == [], info.name


def test_datasets_registered_user_name_loads_with_its_read_options(tmp_path):
    from analysis import registry

    path = tmp_path / "qa.csv"
    path.write_text("q,a\nWhat?,That.\n", encoding="utf-8")
    registry.add_user_dataset("mine", path=path, mapping={"instruction": "q", "output": "a"})
    by_name = load_dataset("mine")
    assert by_name.frame["output"].tolist() == ["That."]
    assert (
        by_name.fingerprint
        == load_dataset(path, mapping={"instruction": "q", "output": "a"}).fingerprint
    )


@pytest.mark.parametrize("source", ["no_such_file.jsonl", "data/nope", "./nope", "a/b/c"])
def test_datasets_mistyped_path_is_not_looked_up_on_the_hub(source, monkeypatch):
    import datasets

    def no_hub(*args, **kwargs):
        raise AssertionError("a path was looked up on the hub")

    monkeypatch.setattr(datasets, "load_dataset", no_hub)
    with pytest.raises(DataLoadError, match="no file or folder at this path"):
        load_dataset(source)


def test_datasets_unknown_bare_name_says_what_was_tried(serve_hub):
    serve_hub("someone/else", [])
    with pytest.raises(DataLoadError) as caught:
        load_dataset("mine")
    message = str(caught.value)
    assert "Hugging Face hub" in message and "registered" in message and "seed_tasks" in message


def test_datasets_device_file_is_not_read(tmp_path):
    link = tmp_path / "zero.jsonl"
    link.symlink_to("/dev/zero")
    with pytest.raises(DataLoadError, match="not a regular file"):
        load_dataset(link)
