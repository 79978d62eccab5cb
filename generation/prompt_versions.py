"""Named versions of prompt templates: what a researcher iterating on a prompt saves.

A version is a template file's full text under a name, with its sha256, the time it was
saved, the version it was edited from and a note. Each is one JSON file in the workspace
(`prompt_versions/<name>.json`), written atomically and never overwritten, so a saved version
means the same text forever and a run that names it is reproducible. Names are unique across
templates, so `--template-version NAME` says which template it replaces. The bundled file of
each template is version zero, named `original`; no saved version may take that name.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
import time
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path

from analysis.atomic import atomic_write_text
from analysis.errors import Errors, WorkbenchError
from analysis.paths import BUNDLED_PROMPTS_DIR, prompt_versions_dir
from generation.templates import Template, check_placeholders

ORIGINAL = "original"
_NAME = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]{0,63}")


@dataclass(frozen=True)
class TemplateVersion:
    name: str
    template: str  # the template file it is a version of, e.g. self_instruct_bootstrap.txt
    text: str
    sha256: str
    created_at: float | None  # None for the original
    parent: str | None  # the version it was edited from
    note: str = ""

    @property
    def is_original(self) -> bool:
        return self.name == ORIGINAL

    def as_template(self) -> Template:
        source = "bundled" if self.is_original else f"version {self.name}"
        return Template(self.template, self.text, source)


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def original(template: str) -> TemplateVersion:
    """Version zero: the bundled file."""
    text = (BUNDLED_PROMPTS_DIR / template).read_text(encoding="utf-8")
    return TemplateVersion(ORIGINAL, template, text, _sha256(text), None, None)


def saved_time(version: TemplateVersion) -> str:
    if version.created_at is None:
        return "built in"
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(version.created_at))


class VersionStore:
    """The saved versions in one folder (the workspace's unless given)."""

    def __init__(self, folder: str | Path | None = None):
        self.folder = Path(folder) if folder else prompt_versions_dir()

    def _path(self, name: str) -> Path:
        return self.folder / f"{name}.json"

    def saved(self) -> list[TemplateVersion]:
        """Every saved version, of any template, oldest first."""
        if not self.folder.is_dir():
            return []
        found = []
        for path in sorted(self.folder.glob("*.json")):
            found.append(TemplateVersion(**json.loads(path.read_text(encoding="utf-8"))))
        return sorted(found, key=lambda v: (v.created_at or 0.0, v.name))

    def versions(self, template: str) -> list[TemplateVersion]:
        """The original first, then the saved versions of `template`, oldest first."""
        return [original(template)] + [v for v in self.saved() if v.template == template]

    def names(self) -> list[str]:
        return [v.name for v in self.saved()]

    def get(self, name: str, template: str | None = None) -> TemplateVersion:
        """A saved version by name; `original` needs the template it is the original of."""
        if name == ORIGINAL and template:
            return original(template)
        path = self._path(name) if _NAME.fullmatch(name) else None
        if path is None or not path.is_file():
            raise WorkbenchError(
                Errors.E071.format(name=name, names=", ".join(self.names()) or "none")
            )
        return TemplateVersion(**json.loads(path.read_text(encoding="utf-8")))

    def save(
        self, name: str, template: str, text: str, parent: str | None = ORIGINAL, note: str = ""
    ) -> TemplateVersion:
        """Save `text` as version `name` of `template`. Refused: a bad or taken name, and a
        text whose placeholders the template's step cannot fill (checked before saving)."""
        if not _NAME.fullmatch(name) or name == ORIGINAL:
            raise WorkbenchError(Errors.E069.format(name=name, original=ORIGINAL))
        check_placeholders(template, text, f"version {name!r}")
        path = self._path(name)
        if path.exists():
            taken = self.get(name)
            raise WorkbenchError(
                Errors.E070.format(name=name, template=taken.template, saved=saved_time(taken))
            )
        version = TemplateVersion(
            name, template, text, _sha256(text), time.time(), parent, note.strip()
        )
        self.folder.mkdir(parents=True, exist_ok=True)
        atomic_write_text(path, json.dumps(asdict(version), indent=1, ensure_ascii=False))
        return version


def diff(old: TemplateVersion, new: TemplateVersion) -> str:
    """A unified diff of two versions' texts, line by line ("" when they are the same)."""
    lines = difflib.unified_diff(
        old.text.splitlines(keepends=True),
        new.text.splitlines(keepends=True),
        fromfile=f"{old.template} ({old.name})",
        tofile=f"{new.template} ({new.name})",
    )
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)


def apply_versions(
    loaded: Mapping[str, Template],
    names: Iterable[str],
    pipeline: str,
    store: VersionStore | None = None,
) -> dict[str, Template]:
    """The pipeline's templates (role -> Template) with each named version replacing the
    template it is a version of. A version of a template the pipeline does not use, or two
    versions of one template, are refused before anything is sent."""
    store = store or VersionStore()
    result = dict(loaded)
    roles_of: dict[str, list[str]] = {}
    for role, template in loaded.items():  # one file may serve two roles (a shared system text)
        roles_of.setdefault(template.name, []).append(role)
    chosen: dict[str, list[str]] = {}
    for name in names:
        version = store.get(name)
        if version.template not in roles_of:
            raise WorkbenchError(
                Errors.E072.format(
                    name=name,
                    template=version.template,
                    pipeline=pipeline,
                    used=", ".join(sorted(roles_of)),
                )
            )
        chosen.setdefault(version.template, []).append(name)
        for role in roles_of[version.template]:
            result[role] = version.as_template()
    for template, chosen_names in chosen.items():
        if len(chosen_names) > 1:
            raise WorkbenchError(
                Errors.E073.format(template=template, names=", ".join(chosen_names))
            )
    return result
