"""Reading a project's forms/*.yaml: the public web forms.

    forms:
      request_a_quote:
        entity: lead                       # what a post creates, as the public actor
        label: {en: Request a quote, zh: 申请报价}
        intro: {en: "…", zh: "…"}
        fields: [name, company, email, phone, notes, marketing_consent]
        required: [email]                  # besides the entity's own required fields
        values: {source: web}              # fixed values, set whatever is posted
        assign: assign_web_leads           # the assignment rule that gives it an owner
        duplicates: notify                 # or: create (see below)
        consent: marketing_consent         # a boolean field: the visitor's consent
        thanks: {en: Thank you!, zh: 谢谢！}

`duplicates: notify` (the default): when the entity's `duplicates:` rules find the post
already known, no second record is made; the existing record's owner is notified and
the visitor sees the same thanks. `duplicates: create` makes the record anyway.

Reading never fails: what has the wrong shape is skipped; `guanxi check` reports it,
located (`guanxi.checks.selfservice`). `forms_of(spec)` reads once per spec.
"""

from __future__ import annotations

import os
import weakref
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from guanxi.language.tree import LocDict, LocList
from guanxi.language.yamlload import YamlDocument, load_file
from guanxi.mail.definitions import sections as definition_sections
from guanxi.spec import Loc, ProjectSpec, Text

FOLDER = "forms"
MAX_FILES = 50
SECTION = "forms"
DUPLICATE_MODES = ("notify", "create")


@dataclass(frozen=True, slots=True)
class WebFormSpec:
    """One public web form."""

    name: str
    loc: Loc
    entity: str
    fields: tuple[str, ...]
    required: tuple[str, ...] = ()
    values: tuple[tuple[str, Any], ...] = ()
    label: Text = field(default_factory=dict)
    intro: Text = field(default_factory=dict)
    thanks: Text = field(default_factory=dict)
    assign: str | None = None
    duplicates: str = "notify"
    consent: str | None = None

    def fixed(self) -> dict[str, Any]:
        return dict(self.values)


@dataclass(frozen=True, slots=True)
class WebForms:
    forms: tuple[WebFormSpec, ...] = ()

    def form(self, name: str) -> WebFormSpec | None:
        return next((f for f in self.forms if f.name == name), None)


def read_documents(root: str) -> tuple[YamlDocument, ...]:
    folder = Path(root) / FOLDER
    if not root or not folder.is_dir():
        return ()
    paths = sorted(folder.glob("*.yaml"))[:MAX_FILES]
    return tuple(load_file(p, os.path.join(root, FOLDER, p.name), root) for p in paths)


def sections(documents: tuple[YamlDocument, ...]) -> list[tuple[str, LocDict, LocDict]]:
    """(name, definition, holder) of every form in every file, in order."""
    return definition_sections(documents, SECTION)


def _text(value: Any, language: str) -> Text:
    if isinstance(value, str):
        return {language: value}
    if isinstance(value, dict):
        return {str(k): str(v) for k, v in value.items() if isinstance(v, str)}
    return {}


def names(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list | LocList):
        return tuple(v for v in value if isinstance(v, str))
    return ()


def _opt(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def build(documents: tuple[YamlDocument, ...], language: str) -> WebForms:
    """The forms the documents declare (the first of a repeated name)."""
    out: dict[str, WebFormSpec] = {}
    for name, value, holder in sections(documents):
        entity = value.get("entity")
        if not isinstance(entity, str) or name in out:
            continue
        values = value.get("values")
        mode = value.get("duplicates")
        out[name] = WebFormSpec(
            name=name, loc=holder.key_loc(name), entity=entity,
            fields=names(value.get("fields")), required=names(value.get("required")),
            values=tuple((str(k), v) for k, v in values.items())
            if isinstance(values, LocDict) else (),
            label=_text(value.get("label"), language) or {language: name},
            intro=_text(value.get("intro"), language),
            thanks=_text(value.get("thanks"), language),
            assign=_opt(value.get("assign")),
            duplicates=mode if mode in DUPLICATE_MODES else "notify",
            consent=_opt(value.get("consent")))
    return WebForms(tuple(out.values()))


_READ: dict[int, WebForms] = {}


def forms_of(spec: ProjectSpec) -> WebForms:
    """The project's web forms, read once per spec."""
    found = _READ.get(id(spec))
    if found is None:
        language = spec.languages[0] if spec.languages else "en"
        found = build(read_documents(spec.root), language)
        _READ[id(spec)] = found
        weakref.finalize(spec, _READ.pop, id(spec), None)
    return found
