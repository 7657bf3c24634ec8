"""Values as people read them on pages: labels for options, names for users and
referenced records, numbers with their decimals, and links where a value is one."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import sqlalchemy as sa
from guanxi.accounts import users
from guanxi.errors import AccessDenied, NotFound
from guanxi.fields import markdown
from guanxi.fields.registry import SYSTEM_FIELDS, field_type, title_of
from guanxi.fields.values import api_json
from guanxi.identity import User
from guanxi.spec import EntitySpec, FieldSpec, Loc, ProjectSpec

# What `t` is: the catalogue text of a key, in the request's language.
Translate = Callable[[str], str]


@dataclass(frozen=True)
class Cell:
    """A displayed value: its text and, when it points somewhere, a link."""

    text: str
    href: str = ""
    empty: bool = False
    multiline: bool = False
    # A number (aligned to the right in tables).
    numeric: bool = False
    # Sanitized HTML to show instead of the text (a `markdown` field, rendered).
    html: str = ""


def title_field(entity: EntitySpec) -> str:
    """The field naming a record: `title:`, else the first string-like field, else id."""
    return title_of(entity)


def field_spec(entity: EntitySpec, name: str) -> FieldSpec:
    """The declared field, or a stand-in for a system field."""
    declared = entity.field(name)
    if declared is not None:
        return declared
    kind = SYSTEM_FIELDS.get(name, "string")
    return FieldSpec(name=name, type=kind, loc=Loc("<system>", 0, 0))


class Listing(Protocol):
    """A page of records (the Store's `Page`)."""

    @property
    def items(self) -> Sequence[Mapping[str, Any]]: ...


class RecordSource(Protocol):
    """What `Names` reads record titles with: the Store."""

    def get(self, user: User, entity: str, record_id: Any) -> Mapping[str, Any]: ...

    def list(self, user: User, entity: str, *, where: str | None = None, limit: int = 50,
             with_total: bool = True) -> Listing: ...


class Names:
    """Looks up (and remembers, for one request) user names and record titles."""

    def __init__(self, spec: ProjectSpec, store: RecordSource, engine: sa.Engine, user: User,
                 language: str) -> None:
        self.spec, self.store, self.engine = spec, store, engine
        self.user, self.language = user, language
        self._users: dict[int, str] = {}
        self._titles: dict[tuple[str, int], str | None] = {}

    def user_name(self, user_id: int) -> str:
        if user_id == 0:
            return "Guanxi"
        if user_id not in self._users:
            found = users.get_user(self.engine, user_id)
            self._users[user_id] = found.name if found else f"#{user_id}"
        return self._users[user_id]

    def user_choices(self) -> list[tuple[str, str]]:
        """(id, name) of the users one may pick in a `user` field."""
        return [(str(u.id), u.name) for u in users.list_users(self.engine)]

    def preload(self, entity: str, ids: set[int]) -> None:
        """Fetch the titles of many records of one entity in one query."""
        missing = sorted(i for i in ids if (entity, i) not in self._titles)
        if not missing:
            return
        target = self.spec.entity(entity)
        if target is None:
            return
        tfield = title_field(target)
        try:
            page = self.store.list(self.user, entity, where=f"id in {missing}",
                                   limit=len(missing), with_total=False)
        except Exception:  # fall back to one lookup per record below
            return
        for item in page.items:
            self._titles[(entity, int(item["id"]))] = _plain(item.get(tfield), item["id"])
        for record_id in missing:
            self._titles.setdefault((entity, record_id), None)

    def title(self, entity: str, record_id: int) -> str | None:
        """The title of a record the user may see; None when they may not."""
        key = (entity, record_id)
        if key not in self._titles:
            target = self.spec.entity(entity)
            try:
                record = self.store.get(self.user, entity, record_id)
            except (NotFound, AccessDenied):
                self._titles[key] = None
            else:
                tfield = title_field(target) if target else "id"
                self._titles[key] = _plain(record.get(tfield), record_id)
        return self._titles[key]


def _plain(value: Any, record_id: Any) -> str:
    return str(value) if value not in (None, "") else f"#{record_id}"


def cell(spec: FieldSpec, value: Any, names: Names, t: Translate, language: str,
         workflow_labels: dict[str, str] | None = None) -> Cell:
    """How one value of one field reads on a page: the field type's display, names for
    users and referenced records, and links where a value is one."""
    if value is None or value == "" or value == []:
        return Cell(t("empty"), empty=True)
    if spec.name == "state" and workflow_labels is not None:
        return Cell(workflow_labels.get(str(value), str(value)))
    if spec.type == "user":
        return Cell(names.user_name(int(value)))
    if spec.type == "reference" and spec.ref:
        title = names.title(spec.ref, int(value))
        if title is None:
            return Cell(f"#{value}")
        return Cell(title, href=f"/e/{spec.ref}/{int(value)}")
    kind = field_type(spec)
    if spec.type == "markdown":
        return Cell(str(value), html=markdown.to_html(str(value)))
    text = kind.display(spec, value, language)
    if spec.currency:
        text = f"{text} {spec.currency}"
    return Cell(text, href=kind.link(spec, value), multiline=kind.control == "textarea",
                numeric=kind.kind == "number" and spec.name not in ("id", "version"))


def json_value(value: Any) -> Any:
    """A stored value as JSON: dates in ISO 8601, decimals as numbers."""
    return api_json(value)
