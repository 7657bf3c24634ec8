"""The public web forms of forms/*.yaml, open without signing in: GET /forms/{name} (the
form; other sites may show it in a frame), POST /forms/{name} (spam guard, then a record
created as the public actor; field errors shown next to their inputs), GET
/forms/{name}/thanks. Administrators see each form's URL and an HTML snippet to embed it
on GET /admin/forms."""

from __future__ import annotations

import html
from typing import Any

from guanxi.errors import AccessDenied
from guanxi.selfservice import submission
from guanxi.selfservice.definitions import WebFormSpec, forms_of
from guanxi.selfservice.spam import HONEYPOT
from guanxi.server import public
from guanxi.server.context import Ctx, handler, is_admin
from guanxi.server.display import field_spec
from guanxi.server.pages.widgets import Widget, build_widget, form_value, raw_of
from guanxi.spec import EntitySpec
from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.routing import Route


def _form(ctx: Ctx, name: str) -> tuple[WebFormSpec, EntitySpec]:
    form = forms_of(ctx.spec).form(name)
    entity = ctx.spec.entity(form.entity) if form is not None else None
    if form is None or entity is None:
        raise HTTPException(404)
    return form, entity


def _widgets(ctx: Ctx, form: WebFormSpec, entity: EntitySpec,
             errors: dict[str, list[str]] | None = None,
             raw: dict[str, Any] | None = None) -> list[Widget]:
    out = []
    for name in form.fields:
        spec = field_spec(entity, name)
        out.append(build_widget(spec, spec.default if not raw else None,
                                language=ctx.language,
                                required=spec.required or name in form.required,
                                errors=(errors or {}).get(name), raw=(raw or {}).get(name),
                                choose_text=ctx.t("choose")))
    return out


def _page(ctx: Ctx, form: WebFormSpec, entity: EntitySpec, status: int = 200,
          errors: dict[str, list[str]] | None = None, raw: dict[str, Any] | None = None,
          refusal: str = "") -> Response:
    record_errors = [m for k, ms in (errors or {}).items()
                     if k not in form.fields for m in ms]
    response = ctx.render(
        "webform", status=status, form=form, title=ctx.text(form.label, form.name),
        intro=ctx.text(form.intro), widgets=_widgets(ctx, form, entity, errors, raw),
        record_errors=record_errors, honeypot=HONEYPOT, refusal=refusal,
        captcha=public.guard(ctx.request.app).captcha_fields())
    return public.frameable(response)


@public.public_handler()
def web_form(ctx: Ctx, name: str) -> Response:
    form, entity = _form(ctx, name)
    if ctx.request.method != "POST":
        return _page(ctx, form, entity)
    assert ctx.form is not None
    refusal = public.refused(ctx)
    if refusal is not None:
        return _page(ctx, form, entity, public.refusal_status(refusal),
                     refusal=ctx.t("form_refused_" + refusal.reason))
    values: dict[str, Any] = {}
    raw: dict[str, Any] = {}
    for field_name in form.fields:
        spec = field_spec(entity, field_name)
        typed = raw_of(spec, ctx.form)
        raw[field_name] = typed
        values[field_name] = form_value(spec, typed)
    done = submission.submit(ctx.store, form, values, ctx.language)
    if done.errors:
        return _page(ctx, form, entity, 400, errors=done.errors, raw=raw)
    return ctx.redirect(f"/forms/{form.name}/thanks")


@public.public_handler()
def thanks(ctx: Ctx, name: str) -> Response:
    form, _ = _form(ctx, name)
    return public.frameable(ctx.render(
        "webform_thanks", form=form, title=ctx.text(form.label, form.name),
        thanks=ctx.text(form.thanks) or ctx.t("form_thanks")))


@handler()
def admin_forms(ctx: Ctx) -> Response:
    assert ctx.user is not None
    if not is_admin(ctx.spec, ctx.user):
        raise AccessDenied("administrators only", code="admin_only")
    base = str(ctx.request.base_url).rstrip("/")
    items = []
    for form in forms_of(ctx.spec).forms:
        url = f"{base}/forms/{form.name}"
        items.append({"name": form.name, "label": ctx.text(form.label, form.name),
                      "entity": form.entity, "url": url,
                      "snippet": f'<iframe src="{html.escape(url)}" title="'
                                 f'{html.escape(ctx.text(form.label, form.name))}" '
                                 'width="100%" height="640" loading="lazy"></iframe>'})
    return ctx.render("webforms", forms=items)


def routes() -> list[Route]:
    return [
        Route("/forms/{name:str}", web_form, methods=["GET", "POST"]),
        Route("/forms/{name:str}/thanks", thanks),
        Route("/admin/forms", admin_forms),
    ]
