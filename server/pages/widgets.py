"""Form widgets per field type, with HTML attributes taken from the same declarations
the Store validates against, and the parsing of posted form strings back to values."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from guanxi.fields.registry import text_limit
from guanxi.spec import FieldSpec, text_in

INPUT_TYPES = {
    "string": "text", "email": "email", "phone": "tel", "url": "url",
    "integer": "number", "decimal": "number", "money": "number", "percent": "number",
    "date": "date", "datetime": "datetime-local", "duration": "text",
}
NUMBER_TYPES = {"integer", "decimal", "money", "percent"}


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
    fallback = name.replace("_", " ").capitalize()
    return text_in(spec.label, language, fallback) if spec else fallback


def _step(spec: FieldSpec) -> str:
    if spec.type == "integer":
        return "1"
    scale = 2 if spec.type in ("money", "percent") else (spec.scale if spec.scale is not None
                                                        else 2)
    return "1" if scale == 0 else "0." + "0" * (scale - 1) + "1"


def _number(value: Any) -> str:
    """A bound as HTML wants it: `0`, `12.5`, never `0.00` or `1E+2`."""
    try:
        return format(Decimal(str(value)).normalize(), "f")
    except ArithmeticError:
        return str(value)


def input_text(spec: FieldSpec, value: Any) -> str:
    """A stored value as the text an input shows."""
    if value is None:
        return ""
    if spec.type == "datetime" and isinstance(value, datetime):
        return value.strftime("%Y-%m-%dT%H:%M")
    if isinstance(value, date | datetime):
        return value.isoformat()
    if spec.type == "duration" and isinstance(value, int):
        for unit, seconds in (("w", 604800), ("d", 86400), ("h", 3600), ("m", 60)):
            if value and value % seconds == 0:
                return f"{value // seconds}{unit}"
        return str(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


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
    w = Widget(spec.name, label, help_text, "input", attrs, errors=list(errors or []),
               required=required)
    if spec.type == "boolean":
        w.kind = "checkbox"
        w.checked = (raw in ("on", "true", "1")) if raw is not None else bool(value)
        attrs["value"] = "true"
        return w
    if required:
        attrs["required"] = True
    if spec.type in ("choice", "tags", "reference", "user"):
        w.kind = "multiselect" if spec.type == "tags" else "select"
        if spec.type == "tags":
            attrs["multiple"] = True
            current = set(raw) if isinstance(raw, list) else {str(v) for v in value or []}
        else:
            current = {raw if isinstance(raw, str) else input_text(spec, value)}
        options = choices if spec.type in ("reference", "user") else [
            (o.value, text_in(o.label, language, o.value)) for o in spec.options]
        if spec.type != "tags":
            w.choices.append(Choice("", choose_text, "" in current))
        w.choices += [Choice(str(v), lbl, str(v) in current) for v, lbl in options or []]
        return w
    w.value = raw if isinstance(raw, str) else input_text(spec, value)
    if spec.type == "text":
        w.kind = "textarea"
        attrs["rows"] = "4"
    else:
        attrs["type"] = INPUT_TYPES.get(spec.type, "text")
    if spec.type in ("string", "text", "email", "phone", "url"):
        max_length = text_limit(spec)
        if max_length:
            attrs["maxlength"] = str(max_length)
        if spec.min_length:
            attrs["minlength"] = str(spec.min_length)
        if spec.pattern and spec.type != "text":
            attrs["pattern"] = spec.pattern
    if spec.type in NUMBER_TYPES:
        attrs["step"] = _step(spec)
        low, high = spec.min, spec.max
        if spec.type == "percent":
            low = 0 if low is None else low
            high = 100 if high is None else high
        if low is not None:
            attrs["min"] = _number(low)
        if high is not None:
            attrs["max"] = _number(high)
    if spec.type in ("date", "datetime"):
        for key in ("min", "max"):
            bound = getattr(spec, key)
            if isinstance(bound, date | datetime):
                attrs[key] = input_text(spec, bound)
            elif isinstance(bound, str) and re.match(r"^\d{4}-\d\d-\d\d", bound):
                attrs[key] = bound
    if spec.type == "duration":
        attrs["pattern"] = r"\s*\d+\s*[mhdw]?\s*"
        attrs["placeholder"] = "3d"
    if spec.type == "phone":
        attrs["autocomplete"] = "tel"
    if spec.type == "email":
        attrs["autocomplete"] = "email"
    return w


def form_value(spec: FieldSpec, raw: str | list[str] | None) -> Any:
    """A posted form value as input for the Store, which parses and validates it.

    A checkbox sends nothing when unticked; a multi-select sends a list; an empty text
    box means "no value".
    """
    if spec.type == "boolean":
        return raw in ("on", "true", "1")
    if spec.type == "tags":
        values = raw if isinstance(raw, list) else ([raw] if raw else [])
        return [v for v in values if v] or None
    if raw is None or (isinstance(raw, str) and raw.strip() == ""):
        return None
    return raw


def raw_of(spec: FieldSpec, form: Any) -> str | list[str] | None:
    """What the form sent for a field (a list for tags)."""
    if spec.type == "tags":
        return [str(v) for v in form.getlist(spec.name)]
    value = form.get(spec.name)
    return None if value is None else str(value)
