"""A project as read, before it is built: every layer's located YAML merged, each file as
read (so the checker can validate files one by one), what overlays removed, and the
problems met while reading.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from guanxi.diagnostics import Diagnostic
from guanxi.language.tree import LocDict
from guanxi.language.yamlload import YamlDocument
from guanxi.spec import Loc


@dataclass(frozen=True, slots=True)
class SourceFile:
    """One file read. `kind` is "project", "entities", "workflows" or "automation" (its schema)."""

    kind: str
    document: YamlDocument


@dataclass(frozen=True, slots=True)
class Removal:
    """A name an overlay takes out of its base: `what` is "field", "state" …; `owner` the
    entity or workflow it belonged to (None for entities, roles, workflows)."""

    what: str
    owner: str | None
    name: str
    loc: Loc


@dataclass
class RawProject:
    """Every layer's data merged, still as located YAML."""

    root: str
    project: LocDict | None
    entities: LocDict
    workflows: LocDict
    # automation/*.yaml merged: rule name -> rule (assignment rules, schedules).
    automation: LocDict | None = None
    extends: tuple[str, ...] = ()
    files: list[SourceFile] = field(default_factory=list)
    removals: list[Removal] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    # Standard workflows found for names the project uses but does not declare.
    standard_used: set[str] = field(default_factory=set)
    # Workflows that other workflows extend.
    workflow_bases: set[str] = field(default_factory=set)
    # What has been read, against MAX_PROJECT_FILES and MAX_PROJECT_BYTES; once either is
    # passed, no further file is read.
    files_read: int = 0
    bytes_read: int = 0
    over_budget: bool = False

    def text_of(self, file: str) -> str:
        for source in self.files:
            if source.document.file == file:
                return source.document.text
        return ""
