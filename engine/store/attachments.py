"""Attachments of a record (`gx_attachment`), read and written within a unit of work:
who may list, read, add and remove them follows the record's own rules, and every
change leaves history and a change event in the same transaction.

- list and read: the user may read the record, and the `file` field holding the
  attachment, if any (a hidden field hides its file);
- add and remove: the user may update the record (and write the `file` field named);
  setting or clearing a `file` field is an update of the record, through the same
  stages as `Store.update`.

The bytes are not here: the facade puts them in the storage before the row is written
and deletes them once the row's removal is committed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from guanxi.attachments.sniffing import sniff
from guanxi.attachments.tables import ATTACHMENTS
from guanxi.compile.app import CompiledEntity
from guanxi.errors import AccessDenied, NotFound, ValidationFailed
from guanxi.messages import render
from guanxi.store import changing, outbox, rows, stages
from guanxi.store.batch import Row
from guanxi.store.records import Loaded, changes_of, user_id_of
from guanxi.store.unit import Unit

FILE_TYPE = "file"
ERASED_NAME = "[erased]"
_NAME_LIMIT = 200


@dataclass(frozen=True, slots=True)
class Attachment:
    """One attachment as its readers see it (`key` locates its bytes in the storage)."""

    id: int
    entity: str
    record_id: int
    field: str | None
    name: str
    content_type: str
    size: int
    sha256: str
    created_at: dt.datetime
    user_id: int | None
    contact_id: int | None
    erased: bool
    key: str

    def as_json(self) -> dict[str, Any]:
        """What the API tells of it."""
        return {"id": self.id, "entity": self.entity, "record_id": self.record_id,
                "field": self.field, "name": self.name, "content_type": self.content_type,
                "size": self.size, "sha256": self.sha256,
                "created_at": self.created_at.isoformat(), "erased": self.erased}


@dataclass(frozen=True, slots=True)
class Upload:
    """A file sent to be attached: its name as sent and its bytes."""

    name: str
    content: bytes


def clean_name(name: str) -> str:
    """A file name fit to keep and show: the last part of a path, without control
    characters, quotes or separators, at most 200 characters ("file" when nothing is
    left)."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    kept = "".join(c for c in base if c.isprintable() and c not in '"<>:|?*;')
    kept = kept.strip(" .")[:_NAME_LIMIT].strip(" .")
    return kept or "file"


def _of(row: Mapping[str, Any]) -> Attachment:
    return Attachment(
        id=int(row["id"]), entity=str(row["entity"]), record_id=int(row["record_id"]),
        field=row["field"], name=str(row["name"]), content_type=str(row["content_type"]),
        size=int(row["size"]), sha256=str(row["sha256"]), created_at=row["created_at"],
        user_id=row["user_id"], contact_id=row["contact_id"],
        erased=row["erased_at"] is not None, key=str(row["key"]))


def _visible(unit: Unit, compiled: CompiledEntity, attachment: Attachment) -> bool:
    return attachment.field is None or attachment.field in rows.visible(compiled, unit.user)


def file_fields(compiled: CompiledEntity) -> tuple[str, ...]:
    """The entity's `file` fields."""
    return tuple(f.name for f in compiled.spec.fields if f.type == FILE_TYPE)


def checked(unit: Unit, upload: Upload, field: str | None = None) -> tuple[str, str]:
    """The clean name and the sniffed content type of `upload`; ValidationFailed (on
    `field`, or "file") when it is empty, too large or of a type not allowed."""
    limits = unit.app.spec.attachments
    language = unit.language
    where = field or "file"
    size = len(upload.content)
    if size == 0:
        raise ValidationFailed({where: [render("attachment_empty", {}, language)]})
    if size > limits.max_size:
        raise ValidationFailed({where: [render("attachment_too_large", {
            "size": size, "max": limits.max_size}, language)]})
    name = clean_name(upload.name)
    kind = sniff(upload.content, name)
    if kind not in limits.types:
        raise ValidationFailed({where: [render("attachment_type_refused", {
            "type": kind, "allowed": list(limits.types)}, language)]})
    return name, kind


def _set_field(unit: Unit, compiled: CompiledEntity, loaded: Loaded, field: str,
               value: int | None) -> dict[str, list[Any]]:
    """Set the `file` field of the loaded record through the update stages, as
    `Store.update` does; its diff."""
    user = unit.user
    old = loaded.record
    writable = compiled.policy.writable_fields(user, old.get("state"))
    batch = [Row(1, {field: value}, record_id=old["id"])]
    batch = stages.names(unit, compiled, batch, writable, {})
    batch = stages.coercion(unit, compiled, batch)
    batch = stages.merged(unit, compiled, batch, {old["id"]: old})
    [row] = stages.checks(unit, compiled, batch, creating=False)
    stages.raise_for(row)
    names = changing.shown(compiled)
    record = dict(row.record)
    diff = changes_of(old, record, names)
    if diff:
        values = {n: record[n] for n in names if record.get(n) != old.get(n)}
        values.update(version=old["version"] + 1, updated_at=unit.now)
        changing.persist(unit, compiled, [(loaded, values)],
                         compiled.policy.rule(user, unit.ctx, "update"))
    return diff


def _writable(unit: Unit, compiled: CompiledEntity, record_id: Any) -> Loaded:
    loaded = rows.load_row(unit, compiled, record_id, lock=True)
    if not loaded.may_update:
        raise AccessDenied(render("may_not_change", {"entity": compiled.name},
                                  unit.language), code="may_not_change")
    return loaded


def add(unit: Unit, compiled: CompiledEntity, record_id: Any, upload: Upload, key: str,
        field: str | None = None) -> Attachment:
    """Attach `upload` (its bytes already stored under `key`) to the record, in `field`
    (a `file` field) when given; history and an `attached` event record it."""
    language = unit.language
    loaded = _writable(unit, compiled, record_id)
    if field is not None and field not in file_fields(compiled):
        raise ValidationFailed({field: [render("attachment_not_file_field", {
            "name": field, "entity": compiled.name, "allowed": list(file_fields(compiled))},
            language)]})
    name, kind = checked(unit, upload, field)
    values = {
        "entity": compiled.name, "record_id": loaded.record["id"], "field": field,
        "name": name, "content_type": kind, "size": len(upload.content),
        "sha256": hashlib.sha256(upload.content).hexdigest(), "key": key,
        "user_id": user_id_of(unit.user), "contact_id": unit.user.contact_id,
        "created_at": unit.now,
    }
    new_id = unit.conn.execute(ATTACHMENTS.insert().values(**values)
                               .returning(ATTACHMENTS.c.id)).scalar_one()
    diff = _set_field(unit, compiled, loaded, field, int(new_id)) if field else {}
    outbox.record(unit, compiled, [outbox.Change(
        compiled.name, loaded.record["id"], "attach",
        {**diff, "attachment": [None, name]})])
    return _of({**values, "id": new_id, "erased_at": None})


def _rows(unit: Unit, compiled: CompiledEntity, record_id: int) -> list[Attachment]:
    found = unit.conn.execute(sa.select(ATTACHMENTS).where(
        ATTACHMENTS.c.entity == compiled.name, ATTACHMENTS.c.record_id == record_id,
        ATTACHMENTS.c.deleted_at.is_(None)).order_by(ATTACHMENTS.c.id)).mappings().all()
    return [_of(dict(row)) for row in found]


def listed(unit: Unit, compiled: CompiledEntity, record_id: Any) -> list[Attachment]:
    """The record's attachments the user may see, oldest first (NotFound when she may
    not read the record)."""
    loaded = rows.load_row(unit, compiled, record_id, rights=False)
    return [a for a in _rows(unit, compiled, loaded.record["id"])
            if _visible(unit, compiled, a)]


def one(unit: Unit, compiled: CompiledEntity, record_id: Any, attachment_id: int
        ) -> Attachment:
    """One attachment of the record, if the user may see it; NotFound otherwise (the
    record's and the attachment's absence are not told apart)."""
    try:
        loaded = rows.load_row(unit, compiled, record_id, rights=False)
    except NotFound:
        raise NotFound("attachment", attachment_id, unit.language) from None
    for attachment in _rows(unit, compiled, loaded.record["id"]):
        if attachment.id == attachment_id and _visible(unit, compiled, attachment):
            return attachment
    raise NotFound("attachment", attachment_id, unit.language)


def remove(unit: Unit, compiled: CompiledEntity, record_id: Any, attachment_id: int) -> str:
    """Remove an attachment of the record (clearing the `file` field holding it);
    history and a `detached` event record it. The key of its bytes, to delete once
    committed."""
    loaded = _writable(unit, compiled, record_id)
    attachment = one(unit, compiled, record_id, attachment_id)
    unit.conn.execute(ATTACHMENTS.update().where(ATTACHMENTS.c.id == attachment.id)
                      .values(deleted_at=unit.now))
    diff: dict[str, list[Any]] = {}
    if attachment.field and loaded.record.get(attachment.field) == attachment.id:
        diff = _set_field(unit, compiled, loaded, attachment.field, None)
    outbox.record(unit, compiled, [outbox.Change(
        compiled.name, loaded.record["id"], "detach",
        {**diff, "attachment": [attachment.name, None]})])
    return attachment.key


def erase(unit: Unit, compiled: CompiledEntity, record_id: int) -> list[str]:
    """On erasure of the record: the attachments held by its sensitive `file` fields,
    and those held by no field when the entity has any sensitive field, lose their
    content and name. The keys of their bytes, to delete once committed."""
    sensitive = {f.name for f in compiled.spec.fields if f.sensitive}
    if not sensitive:
        return []
    keys = []
    for attachment in _rows(unit, compiled, record_id):
        if attachment.erased or (attachment.field is not None
                                 and attachment.field not in sensitive):
            continue
        unit.conn.execute(ATTACHMENTS.update().where(ATTACHMENTS.c.id == attachment.id)
                          .values(erased_at=unit.now, name=ERASED_NAME, sha256=""))
        keys.append(attachment.key)
    return keys
