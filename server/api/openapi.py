"""An OpenAPI 3.1 document generated from the project: one schema per entity from the
field-type registry, and exactly the endpoints `api.py` serves.

Served, the document describes what its caller may do (`Rights`, from the access
policies): only the entities and operations the caller's roles grant, in responses only
the fields they may read, in request bodies only the fields they may write. Without
rights (`document(spec)`) it describes the whole project, for tools run by its designers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from guanxi import __version__
from guanxi.fields.registry import SYSTEM_FIELDS, field_type, filter_schema, json_schema
from guanxi.fields.values import INT64_MAX
from guanxi.identity import User
from guanxi.spec import EntitySpec, FieldSpec, ProjectSpec, TransitionSpec, text_in
from guanxi.store.filters import RANGE_ENDS, ranged
from guanxi.workspace.notes import MAX_NOTE_LENGTH

ERROR = {"$ref": "#/components/schemas/Error"}


class Policy(Protocol):
    """What the document asks of an entity's compiled access policy."""

    def may(self, user: User, operation: str) -> bool: ...

    def transition_allowed(self, user: User, transition: TransitionSpec) -> bool: ...

    def visible_fields(self, user: User) -> frozenset[str]: ...

    def writable_fields(self, user: User, state: str | None,
                        operation: str = "update") -> frozenset[str]: ...


@dataclass(frozen=True, slots=True)
class Rights:
    """What one caller may do with one entity, as far as the document describes it."""

    read: bool
    create: bool
    update: bool
    delete: bool
    visible: frozenset[str]  # fields in responses and filters
    creatable: frozenset[str]  # fields a create body may give
    updatable: frozenset[str]  # fields an update (or transition) body may give
    transitions: frozenset[str]  # transitions the caller's roles may fire

    @property
    def any(self) -> bool:
        return self.read or self.create or self.update or self.delete


def rights_of(project: ProjectSpec, policies: Mapping[str, Policy],
              user: User) -> dict[str, Rights]:
    """The caller's rights on each entity, from the compiled access policies."""
    rights: dict[str, Rights] = {}
    for entity in project.entities:
        policy = policies[entity.name]
        workflow = project.workflow(entity.workflow) if entity.workflow else None
        initial = workflow.initial if workflow else None
        names = frozenset(t.name for t in workflow.transitions
                          if policy.transition_allowed(user, t)) if workflow else frozenset()
        rights[entity.name] = Rights(
            read=policy.may(user, "read"), create=policy.may(user, "create"),
            update=policy.may(user, "update"), delete=policy.may(user, "delete"),
            visible=policy.visible_fields(user),
            creatable=policy.writable_fields(user, initial, "create"),
            updatable=policy.writable_fields(user, None, "update"),
            transitions=names if policy.may(user, "update") else frozenset())
    return rights


def _everything(entity: EntitySpec, project: ProjectSpec) -> Rights:
    """All of an entity, for the document of the whole project."""
    workflow = project.workflow(entity.workflow) if entity.workflow else None
    names = [f.name for f in entity.fields]
    system = [n for n in SYSTEM_FIELDS if n != "state" or entity.workflow]
    return Rights(True, True, True, True, frozenset([*names, *system]),
                  frozenset([*names, "owner"]), frozenset([*names, "owner"]),
                  frozenset(t.name for t in workflow.transitions) if workflow else frozenset())


def field_schema(spec: FieldSpec, *, for_input: bool = False) -> dict[str, Any]:
    """The JSON Schema of one field's value (null allowed unless the field is required):
    the field-type registry's, the one generator."""
    return json_schema(spec, for_input=for_input)


def _system_schema(name: str, entity: EntitySpec, project: ProjectSpec) -> dict[str, Any]:
    kind = SYSTEM_FIELDS[name]
    if name == "state":
        workflow = project.workflow(entity.workflow or "")
        states = [s.name for s in workflow.states] if workflow else []
        return {"type": "string", "enum": states, "readOnly": True,
                "description": "workflow state; changed only by transitions"}
    shapes: dict[str, dict[str, Any]] = {
        "integer": {"type": "integer"}, "user": {"type": ["integer", "null"]},
        "datetime": {"type": "string", "format": "date-time"}}
    base = shapes[kind]
    if name == "deleted_at":
        base = {"type": ["string", "null"], "format": "date-time"}
    if name != "owner":
        base = {**base, "readOnly": True}
    return base


def entity_schemas(entity: EntitySpec, project: ProjectSpec,
                   rights: Rights | None = None) -> dict[str, dict[str, Any]]:
    """`<Entity>` (as read), `<Entity>Create` and `<Entity>Update` schemas, with only the
    fields `rights` lets the caller read (or give)."""
    rights = rights or _everything(entity, project)
    name = _schema_name(entity.name)
    props: dict[str, Any] = {}
    for system in ("id", "version", "created_at", "updated_at", "created_by", "owner"):
        props[system] = _system_schema(system, entity, project)
    if entity.workflow:
        props["state"] = _system_schema("state", entity, project)
    props["deleted_at"] = _system_schema("deleted_at", entity, project)
    for spec in entity.fields:
        props[spec.name] = field_schema(spec)
    props = {k: v for k, v in props.items() if k in rights.visible}
    workflow = project.workflow(entity.workflow) if entity.workflow else None
    if workflow is not None and any(t.approval for t in workflow.transitions):
        props["approval"] = {"type": "object", "description": "after firing a transition "
                             "that needs approval: the request opened (the record is "
                             "unchanged)", "properties": {
                                 "id": {"type": "integer"}, "state": {"type": "string"},
                                 "transition": {"type": "string"},
                                 "step": {"type": "integer"}}}
    if entity.sla:
        props["sla_due"] = {"type": ["string", "null"], "format": "date-time",
                            "description": "with sort=sla_due: the soonest due time of "
                                           "the record's SLA clocks"}
    read = {"type": "object", "title": text_in(entity.label, "en", entity.name),
            "description": "Fields hidden from the caller's roles are left out.",
            "properties": props, "required": [n for n in ("id", "version") if n in props]}
    inputs = {s.name: field_schema(s, for_input=True) for s in entity.fields if not s.derived}
    inputs["owner"] = {"type": ["integer", "null"], "minimum": 1, "maximum": INT64_MAX,
                       "description": "id of a user; null for none"}
    required = [s.name for s in entity.fields
                if s.required and s.default is None and not s.derived
                and s.name in rights.creatable]
    create = {"type": "object", "additionalProperties": False,
              "properties": {k: v for k, v in inputs.items() if k in rights.creatable}}
    if required:
        create["required"] = required
    update = {"type": "object", "additionalProperties": False,
              "properties": {**{k: v for k, v in inputs.items() if k in rights.updatable},
                             "version": {"type": "integer", "minimum": -INT64_MAX - 1,
                                         "maximum": INT64_MAX,
                                         "description": "alternative to If-Match"}}}
    return {name: read, f"{name}Create": create, f"{name}Update": update}


def _schema_name(entity: str) -> str:
    return "".join(part.capitalize() for part in entity.split("_"))


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"application/json": {"schema": schema}}


def _errors(*statuses: int) -> dict[str, Any]:
    text = {400: "malformed request", 401: "not signed in (send a Bearer token)",
            403: "not allowed", 404: "no such record, or not visible to you",
            409: "transition refused, or a likely duplicate", 412: "stale version (If-Match)",
            413: "the body is too large",
            422: "invalid values; `fields` says which"}
    return {str(s): {"description": text[s], "content": _json(ERROR)} for s in statuses}


ID_PARAM = {"name": "id", "in": "path", "required": True,
            "schema": {"type": "integer", "minimum": 1, "maximum": INT64_MAX}}
IF_MATCH = {"name": "If-Match", "in": "header", "required": False,
            "schema": {"type": "string", "pattern": r'^\s*(?:\*|(?:W/)?"[0-9]{1,18}")\s*$'},
            "description": 'the ETag of the record read, e.g. "3"; * for any version'}
ETAG_HEADER = {"ETag": {"schema": {"type": "string"}, "description": "the record's version"}}


def approval_paths() -> dict[str, Any]:
    """`GET /api/me/approvals` and `POST /api/me/approvals/{id}/decide`."""
    item = {"type": "object", "properties": {
        "id": {"type": "integer"}, "entity": {"type": "string"},
        "record_id": {"type": "integer"}, "transition": {"type": "string"},
        "transition_label": {"type": "string"}, "requester": {"type": "string"},
        "step": {"type": "integer"}, "state": {"type": "string"},
        "decision": {"type": ["string", "null"]}, "comment": {"type": ["string", "null"]},
        "asked_at": {"type": "string"}, "decided_at": {"type": ["string", "null"]}}}
    outcome = {"type": "object", "properties": {
        "id": {"type": "integer"}, "step": {"type": "integer"},
        "state": {"type": "string", "enum": ["pending", "approved", "rejected"]}}}
    return {
        "/api/me/approvals": {"get": {
            "operationId": "my_approvals", "tags": ["users"],
            "summary": "the approval requests the caller is asked to decide",
            "parameters": [{"name": "decided", "in": "query", "required": False,
                            "description": "true: also those the caller decided",
                            "schema": {"type": "string", "enum": ["true", "false"]}}],
            "responses": {"200": {"description": "the approvals", "content": _json({
                "type": "object", "properties": {"items": {"type": "array",
                                                           "items": item}}})},
                          **_errors(401)}}},
        "/api/me/approvals/{id}/decide": {"post": {
            "operationId": "decide_approval", "tags": ["users"],
            "summary": "approve or reject; the last approval fires the transition as its "
                       "requester, a rejection returns the record to on_reject",
            "parameters": [{"name": "id", "in": "path", "required": True,
                            "schema": {"type": "integer", "minimum": 1}}],
            "requestBody": {"required": True, "content": _json({
                "type": "object", "required": ["decision"], "properties": {
                    "decision": {"type": "string", "enum": ["approve", "reject"]},
                    "comment": {"type": "string", "maxLength": 2000}}})},
            "responses": {"200": {"description": "the request after the decision",
                                  "content": _json(outcome)},
                          **_errors(400, 401, 404, 409)}}},
    }


def _sort_pattern(entity: EntitySpec, visible: frozenset[str]) -> str:
    names = ["id", "version", "created_at", "updated_at", "created_by", "owner"]
    if entity.workflow:
        names.append("state")
    names += [f.name for f in entity.fields if field_type(f).sortable]
    names = [n for n in names if n in visible]
    if entity.sla:
        names.append("sla_due")  # the soonest due time of the record's SLA clocks
    key = "-?(?:" + "|".join(names) + ")"
    return rf"^\s*(?:{key}(?:\s*,\s*{key})*)?\s*$"


def entity_paths(entity: EntitySpec, project: ProjectSpec,
                 rights: Rights | None = None) -> dict[str, Any]:
    """The entity's endpoints, only the operations `rights` grants, filters and sort keys
    only on fields the caller may read."""
    rights = rights or _everything(entity, project)
    name = _schema_name(entity.name)
    label = text_in(entity.plural or entity.label, "en", entity.name)
    tag = [entity.name]
    filters = [{"name": f.name, "in": "query", "required": False,
                "schema": schema, "description": f"only records whose {f.name} "
                "equals this value"} for f in entity.fields
               if f.name in rights.visible and (schema := filter_schema(f)) is not None]
    for f in entity.fields:
        if f.name in rights.visible and ranged(f.type) and field_type(f).sortable:
            bound = {"type": "number"} if field_type(f).kind == "number" else {"type": "string"}
            filters += [{"name": f"{f.name}.{end}", "in": "query", "required": False,
                         "schema": bound, "description": f"only records whose {f.name} is "
                         f"{'at least' if end == 'from' else 'at most'} this value"}
                        for end in RANGE_ENDS]
    if entity.workflow and "state" in rights.visible:
        filters.append({"name": "state", "in": "query", "required": False,
                        "schema": _system_schema("state", entity, project)})
    list_params = [
        {"name": "where", "in": "query", "required": False, "schema": {"type": "string"},
         "description": 'a Guanxi expression, e.g. value > 1000 and source == "web"'},
        {"name": "q", "in": "query", "required": False, "schema": {"type": "string"},
         "description": "text search"},
        {"name": "sort", "in": "query", "required": False,
         "schema": {"type": "string", "pattern": _sort_pattern(entity, rights.visible)},
         "description": "comma-separated fields, '-' for descending; default -id"},
        {"name": "limit", "in": "query", "required": False,
         "schema": {"type": "integer", "minimum": 1, "maximum": 200, "default": 50}},
        {"name": "after", "in": "query", "required": False, "schema": {"type": "string"},
         "description": "the next_cursor of the previous page"},
        {"name": "total", "in": "query", "required": False,
         "schema": {"type": "boolean", "default": True}},
        *([{"name": "sla", "in": "query", "required": False,
            "schema": {"type": "string",
                       "enum": ["breached", "breaching_soon", "breaching", "running"]},
            "description": "only records with an SLA clock in this state"}]
          if entity.sla else []),
        *filters,
    ]
    page = {"type": "object", "required": ["items", "next_cursor"], "properties": {
        "items": {"type": "array", "items": _ref(name)},
        "next_cursor": {"type": ["string", "null"]},
        "total": {"type": ["integer", "null"]}}}
    record_200 = {"description": "the record", "headers": ETAG_HEADER,
                  "content": _json(_ref(name))}
    base = f"/api/{entity.name}"
    paths: dict[str, Any] = {
        base: {
            "get": {"tags": tag, "operationId": f"list_{entity.name}",
                    "summary": f"List {label}", "parameters": list_params,
                    "responses": {"200": {"description": "one page",
                                          "content": _json(page)}, **_errors(400, 401, 403)}},
            "post": {"tags": tag, "operationId": f"create_{entity.name}",
                     "summary": f"Create a {text_in(entity.label, 'en', entity.name)}",
                     "requestBody": {"required": True, "content": _json(_ref(f"{name}Create"))},
                     "responses": {"201": {**record_200, "description": "created"},
                                   **_errors(400, 401, 403, 422,
                                             *((409,) if entity.duplicates else ()))}},
        },
        f"{base}/export": {
            "get": {"tags": tag, "operationId": f"export_{entity.name}",
                    "summary": f"Export {label} as CSV or XLSX",
                    "description": "the list (where, q, filters, sort) as a file, with only "
                    "the fields the caller sees; sensitive fields are redacted unless the "
                    "caller is an administrator",
                    "parameters": [
                        {"name": "format", "in": "query", "required": False,
                         "schema": {"type": "string", "enum": ["csv", "xlsx"],
                                    "default": "csv"}},
                        {"name": "columns", "in": "query", "required": False,
                         "schema": {"type": "string"},
                         "description": "comma-separated fields (default: every field "
                         "the caller sees)"},
                        *(p for p in list_params
                          if p["name"] not in ("limit", "after", "total"))],
                    "responses": {"200": {"description": "the file", "content": {
                        "text/csv": {"schema": {"type": "string"}},
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet":
                            {"schema": {"type": "string", "format": "binary"}}}},
                        **_errors(400, 401, 403)}},
        },
        f"{base}/{{id}}": {
            "parameters": [ID_PARAM],
            "get": {"tags": tag, "operationId": f"get_{entity.name}",
                    "responses": {"200": record_200, "304": {"description": "not modified"},
                                  **_errors(401, 404)}},
            "patch": {"tags": tag, "operationId": f"update_{entity.name}",
                      "parameters": [IF_MATCH],
                      "requestBody": {"required": True,
                                      "content": _json(_ref(f"{name}Update"))},
                      "responses": {"200": record_200,
                                    **_errors(400, 401, 403, 404, 412, 422)}},
            "delete": {"tags": tag, "operationId": f"delete_{entity.name}",
                       "parameters": [IF_MATCH],
                       "responses": {"204": {"description": "deleted"},
                                     **_errors(400, 401, 403, 404, 412)}},
        },
        f"{base}/{{id}}/history": {
            "parameters": [ID_PARAM],
            "get": {"tags": tag, "operationId": f"history_{entity.name}",
                    "responses": {"200": {"description": "changes, oldest first",
                                          "content": _json(_ref("History"))},
                                  **_errors(401, 404)}},
        },
        f"{base}/{{id}}/merge": {
            "parameters": [ID_PARAM],
            "post": {"tags": tag, "operationId": f"merge_{entity.name}",
                     "summary": "Merge another record into this one",
                     "requestBody": {"required": True, "content": _json({
                         "type": "object", "required": ["other"], "properties": {
                             "other": {"type": "integer", "minimum": 1},
                             "take": {"type": "object", "additionalProperties": {
                                 "type": "string", "enum": ["survivor", "other"]}}}})},
                     "responses": {"200": record_200,
                                   **_errors(400, 401, 403, 404, 422)}},
        },
        f"{base}/{{id}}/duplicates": {
            "parameters": [ID_PARAM],
            "get": {"tags": tag, "operationId": f"duplicates_{entity.name}",
                    "summary": "Records this one likely duplicates",
                    "responses": {"200": {"description": "likely duplicates",
                                          "content": _json({"type": "object"})},
                                  **_errors(401, 404)}},
        },
        f"{base}/{{id}}/restore": {
            "parameters": [ID_PARAM],
            "post": {"tags": tag, "operationId": f"restore_{entity.name}",
                     "responses": {"200": record_200, **_errors(401, 403, 404)}},
        },
        **attachment_paths(entity, base, tag),
        **note_paths(entity, base, tag),
    }
    workflow = project.workflow(entity.workflow) if entity.workflow else None
    if workflow is not None:
        names = [t.name for t in workflow.transitions if t.name in rights.transitions]
        paths[f"{base}/{{id}}/transitions"] = {
            "parameters": [ID_PARAM],
            "get": {"tags": tag, "operationId": f"transitions_{entity.name}",
                    "summary": "Transitions the caller may fire now",
                    "responses": {"200": {"description": "available transitions",
                                          "content": _json(_ref("Transitions"))},
                                  **_errors(401, 404)}},
        }
        paths[f"{base}/{{id}}/transitions/{{name}}"] = {
            "parameters": [ID_PARAM, {"name": "name", "in": "path", "required": True,
                                      "schema": {"type": "string", "enum": names}}],
            "post": {"tags": tag, "operationId": f"fire_{entity.name}_transition",
                     "parameters": [IF_MATCH],
                     "requestBody": {"required": False,
                                     "content": _json(_ref(f"{name}Update"))},
                     "responses": {"200": record_200,
                                   **_errors(400, 401, 403, 404, 409, 412, 422)}},
        }
    return _granted(paths, entity.name, rights)


def attachment_paths(entity: EntitySpec, base: str, tag: list[str]) -> dict[str, Any]:
    """The endpoints of a record's attachments (`guanxi.server.api.attachments`)."""
    one = {"name": "attachment", "in": "path", "required": True,
           "schema": {"type": "integer", "minimum": 1, "maximum": INT64_MAX}}
    files = [f.name for f in entity.fields if f.type == "file"]
    field_schema: dict[str, Any] = {"type": "string", "enum": files} if files \
        else {"type": "string", "enum": [""]}
    return {
        f"{base}/{{id}}/attachments": {
            "parameters": [ID_PARAM],
            "get": {"tags": tag, "operationId": f"attachments_{entity.name}",
                    "summary": "The record's attachments the caller may see",
                    "responses": {"200": {"description": "the attachments", "content": _json(
                        {"type": "object", "properties": {"items": {
                            "type": "array", "items": _ref("Attachment")}}})},
                        **_errors(401, 404)}},
            "post": {"tags": tag, "operationId": f"attach_{entity.name}",
                     "summary": "Attach a file (the body is its bytes)",
                     "parameters": [
                         {"name": "name", "in": "query", "required": True,
                          "schema": {"type": "string", "minLength": 1, "maxLength": 255},
                          "description": "the file's name"},
                         {"name": "field", "in": "query", "required": False,
                          "schema": field_schema,
                          "description": "the file field the file is for"}],
                     "requestBody": {"required": True, "content": {
                         "application/octet-stream": {
                             "schema": {"type": "string", "format": "binary"}}}},
                     "responses": {"201": {"description": "attached", "content": _json(
                         _ref("Attachment"))}, **_errors(400, 401, 403, 404, 413, 422)}},
        },
        f"{base}/{{id}}/attachments/{{attachment}}": {
            "parameters": [ID_PARAM, one],
            "get": {"tags": tag, "operationId": f"attachment_{entity.name}",
                    "summary": "The file, as a download",
                    "responses": {"200": {"description": "the file's bytes", "content": {
                        "application/octet-stream": {
                            "schema": {"type": "string", "format": "binary"}}}},
                        **_errors(401, 404)}},
            "delete": {"tags": tag, "operationId": f"detach_{entity.name}",
                       "responses": {"204": {"description": "removed"},
                                     **_errors(401, 403, 404)}},
        },
    }


def note_paths(entity: EntitySpec, base: str, tag: list[str]) -> dict[str, Any]:
    """The endpoints of a record's notes (`guanxi.server.api.notes`)."""
    page = {"type": "object", "required": ["items", "next_cursor"], "properties": {
        "items": {"type": "array", "items": _ref("Note")},
        "next_cursor": {"type": ["string", "null"]},
        "total": {"type": ["integer", "null"]}}}
    return {f"{base}/{{id}}/notes": {
        "parameters": [ID_PARAM],
        "get": {"tags": tag, "operationId": f"notes_{entity.name}",
                "summary": "The record's notes, newest first",
                "parameters": [
                    {"name": "limit", "in": "query", "required": False,
                     "schema": {"type": "integer", "minimum": 1, "maximum": 200,
                                "default": 50}},
                    {"name": "after", "in": "query", "required": False,
                     "schema": {"type": "string"},
                     "description": "the next_cursor of the previous page"},
                    {"name": "total", "in": "query", "required": False,
                     "schema": {"type": "boolean", "default": True}}],
                "responses": {"200": {"description": "one page", "content": _json(page)},
                              **_errors(400, 401, 404)}},
        "post": {"tags": tag, "operationId": f"add_note_{entity.name}",
                 "summary": "Add a note; its @mentions notify those who may read the record",
                 "requestBody": {"required": True, "content": _json(_ref("NoteCreate"))},
                 "responses": {"201": {"description": "the note added",
                                       "content": _json(_ref("Note"))},
                               **_errors(400, 401, 404, 422)}},
    }}


def _granted(paths: dict[str, Any], entity: str, rights: Rights) -> dict[str, Any]:
    """`paths` with only the operations `rights` grants (by operationId), and without
    paths left with none."""
    needs = {f"list_{entity}": rights.read, f"get_{entity}": rights.read,
             f"export_{entity}": rights.read, f"duplicates_{entity}": rights.read,
             f"merge_{entity}": rights.update and rights.delete,
             f"history_{entity}": rights.read, f"transitions_{entity}": rights.read,
             f"create_{entity}": rights.create, f"update_{entity}": rights.update,
             f"delete_{entity}": rights.delete, f"restore_{entity}": rights.delete,
             f"fire_{entity}_transition": rights.update and bool(rights.transitions),
             f"attachments_{entity}": rights.read, f"attachment_{entity}": rights.read,
             f"attach_{entity}": rights.update, f"detach_{entity}": rights.update,
             f"notes_{entity}": rights.read, f"add_note_{entity}": rights.read}
    kept: dict[str, Any] = {}
    for path, item in paths.items():
        granted = {key: value for key, value in item.items()
                   if not isinstance(value, dict) or "operationId" not in value
                   or needs.get(value["operationId"], True)}
        if any(isinstance(v, dict) and "operationId" in v for v in granted.values()):
            kept[path] = granted
    return kept


def document(project: ProjectSpec,
             rights: Mapping[str, Rights] | None = None) -> dict[str, Any]:
    """The OpenAPI 3.1 document of a project's JSON API; with `rights` (`rights_of`),
    only what the caller may do and see."""
    schemas: dict[str, Any] = {
        "Error": {"type": "object", "required": ["error", "detail"], "properties": {
            "error": {"type": "string"}, "detail": {"type": "string"},
            "fields": {"type": "object",
                       "additionalProperties": {"type": "array", "items": {"type": "string"}}}}},
        "Me": {"type": "object", "required": ["id", "username", "roles"], "properties": {
            "id": {"type": "integer"}, "username": {"type": "string"},
            "name": {"type": ["string", "null"]},
            "roles": {"type": "array", "items": {"type": "string"}},
            "language": {"type": ["string", "null"]}}},
        "Notifications": {"type": "object", "required": ["items", "unread"], "properties": {
            "unread": {"type": "integer", "description": "how many are unread"},
            "items": {"type": "array", "items": {"type": "object", "properties": {
                "id": {"type": "integer"},
                "message": {"type": "string", "description": "in the caller's language"},
                "entity": {"type": ["string", "null"]},
                "record_id": {"type": ["integer", "null"]},
                "source": {"type": "string"}, "created_at": {"type": "string"},
                "read": {"type": "boolean"},
                "read_at": {"type": ["string", "null"]}}}}}},
        "Attachment": {"type": "object", "required": ["id", "name", "content_type", "size"],
                       "properties": {
                           "id": {"type": "integer"}, "entity": {"type": "string"},
                           "record_id": {"type": "integer"},
                           "field": {"type": ["string", "null"]}, "name": {"type": "string"},
                           "content_type": {"type": "string"}, "size": {"type": "integer"},
                           "sha256": {"type": "string"}, "created_at": {"type": "string"},
                           "erased": {"type": "boolean"}}},
        "Note": {"type": "object",
                 "required": ["id", "entity", "record_id", "author", "body", "created_at"],
                 "properties": {
                     "id": {"type": "integer"}, "entity": {"type": "string"},
                     "record_id": {"type": "integer"},
                     "user_id": {"type": "integer", "description": "who wrote it"},
                     "author": {"type": "string", "description": "her name"},
                     "body": {"type": "string"}, "created_at": {"type": "string"}}},
        "NoteCreate": {"type": "object", "required": ["body"], "additionalProperties": False,
                       "properties": {"body": {
                           "type": "string", "minLength": 1, "maxLength": MAX_NOTE_LENGTH,
                           "pattern": r"[^\s\x00]",
                           "description": "the note; @username notifies that user when "
                           "she may read the record"}}},
        "History": {"type": "object", "properties": {
            "items": {"type": "array", "items": {"type": "object"}}}},
        "Transitions": {"type": "object", "properties": {"items": {"type": "array", "items": {
            "type": "object", "properties": {
                "name": {"type": "string"}, "label": {"type": "string"},
                "to": {"type": "string"},
                "require": {"type": "array", "items": {"type": "string"}}}}}}},
    }
    paths: dict[str, Any] = {
        "/api/me": {"get": {"operationId": "me", "tags": ["users"],
                            "responses": {"200": {"description": "the caller",
                                                  "content": _json(_ref("Me"))},
                                          **_errors(401)}}},
        "/api/me/notifications": {"get": {
            "operationId": "my_notifications", "tags": ["users"],
            "summary": "the caller's notifications, newest first",
            "parameters": [{"name": "unread", "in": "query", "required": False,
                            "description": "true: only the unread ones",
                            "schema": {"type": "string", "enum": ["true", "false"]}}],
            "responses": {"200": {"description": "the notifications",
                                  "content": _json(_ref("Notifications"))},
                          **_errors(401)}}},
        **approval_paths(),
    }
    for entity in project.entities:
        granted = rights.get(entity.name) if rights is not None else None
        if rights is not None and (granted is None or not granted.any):
            continue
        schemas.update(entity_schemas(entity, project, granted))
        paths.update(entity_paths(entity, project, granted))
    return {
        "openapi": "3.1.0",
        "info": {"title": text_in(project.label, "en", project.name) + " API",
                 "version": __version__,
                 "description": "Generated by Guanxi from the project's YAML."},
        "servers": [{"url": "/"}],
        "security": [{"bearer": []}],
        "paths": paths,
        "components": {"schemas": schemas, "securitySchemes": {
            "bearer": {"type": "http", "scheme": "bearer",
                       "description": "an API token from /account/tokens"}}},
    }
