"""A post to a public web form, turned into a record through the Store as the public actor.

The visitor's values are only those of the form's own fields; the form's fixed values
(`values:`) are set over them. When the form checks duplicates (`duplicates: notify`)
and the entity's `duplicates:` rules find the post already known (looked up as the
system actor, which needs the entity's read grant), no second record is made and the
known record's owner is notified. The visitor learns nothing of other records either
way: the answer is the same thanks.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from guanxi.automation import notifications
from guanxi.errors import ValidationFailed
from guanxi.selfservice.definitions import WebFormSpec
from guanxi.store.facade import Store
from guanxi.store.unit import transaction

REQUIRED = {"en": "Fill this in", "zh": "请填写此项"}
REPEAT = {"en": "A known customer wrote again through the web form",
          "zh": "已有客户再次通过网页表单联系"}


@dataclass(frozen=True, slots=True)
class Submitted:
    """What a post did: `created` a record, or the field errors to show, or that it
    matched a known record (`duplicate_of`). The new record's id is known only when the
    public actor may read what it created."""

    created: bool = False
    record_id: int | None = None
    errors: dict[str, list[str]] = field(default_factory=dict)
    duplicate_of: int | None = None


def form_values(form: WebFormSpec, posted: Mapping[str, Any]) -> dict[str, Any]:
    """The record's values: the posted values of the form's fields, then its fixed ones."""
    values = {name: posted[name] for name in form.fields if name in posted}
    values.update(form.fixed())
    return values


def submit(store: Store, form: WebFormSpec, posted: Mapping[str, Any],
           language: str = "en") -> Submitted:
    """Create the record a post to `form` asks for (see the module)."""
    values = form_values(form, posted)
    missing = {name: [REQUIRED.get(language, REQUIRED["en"])] for name in form.required
               if values.get(name) in (None, "", [], False)}
    if missing:
        return Submitted(errors=missing)

    public = replace(store.public, language=language)
    if form.duplicates == "notify":
        known = store.likely_duplicates(store.system, form.entity, values)
        if known:
            _tell_owner(store, form, known[0].record_id)
            return Submitted(duplicate_of=known[0].record_id)
    try:
        record = store.create(public, form.entity, values)
    except ValidationFailed as failed:
        return Submitted(errors=failed.errors)
    record_id = record.get("id")
    return Submitted(created=True, record_id=None if record_id is None else int(record_id))


def _tell_owner(store: Store, form: WebFormSpec, record_id: int) -> None:
    record = store.get(store.system, form.entity, record_id)
    owner = record.get("owner")
    if owner is None:
        return
    with transaction(store.engine, write=True) as conn:
        notifications.send(conn, [int(owner)], REPEAT, source=f"form:{form.name}",
                           now=store.clock(), entity=form.entity, record_id=record_id)
