"""Labels in a language: what the project says, else one derived from the name.

The language builder already gives every entity, field, state and transition a label
(`loss_reason` → "Loss reason" when none is written); pages, the API and exports read
them here rather than deriving their own.
"""

from __future__ import annotations

from typing import Protocol

from guanxi.spec import EntitySpec, Text, text_in


class Labelled(Protocol):
    """Anything the project names and may label: an entity, field, state, transition."""

    @property
    def name(self) -> str: ...

    @property
    def label(self) -> Text: ...


def derived_label(name: str) -> str:
    """The label a name stands for when none is given: `loss_reason` → "Loss reason"."""
    words = name.replace("_", " ").strip()
    return words[:1].upper() + words[1:]


def label_of(thing: Labelled, language: str) -> str:
    """The label of `thing` in `language` (else English, else any given), else derived
    from its name."""
    return text_in(thing.label, language, derived_label(thing.name))


def plural_of(entity: EntitySpec, language: str) -> str:
    """The entity's plural label in `language`; its singular one when it has none."""
    return text_in(entity.plural or entity.label, language, derived_label(entity.name))
