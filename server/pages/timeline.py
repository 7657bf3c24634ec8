"""A record's timeline on its page: notes, activities, e-mails, field changes and
transitions, newest first, filterable by kind (`?kind=note`), with a form to add a note.

The timeline is a registry of sources: each kind (`note`, `activity`, `mail`, `change`)
is a function `(ctx, entity, record_id) -> [Entry]` registered with `register`; another
part of the application adds its own kind the same way (e.g. attachments), with its
label in `server/i18n.py` as `timeline_<kind>`. Every source is asked only after the
page has read the record as the user, and reads through the Store (or checks the
record's readability itself), so nothing reaches the timeline that the user may not see.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from guanxi.errors import ValidationFailed
from guanxi.fields.registry import coerce, title_of
from guanxi.mail import conversation
from guanxi.server import records as rv
from guanxi.server.context import Ctx, handler
from guanxi.server.display import Cell
from guanxi.server.pages import attachments
from guanxi.spec import EntitySpec
from guanxi.workspace import notes, tasks
from starlette.responses import Response
from starlette.routing import Route

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
PER_SOURCE = 100


@dataclass(frozen=True, slots=True)
class Change:
    label: str
    old: Cell
    new: Cell


@dataclass(frozen=True, slots=True)
class Entry:
    """One line of a timeline: what happened (`what`), by whom, when, and its details."""

    kind: str
    at: dt.datetime | None
    what: str
    who: str = ""
    body: str = ""
    href: str = ""
    transition: bool = False
    done: bool = False
    changes: tuple[Change, ...] = field(default_factory=tuple)
    # The page of the record's fields as they stood after this change.
    version: str = ""


Source = Callable[[Ctx, EntitySpec, int], Sequence[Entry]]
SOURCES: dict[str, Source] = {}


def register(kind: str, source: Source) -> None:
    """Add (or replace) the timeline source of `kind`."""
    SOURCES[kind] = source


def _moment(value: Any) -> dt.datetime | None:
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC)
    return None


def when(ctx: Ctx, entity: EntitySpec, at: dt.datetime | None) -> str:
    """A moment as the record's page shows times."""
    return rv.show(ctx, entity, "updated_at", at).text if at else ""


# ------------------------------------------------------------ field changes (history)


def history_value(ctx: Ctx, entity: EntitySpec, name: str, value: Any) -> Cell:
    """A history value (stored as JSON) read back as the field's value, then shown."""
    spec = entity.field(name)
    if spec is not None and value is not None:
        with contextlib.suppress(ValueError, TypeError):
            value = coerce(spec, value)
    return rv.show(ctx, entity, name, value)


HISTORY_ACTIONS = {"create": "history_created", "update": "history_updated",
                   "delete": "history_deleted", "restore": "history_restored",
                   "import": "history_imported", "erase": "history_erased",
                   "merge": "history_merged"}


def approval_line(ctx: Ctx, item: dict[str, Any]) -> str:
    """A history entry of an approval: asked, approved or rejected, with the comment."""
    said = (item.get("changes") or {}).get("approval", {}).get("new") or {}
    event = str(said.get("event") or "")
    what = ctx.t("approval_" + event) if event else ctx.t("approval")
    line = f"{what}: {said.get('transition', '')}"
    comment = said.get("comment")
    return f"{line} — {comment}" if comment else line


def history_entries(ctx: Ctx, entity: EntitySpec, record_id: int) -> list[Entry]:
    """The record's history, newest first, with the changes the user may see."""
    entries = []
    seen = rv.visible(ctx, entity)
    labels = rv.state_labels(ctx, entity) or {}
    workflow = rv.workflow_of(ctx, entity)
    items: Sequence[dict[str, Any]] = ctx.store.history(rv.acting_user(ctx), entity.name,
                                                       record_id)
    for item in items:
        changes = []
        for name, change in (item.get("changes") or {}).items():
            if name not in seen or name in ("version", "updated_at"):
                continue
            changes.append(Change(rv.label_of(ctx, entity, name),
                                  history_value(ctx, entity, name, change.get("old")),
                                  history_value(ctx, entity, name, change.get("new"))))
        transition = item.get("transition")
        spec = workflow.transition(transition) if transition and workflow else None
        if spec is not None:
            what = f"{rv.transition_label(ctx, spec)} → {labels.get(spec.target, spec.target)}"
        elif transition:
            what = str(transition)
        else:
            action = str(item.get("action") or "update")
            what = ctx.t(HISTORY_ACTIONS[action]) if action in HISTORY_ACTIONS else action
        if item.get("action") == "approval":
            what = approval_line(ctx, item)
        who = item.get("user_id")
        entries.append(Entry(
            kind="change", at=_moment(item.get("at")), what=what,
            transition=bool(transition),
            who=rv.names(ctx).user_name(int(who)) if who is not None else ctx.t("system"),
            changes=tuple(changes),
            version=(f"/e/{entity.name}/{record_id}/version/{item['id']}"
                     if item.get("id") and changes else "")))
    return list(reversed(entries))


# ------------------------------------------------------------ notes, activities, e-mail


def note_entries(ctx: Ctx, entity: EntitySpec, record_id: int) -> list[Entry]:
    return [Entry(kind="note", at=n.created_at, what=ctx.t("note_by"), who=n.author,
                  body=n.body)
            for n in notes.notes_of(ctx.store, rv.acting_user(ctx), entity.name, record_id)]


def activity_entries(ctx: Ctx, entity: EntitySpec, record_id: int) -> list[Entry]:
    """The tasks and logged activities (calls, meetings, e-mails …) of task entities
    whose references point at the record, that the user may read."""
    user = rv.acting_user(ctx)
    entries = []
    for other in tasks.task_entities(ctx.spec):
        if not ctx.may(other.name, "read"):
            continue
        seen = rv.visible(ctx, other)
        title = title_of(other)
        for ref in other.fields:
            if ref.type != "reference" or ref.ref != entity.name or ref.name not in seen:
                continue
            page = ctx.store.list(user, other.name, filters={ref.name: record_id},
                                  limit=PER_SOURCE, with_total=False)
            for record in page.items:
                kind = other.field("kind")
                what = (rv.show(ctx, other, "kind", record.get("kind")).text
                        if kind is not None and "kind" in seen and record.get("kind")
                        else rv.entity_label(ctx, other))
                at = _moment(record.get(tasks.DUE)) or _moment(record.get("created_at"))
                owner = record.get("owner")
                entries.append(Entry(
                    kind="activity", at=at, what=what,
                    who=rv.names(ctx).user_name(int(owner)) if owner is not None else "",
                    body=str(record.get(title) or f"#{record['id']}") if title in seen
                    else f"#{record['id']}",
                    href=f"/e/{other.name}/{record['id']}",
                    done=bool(record.get(tasks.DONE))))
    return entries


def mail_entries(ctx: Ctx, entity: EntitySpec, record_id: int) -> list[Entry]:
    """The e-mails linked to the record (received and sent)."""
    return [Entry(kind="mail", at=_moment(m.created_at),
                  what=ctx.t("mail_in") if m.direction == "in" else ctx.t("mail_out"),
                  who=m.from_addr, body=m.subject)
            for m in conversation.timeline(ctx.store.engine, entity.name, record_id)]


def file_entries(ctx: Ctx, entity: EntitySpec, record_id: int) -> list[Entry]:
    """The files attached to the record that the user may see (each a download link)."""
    names = rv.names(ctx)
    return [Entry(kind="file", at=_moment(a.created_at), what=ctx.t("file_attached"),
                  who=names.user_name(a.user_id) if a.user_id is not None else "",
                  body=a.name, href=f"/e/{entity.name}/{record_id}/attachments/{a.id}")
            for a in attachments.record_files(ctx, entity.name, record_id) if not a.erased]


register("note", note_entries)
register("activity", activity_entries)
register("mail", mail_entries)
register("file", file_entries)
register("change", history_entries)


def section(ctx: Ctx, entity: EntitySpec, record_id: int) -> dict[str, Any]:
    """What the record's page shows of its timeline: the kinds to filter by, the chosen
    kind, and the entries of the chosen kind (or all), newest first."""
    chosen = ctx.request.query_params.get("kind", "")
    if chosen not in SOURCES:
        chosen = ""
    entries: list[Entry] = []
    for kind, source in SOURCES.items():
        if not chosen or kind == chosen:
            entries.extend(source(ctx, entity, record_id))
    entries.sort(key=lambda e: e.at or EPOCH, reverse=True)
    base = f"/e/{entity.name}/{record_id}"
    kinds = [{"kind": "", "label": ctx.t("timeline_all"), "href": base + "#timeline",
              "current": not chosen}]
    kinds += [{"kind": k, "label": ctx.t(f"timeline_{k}"),
               "href": f"{base}?{urlencode({'kind': k})}#timeline", "current": k == chosen}
              for k in SOURCES]
    return {"kinds": kinds, "kind": chosen,
            "entries": [{"entry": e, "at": when(ctx, entity, e.at)} for e in entries],
            "note_action": f"{base}/notes"}


@handler()
def add_note(ctx: Ctx, entity: str, id: int) -> Response:
    """POST a note on a record (CSRF-checked); back to the record's timeline."""
    ctx.entity(entity)
    assert ctx.form is not None
    try:
        notes.add(ctx.store, rv.acting_user(ctx), entity, id, str(ctx.form.get("body") or ""))
    except ValidationFailed as error:
        ctx.flash("; ".join(m for ms in error.errors.values() for m in ms))
    else:
        ctx.flash(ctx.t("note_added"))
    return ctx.redirect(f"/e/{entity}/{id}#timeline")


def routes() -> list[Route]:
    return [Route("/e/{entity}/{id:int}/notes", add_note, methods=["POST"])]
