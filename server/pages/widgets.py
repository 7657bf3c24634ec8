"""Form widgets per field type, with HTML attributes taken from the same declarations
the Store validates against, and the parsing of posted form strings back to values."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from guanxi.fields.base import Posted
from guanxi.fields.registry import field_type, form_text
from guanxi.language.labels import derived_label
from guanxi.spec import FieldSpec, text_in


class Form(Protocol):
    """A posted form (Starlette's FormData)."""

    def get(self, key: str) -> Any: ...

    def getlist(self, key: str) -> Sequence[Any]: ...


@dataclass
class Choice:
    value: str
    label: str
    selected: bool = False


@dataclass
class Widget:
    """One field's form control, ready for the template."""

    name: str
    label: str
    help: str
    kind: str  # input | textarea | checkbox | select | multiselect
    attrs: dict[str, str | bool] = field(default_factory=dict)
    value: str = ""
    checked: bool = False
    choices: list[Choice] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    required: bool = False


def field_label(spec: FieldSpec | None, name: str, language: str) -> str:
    fallback = derived_label(name)
    return text_in(spec.label, language, fallback) if spec else fallback


def input_text(spec: FieldSpec, value: Any) -> str:
    """A stored value as the text an input shows."""
    return form_text(spec, value)


def build_widget(spec: FieldSpec, value: Any, *, language: str, required: bool,
                 errors: list[str] | None = None, raw: str | list[str] | None = None,
                 choices: list[tuple[str, str]] | None = None,
                 choose_text: str = "") -> Widget:
    """The widget of one field. `raw` is what the user typed (kept after an error);
    `choices` are (value, label) pairs for reference and user fields."""
    label = field_label(spec, spec.name, language)
    help_text = text_in(spec.help, language, "")
    attrs: dict[str, str | bool] = {"id": f"f-{spec.name}", "name": spec.name}
    if errors:
        attrs["aria-invalid"] = "true"
        attrs["aria-describedby"] = f"e-{spec.name}"
    kind = field_type(spec)
    w = Widget(spec.name, label, help_text, kind.control, attrs, errors=list(errors or []),
               required=required)
    if kind.control == "checkbox":
        w.checked = bool(kind.form_value(spec, raw)) if raw is not None else bool(value)
        attrs["value"] = "true"
        return w
    if required:
        attrs["required"] = True
    if kind.control == "input":
        attrs["type"] = kind.input_type
    attrs.update(kind.widget_attrs(spec))
    if kind.control in ("select", "multiselect"):
        if kind.control == "multiselect":
            current = set(raw) if isinstance(raw, list) else {str(v) for v in value or []}
        else:
            current = {raw if isinstance(raw, str) else input_text(spec, value)}
            w.choices.append(Choice("", choose_text, "" in current))
        options = kind.options(spec, language)
        options = choices if options is None else options
        w.choices += [Choice(str(v), lbl, str(v) in current) for v, lbl in options or []]
        return w
    w.value = raw if isinstance(raw, str) else input_text(spec, value)
    return w


def form_value(spec: FieldSpec, raw: Posted) -> Any:
    """A posted form value as input for the Store, which parses and validates it.

    A checkbox sends nothing when unticked; a multi-select sends a list; an empty text
    box means "no value".
    """
    return field_type(spec).form_value(spec, raw)


def raw_of(spec: FieldSpec, form: Form) -> Posted:
    """What the form sent for a field (a list for multi-selects)."""
    if field_type(spec).control == "multiselect":
        return [str(v) for v in form.getlist(spec.name)]
    value = form.get(spec.name)
    return None if value is None else str(value)
