"""Jinja2 templates: built-in forms, overridable per project.

A page named `list` for entity `lead` is looked up as
`<project>/templates/lead/list.html`, then `<project>/templates/list.html`, then the
built-in `guanxi/forms/templates/list.html`. A project template can extend the built-in
one it replaces as `builtin/list.html`. Autoescaping is always on.
"""

from __future__ import annotations

import datetime as dt
from importlib.resources import files
from pathlib import Path
from typing import Any

import jinja2

BUILTIN = Path(str(files("guanxi.forms") / "templates"))
STATIC = Path(str(files("guanxi.forms") / "static"))


def environment(project_root: str | Path | None) -> jinja2.Environment:
    """The template environment of one project (its `templates/` folder first)."""
    loaders: list[jinja2.BaseLoader] = []
    if project_root is not None:
        overrides = Path(project_root) / "templates"
        if overrides.is_dir():
            loaders.append(jinja2.FileSystemLoader(str(overrides)))
    loaders.append(jinja2.FileSystemLoader(str(BUILTIN)))
    loaders.append(jinja2.PrefixLoader({"builtin": jinja2.FileSystemLoader(str(BUILTIN))}))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["moment"] = moment
    return env


def moment(value: Any) -> str:
    """A point in time as pages show it: to the minute, with its zone (`2026-12-01 09:30
    UTC`), the way datetime fields read."""
    if not isinstance(value, dt.datetime):
        return "" if value is None else str(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return str(value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"))


def page_template(env: jinja2.Environment, page: str,
                  entity: str | None = None) -> jinja2.Template:
    """The template for `page`, preferring the entity's own override."""
    names = [f"{entity}/{page}.html"] if entity else []
    names.append(f"{page}.html")
    return env.select_template(names)
