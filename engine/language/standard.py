"""The standard workflows shipped with Guanxi (package data `guanxi.workflows`)."""

from __future__ import annotations

import functools
from importlib.resources import files
from pathlib import Path

from guanxi.language.yamlload import LocDict, YamlDocument, load_file


@functools.lru_cache(maxsize=1)
def standard_documents() -> tuple[YamlDocument, ...]:
    folder = files("guanxi.workflows")
    docs = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".yaml"):
            docs.append(load_file(Path(str(entry)), str(entry)))
    return tuple(docs)


def standard_workflows() -> dict[str, LocDict]:
    """The workflows shipped with Guanxi, by name."""
    found: dict[str, LocDict] = {}
    for doc in standard_documents():
        if isinstance(doc.data, LocDict):
            for name, value in doc.data.items():
                if isinstance(value, LocDict):
                    found.setdefault(name, value)
    return found


def standard_files() -> frozenset[str]:
    """The file names (as used in locations) of the standard workflows."""
    return frozenset(doc.file for doc in standard_documents())


def standard_file(name: str) -> YamlDocument | None:
    for doc in standard_documents():
        if isinstance(doc.data, LocDict) and name in doc.data:
            return doc
    return None
