"""Create and edit forms, and transitions that ask for fields.

Posted input that the Store refuses is shown again, as typed, with the messages next to
the fields. A stale `version` is never overwritten: the form shows the current values,
the user's own input beside them, and a clear message.
"""

from __future__ import annotations

from typing import Any

from guanxi.errors import AccessDenied, TransitionRefused, ValidationFailed, VersionConflict
from guanxi.fields.registry import coerce
from guanxi.server import records as rv
from guanxi.server.context import Ctx, handler
from guanxi.server.display import field_spec as _field_spec
from guanxi.server.pages import picker
from guanxi.server.pages.widgets import Widget, build_widget, form_value, raw_of
from guanxi.spec import EntitySpec, FieldSpec, TransitionSpec
from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.routing import Route


def _choices(ctx: Ctx, spec: FieldSpec) -> list[tuple[str, str]] | None:
    """Options of a reference or user select: records (users) the user may pick; None
    for a reference to more records than a select holds (a picker, see `picker`)."""
    if spec.type == "user":
        return rv.names(ctx).user_choices()
    if spec.type == "reference" and spec.ref:
        return picker.choices(ctx, spec)
    return None


def widgets(ctx: Ctx, entity: EntitySpec, names: list[str], values: dict[str, Any], *,
            errors: dict[str, list[str]] | None = None, raw: dict[str, Any] | None = None,
            required_extra: tuple[str, ...] = ()) -> list[Widget]:
    out = []
    for name in names:
        spec = _field_spec(entity, name)
        options = _choices(ctx, spec)
        w = build_widget(
            spec, values.get(name), language=ctx.language,
            required=spec.required or name in required_extra,
            errors=(errors or {}).get(name), raw=(raw or {}).get(name),
            choices=options, choose_text=ctx.t("choose"))
        if options is None and spec.type == "reference":
            w = picker.as_picker(ctx, w, spec, values.get(name))
        if name == "owner":
            w.label = ctx.t("owner")
        out.append(w)
    return out


def transition_widgets(ctx: Ctx, entity: EntitySpec, record: dict[str, Any],
                       asks: list[str]) -> list[Widget]:
    return widgets(ctx, entity, asks, record, required_extra=tuple(asks))


def _form_fields(ctx: Ctx, entity: EntitySpec, state: str | None,
                 operation: str) -> list[str]:
    """Fields the form offers, in declared order, `owner` last."""
    assert ctx.user is not None
    writable = ctx.policy(entity.name).writable_fields(ctx.user, state, operation=operation)
    names = [f.name for f in entity.fields if f.name in writable]
    if "owner" in writable and entity.field("owner") is None:
        names.append("owner")
    return names


def _posted(ctx: Ctx, entity: EntitySpec, names: list[str]) -> tuple[dict[str, Any],
                                                                      dict[str, Any]]:
    """(values for the Store, raw input to show again) of the posted fields."""
    assert ctx.form is not None
    values: dict[str, Any] = {}
    raw: dict[str, Any] = {}
    for name in names:
        spec = _field_spec(entity, name)
        if name not in ctx.form:  # not on the form that was posted: left as it is
            continue
        typed = raw_of(spec, ctx.form)
        raw[name] = typed if typed is not None else ("" if spec.type != "boolean" else None)
        values[name] = form_value(spec, typed)
    return values, raw


def _differs(spec: FieldSpec, given: Any, stored: Any) -> bool:
    """Whether a posted value changes the stored one (unreadable input counts as a change,
    so the Store reports it)."""
    try:
        return bool(coerce(spec, given) != stored)
    except (ValueError, TypeError):
        return True


def _initial_state(ctx: Ctx, entity: EntitySpec) -> str | None:
    workflow = rv.workflow_of(ctx, entity)
    return workflow.initial if workflow else None


def later_fields(ctx: Ctx, entity: EntitySpec) -> frozenset[str]:
    """Fields the workflow fills or asks for later, left off the create form: those a
    transition sets (`converted_on`) and those a transition into a final state asks for
    (`loss_reason`) — unless the field is required from the start."""
    workflow = rv.workflow_of(ctx, entity)
    if workflow is None:
        return frozenset()
    initial = workflow.state(workflow.initial)
    needed_now = set(initial.require if initial else ())
    needed_now |= {f.name for f in entity.fields if f.required}
    finals = {s.name for s in workflow.states if s.final}
    later: set[str] = set()
    for transition in workflow.transitions:
        later |= {name for name, _ in transition.set}
        if transition.target in finals:
            target = workflow.state(transition.target)
            later |= set(transition.require) | set(target.require if target else ())
    return frozenset(later - needed_now)


def _readonly_rows(ctx: Ctx, entity: EntitySpec, record: dict[str, Any],
                   editable: list[str]) -> list[dict[str, Any]]:
    shown = [n for n in rv.detail_fields(ctx, entity)
             if n not in editable and entity.field(n) is not None]
    return [{"label": rv.label_of(ctx, entity, n), "cell": rv.show(ctx, entity, n, record.get(n))}
            for n in shown]


def _render_form(ctx: Ctx, entity: EntitySpec, *, record: dict[str, Any] | None,
                 widgets_: list[Widget], status: int = 200, errors: list[str] | None = None,
                 conflict: dict[str, str] | None = None,
                 readonly: list[dict[str, Any]] | None = None,
                 duplicates: list[dict[str, Any]] | None = None) -> Response:
    if record is not None:
        action = f"/e/{entity.name}/{record['id']}/edit"
        title = rv.record_title(ctx, entity, record)
        cancel = f"/e/{entity.name}/{record['id']}"
    else:
        action = f"/e/{entity.name}/new"
        title = ctx.t("new", label=rv.entity_label(ctx, entity))
        cancel = f"/e/{entity.name}"
    return ctx.render(
        "form", entity.name, status=status,
        entity=entity, record=record, title=title, action=action, widgets=widgets_,
        record_errors=errors or [], conflict=conflict or {}, readonly=readonly or [],
        version=record.get("version") if record else None,
        singular=rv.entity_label(ctx, entity), plural=rv.entity_label(ctx, entity, plural=True),
        cancel=cancel, duplicates=duplicates or [],
    )


@handler()
def new_form(ctx: Ctx, entity: str) -> Response:
    spec = ctx.entity(entity)
    if not ctx.may(entity, "create"):
        raise HTTPException(403)
    later = later_fields(ctx, spec)
    names = [n for n in _form_fields(ctx, spec, _initial_state(ctx, spec), "create")
             if n not in later]
    if ctx.request.method == "GET":
        values = {f.name: f.default for f in spec.fields if f.default is not None
                  and f.default not in ("current_user", "today", "now")}
        # Pre-fill from the query (e.g. "new contact" from an account's page).
        prefill = {k: v for k, v in ctx.request.query_params.items() if k in names}
        if "owner" in names and ctx.user is not None:
            values["owner"] = ctx.user.id
        return _render_form(ctx, spec, record=None,
                            widgets_=widgets(ctx, spec, names, values, raw=prefill))
    values, raw = _posted(ctx, spec, names)
    values = {k: v for k, v in values.items() if v is not None}
    assert ctx.form is not None
    if spec.duplicates and ctx.form.get("duplicates") != "allow":
        likely = ctx.store.likely_duplicates(rv.acting_user(ctx), entity, values)
        if likely:
            return _render_form(ctx, spec, record=None, status=409,
                                widgets_=widgets(ctx, spec, names, {}, raw=raw),
                                duplicates=[{"title": f.title,
                                             "url": f"/e/{entity}/{f.record_id}"}
                                            for f in likely])
    try:
        created = ctx.store.create(rv.acting_user(ctx), entity, values)
    except ValidationFailed as failed:
        return _render_form(ctx, spec, record=None, status=422,
                            widgets_=widgets(ctx, spec, names, {}, errors=failed.errors, raw=raw),
                            errors=[ctx.t("fix_errors"), *failed.errors.get("", [])])
    except AccessDenied as denied:
        return _render_form(ctx, spec, record=None, status=403,
                            widgets_=widgets(ctx, spec, names, {}, raw=raw),
                            errors=[ctx.t("forbidden"), str(denied)])
    ctx.flash(ctx.t("created"))
    return ctx.redirect(f"/e/{entity}/{created['id']}")


@handler()
def edit_form(ctx: Ctx, entity: str, id: int) -> Response:
    spec = ctx.entity(entity)
    user = rv.acting_user(ctx)
    record = ctx.store.get(user, entity, id)
    if not ctx.may(entity, "update"):
        raise HTTPException(403)
    names = _form_fields(ctx, spec, record.get("state"), "update")
    readonly = _readonly_rows(ctx, spec, record, names)
    if ctx.request.method == "GET":
        return _render_form(ctx, spec, record=record, readonly=readonly,
                            widgets_=widgets(ctx, spec, names, record))
    assert ctx.form is not None
    values, raw = _posted(ctx, spec, names)
    version = ctx.form_int("version")
    if version is None:
        raise HTTPException(400, "the form lacks the record's version")
    changes = {n: v for n, v in values.items() if _differs(_field_spec(spec, n), v, record.get(n))}
    try:
        ctx.store.update(user, entity, id, changes, expected_version=version)
    except VersionConflict:
        current = ctx.store.get(user, entity, id)
        yours = {}
        for name in names:
            text = raw.get(name)
            shown = ", ".join(text) if isinstance(text, list) else (text or "")
            if rv.show(ctx, spec, name, current.get(name)).text != shown:
                yours[name] = shown
        return _render_form(ctx, spec, record=current, status=409, readonly=readonly,
                            widgets_=widgets(ctx, spec, names, current),
                            errors=[ctx.t("version_conflict")], conflict=yours)
    except ValidationFailed as failed:
        return _render_form(ctx, spec, record=record, status=422, readonly=readonly,
                            widgets_=widgets(ctx, spec, names, record, errors=failed.errors,
                                             raw=raw),
                            errors=[ctx.t("fix_errors"), *failed.errors.get("", [])])
    except AccessDenied as denied:
        return _render_form(ctx, spec, record=record, status=403, readonly=readonly,
                            widgets_=widgets(ctx, spec, names, record, raw=raw),
                            errors=[ctx.t("forbidden"), str(denied)])
    ctx.flash(ctx.t("saved"))
    return ctx.redirect(f"/e/{entity}/{id}")


def safe_next(text: object, entity: str, default: str) -> str:
    """Where to go next: a page of the entity's own (no other site), else `default`."""
    back = str(text or "")
    if back.startswith(f"/e/{entity}") and "//" not in back and "\\" not in back:
        return back
    return default


def asked_fields(ctx: Ctx, entity: EntitySpec, transition: TransitionSpec) -> list[str]:
    """The fields a transition requires that the user sees (its form asks for them)."""
    seen = rv.visible(ctx, entity)
    return [n for n in transition.require if n in seen and entity.field(n) is not None]


def _safe_back(ctx: Ctx, entity: str, id: int) -> str:
    assert ctx.form is not None
    return safe_next(ctx.form.get("next"), entity, f"/e/{entity}/{id}")


@handler()
def transition_page(ctx: Ctx, entity: str, id: int, name: str) -> Response:
    spec = ctx.entity(entity)
    user = rv.acting_user(ctx)
    record = ctx.store.get(user, entity, id)
    workflow = rv.workflow_of(ctx, spec)
    transition = workflow.transition(name) if workflow else None
    if transition is None:
        raise HTTPException(404)
    asks = asked_fields(ctx, spec, transition)
    label = rv.transition_label(ctx, transition)

    def page(status: int, messages: list[str], errors: dict[str, list[str]] | None = None,
             raw: dict[str, Any] | None = None) -> Response:
        return ctx.render(
            "transition", entity, status=status, entity=spec, record=record,
            title=rv.record_title(ctx, spec, record), transition=transition, label=label,
            singular=rv.entity_label(ctx, spec), plural=rv.entity_label(ctx, spec, plural=True),
            widgets=widgets(ctx, spec, asks, record, errors=errors, raw=raw,
                            required_extra=tuple(asks)),
            messages=messages, back=f"/e/{entity}/{id}")

    if ctx.request.method == "GET":
        return page(200, [])
    assert ctx.form is not None
    values, raw = _posted(ctx, spec, asks)
    values = {k: v for k, v in values.items() if v is not None}
    version = ctx.form_int("version")
    try:
        ctx.store.transition(user, entity, id, name, values or None,
                             expected_version=version)
    except VersionConflict:
        ctx.flash(ctx.t("version_conflict"))
        return ctx.redirect(f"/e/{entity}/{id}")
    except ValidationFailed as failed:
        return page(422, [ctx.t("fix_errors"), *failed.errors.get("", [])], failed.errors, raw)
    except TransitionRefused as refused:
        return page(409, [ctx.t("transition_refused", reason=str(refused))],
                    {n: [ctx.t("fields_needed")] for n in refused.missing}, raw)
    except AccessDenied:
        raise HTTPException(403) from None
    ctx.flash(ctx.t("saved"))
    return ctx.redirect(_safe_back(ctx, entity, id))


def routes() -> list[Route]:
    return [
        Route("/e/{entity}/new", new_form, methods=["GET", "POST"]),
        Route("/e/{entity}/{id:int}/edit", edit_form, methods=["GET", "POST"]),
        Route("/e/{entity}/{id:int}/transition/{name}", transition_page,
              methods=["GET", "POST"]),
    ]

