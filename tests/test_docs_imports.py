"""Every `from guanxi… import …` and `guanxi.module` the documentation names exists:
the docs send readers only to modules and names that are there."""

from __future__ import annotations

import importlib
import importlib.util
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
DOCS = sorted([*REPO.glob("docs/*.md"), REPO / "README.md"])
IMPORT = re.compile(r"^\s*from (guanxi[\w.]*) import \(?([\w, ]+)", re.M)
MODULE = re.compile(r"`(guanxi(?:\.\w+)+)")
FILE_NAMES = ("guanxi.yaml", "guanxi.sqlite")


def _imports() -> list[tuple[str, str, str]]:
    found = []
    for doc in DOCS:
        text = doc.read_text(encoding="utf-8")
        for module, names in IMPORT.findall(text):
            for name in (n.strip() for n in names.split(",")):
                if name:
                    found.append((doc.name, module, name))
    return found


def _modules() -> list[tuple[str, str]]:
    found = []
    for doc in DOCS:
        for dotted in MODULE.findall(doc.read_text(encoding="utf-8")):
            if dotted not in FILE_NAMES:
                found.append((doc.name, dotted))
    return found


@pytest.mark.parametrize(("doc", "module", "name"), _imports())
def test_an_import_shown_in_the_docs_works(doc, module, name):
    # `from package import submodule` works whether or not the submodule was imported before.
    found = hasattr(importlib.import_module(module), name) or \
        importlib.util.find_spec(f"{module}.{name}") is not None
    assert found, f"{doc}: {module}.{name}"


@pytest.mark.parametrize(("doc", "dotted"), _modules())
def test_a_module_or_name_named_in_the_docs_exists(doc, dotted):
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            target: object = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        for attribute in parts[cut:]:
            assert hasattr(target, attribute), f"{doc}: `{dotted}`"
            target = getattr(target, attribute)
        return
    pytest.fail(f"{doc}: `{dotted}` names no module")


def _security_tests() -> list[tuple[str, str]]:
    """(file, test name) for every test docs/security.md names as proof of a control."""
    found = []
    for row in (REPO / "docs" / "security.md").read_text(encoding="utf-8").splitlines():
        current = None
        for path, name in re.findall(r"`(?:([\w/]+\.py))?(?:::([\w*\[\]]+))?`", row):
            current = path or current
            if current and name and name != "*":
                found.append((current, name.split("[")[0]))
    return found


@pytest.mark.parametrize(("path", "name"), _security_tests())
def test_every_test_named_in_the_security_doc_exists(path, name):
    source = (REPO / "tests" / path).read_text(encoding="utf-8")
    assert re.search(rf"^def {re.escape(name)}\(", source, re.M), f"tests/{path}::{name}"
