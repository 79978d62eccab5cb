"""launcher.StoredConfig, the base of every pipeline's settings: config.json never holds a
credential, the credentials come back by field name, and a folder's run resumes only with the
same settings (outside ADJUSTABLE) of the same pipeline."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest

from analysis.errors import WorkbenchError
from generation import launcher, run_files


@dataclass(frozen=True)
class TwoEndpoints(launcher.StoredConfig):
    source: str
    teacher_base_url: str | None = None
    student_base_url: str | None = None
    concurrency: int | None = None

    PIPELINE = "two-endpoints"
    URL_FIELDS = ("teacher_base_url", "student_base_url")
    ADJUSTABLE = ("concurrency",)


SECRET_URL = "https://user:hunter2@api.example.com/v1?api_key=hunter2"


def test_launcher_stored_config_writes_no_credential():
    config = TwoEndpoints("rows", teacher_base_url=SECRET_URL, student_base_url=SECRET_URL)
    data = config.to_dict()
    assert "hunter2" not in json.dumps(data)
    assert list(data)[:2] == [launcher.PIPELINE_KEY, "source"]
    assert data[launcher.PIPELINE_KEY] == "two-endpoints"
    assert TwoEndpoints.from_dict({**data, "retired_setting": 1}).source == "rows"


def test_launcher_stored_config_credentials_come_back_by_field_name():
    stored = TwoEndpoints.from_dict(TwoEndpoints("rows", teacher_base_url=SECRET_URL).to_dict())
    back = stored.with_credentials(teacher_base_url=SECRET_URL, student_base_url=SECRET_URL)
    assert back.teacher_base_url == SECRET_URL
    assert back.student_base_url is None  # none stored: none given back
    other = "https://user:hunter2@elsewhere.example.com/v1"
    assert stored.with_credentials(teacher_base_url=other) == stored


def test_launcher_stored_config_resumes_only_the_same_settings(tmp_path):
    config = TwoEndpoints("rows", teacher_base_url=SECRET_URL, concurrency=2)
    config.check_resumable(tmp_path)  # no config.json yet
    run_files.write_json(tmp_path / launcher.CONFIG_FILE, config.to_dict())
    TwoEndpoints("rows", teacher_base_url=SECRET_URL, concurrency=8).check_resumable(tmp_path)
    with pytest.raises(WorkbenchError, match=r"other settings \(source: 'rows' -> 'other'\)"):
        TwoEndpoints("other", teacher_base_url=SECRET_URL).check_resumable(tmp_path)


@pytest.mark.parametrize("stored", [{launcher.PIPELINE_KEY: "answer"}, {}])
def test_launcher_stored_config_refuses_another_pipelines_folder(tmp_path, stored):
    """A folder naming no pipeline is Self-Instruct's."""
    run_files.write_json(tmp_path / launcher.CONFIG_FILE, {**stored, "source": "rows"})
    with pytest.raises(WorkbenchError, match="another pipeline's run"):
        TwoEndpoints("rows").check_resumable(tmp_path)
