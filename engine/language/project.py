"""Loading a project: read its directory (and the projects it extends, `layers`), build
the spec (`build`) and find every problem (`guanxi.checks`). `load_project` does all three
and never raises for bad input; `load_project_or_raise` raises ProjectInvalid.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from guanxi.checks.run import check_project
from guanxi.diagnostics import Diagnostic, has_errors, sort_key
from guanxi.errors import ProjectInvalid
from guanxi.language.build import build_project
from guanxi.language.collector import collector_paused
from guanxi.language.layers import MAX_PROJECT_BYTES, MAX_PROJECT_FILES, PROJECT_FILE, read_project
from guanxi.language.overlays import timer_name
from guanxi.language.raw import RawProject, Removal, SourceFile
from guanxi.language.standard import standard_files, standard_workflows
from guanxi.spec import ProjectSpec

__all__ = [
    "MAX_PROJECT_BYTES", "MAX_PROJECT_FILES", "PROJECT_FILE", "LoadResult", "RawProject",
    "Removal", "SourceFile", "load_project", "load_project_or_raise", "read_project",
    "standard_files", "standard_workflows", "timer_name",
]


@dataclass(frozen=True, slots=True)
class LoadResult:
    """What `load_project` found: the spec (None when the project could not be read at
    all) and every problem, errors and warnings, sorted by place."""

    spec: ProjectSpec | None
    diagnostics: list[Diagnostic]

    @property
    def ok(self) -> bool:
        return self.spec is not None and not has_errors(self.diagnostics)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.is_error]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if not d.is_error]


def load_project(path: str | os.PathLike[str]) -> LoadResult:
    """Read, build and check the project in directory `path`; never raises for bad input."""
    with collector_paused():
        raw = read_project(path)
        if raw.project is None:
            return LoadResult(None, sorted(raw.diagnostics, key=sort_key))
        spec = build_project(raw)
        diagnostics = list(raw.diagnostics) + check_project(raw, spec)
        return LoadResult(spec, sorted(set(diagnostics), key=sort_key))


def load_project_or_raise(path: str | os.PathLike[str]) -> ProjectSpec:
    """The project's spec; raises ProjectInvalid (listing every error) when it has any."""
    result = load_project(path)
    if result.spec is None or has_errors(result.diagnostics):
        raise ProjectInvalid(result.diagnostics)
    return result.spec
