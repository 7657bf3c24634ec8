"""Attachments on a record's page: the list (each a download link), the upload form
(multipart, with the CSRF token) and a remove button per file, for those who may update
the record. Downloads are always downloads: `Content-Disposition: attachment` with a
safe file name, `X-Content-Type-Options: nosniff` and a sandboxing CSP, so no file is
ever shown or run in the site's origin.

The upload route takes bodies up to `attachments: max_size` (and a little for the
form), not the server's general limit: `upload_limit` tells `BodyLimitMiddleware`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from guanxi.errors import ValidationFailed
from guanxi.server import records as rv
from guanxi.server.context import Ctx, handler
from guanxi.server.reload import ProjectHolder
from guanxi.store.attachments import Attachment, Upload, file_fields
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.routing import Route

# Room for the multipart wrapping and the form's other fields around the file.
FORM_OVERHEAD = 64 * 1024
UPLOAD_PATHS = re.compile(
    r"^/(?:e/[^/]+/[0-9]+/attachments|api/[^/]+/[0-9]+/attachments"
    r"|portal/tickets/[0-9]+/(?:attachments|reply))$")
ERROR_KEY = "attachment_error"
_ASCII_SAFE = re.compile(r"[^A-Za-z0-9._ -]")


def upload_limit(holder: ProjectHolder) -> Callable[[str], int | None]:
    """The body limit of a path: the upload routes' (None for any other path)."""

    def limit_for(path: str) -> int | None:
        if not UPLOAD_PATHS.match(path):
            return None
        return holder.current().spec.attachments.max_size + FORM_OVERHEAD

    return limit_for


def download(attachment: Attachment, content: bytes) -> Response:
    """The file as a download that no browser shows or runs."""
    fallback = _ASCII_SAFE.sub("_", attachment.name) or "file"
    disposition = f"attachment; filename=\"{fallback}\"; filename*=UTF-8''" \
                  f"{quote(attachment.name, safe='')}"
    return Response(content, media_type="application/octet-stream", headers={
        "Content-Disposition": disposition,
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "sandbox; default-src 'none'",
    })


def uploaded(ctx: Ctx, name: str = "file") -> Upload | None:
    """The file posted as `name`, or None when none was chosen."""
    assert ctx.form is not None
    item = ctx.form.get(name)
    if not isinstance(item, UploadFile):
        return None
    try:
        item.file.seek(0)
        content = item.file.read()
    finally:
        item.file.close()
    return Upload(item.filename, content) if item.filename else None


def record_files(ctx: Ctx, entity: str, record_id: int) -> list[Attachment]:
    """The record's attachments the user may see, read once per request (the page's
    attachments section and its timeline both show them)."""
    key = f"attachments:{entity}:{record_id}"
    found: list[Attachment] | None = ctx._cache.get(key)
    if found is None:
        found = ctx._cache[key] = ctx.store.attachments(rv.acting_user(ctx), entity,
                                                        record_id)
    return found


def section(ctx: Ctx, entity: str, record_id: int, may_update: bool) -> dict[str, Any]:
    """What the record's page shows of its attachments."""
    assert ctx.user is not None
    spec = ctx.entity(entity)
    items = record_files(ctx, entity, record_id)
    base = f"/e/{entity}/{record_id}/attachments"
    writable = ctx.policy(entity).writable_fields(ctx.user, None) if may_update else set()
    return {
        "files": [{"id": a.id, "name": a.name, "size": a.size, "type": a.content_type,
                   "erased": a.erased,
                   "field": rv.label_of(ctx, spec, a.field) if a.field else "",
                   "url": f"{base}/{a.id}", "remove": f"{base}/{a.id}/delete"}
                  for a in items],
        "may_update": may_update, "action": base,
        "fields": [(f, rv.label_of(ctx, spec, f)) for f in file_fields(
            ctx.store.app.entity(entity)) if f in writable],
        "max_size": ctx.spec.attachments.max_size,
        "error": ctx.request.session.pop(ERROR_KEY, None),
    }


@handler()
def upload(ctx: Ctx, entity: str, id: int) -> Response:
    ctx.entity(entity)
    assert ctx.form is not None
    found = uploaded(ctx)
    if found is None:
        raise HTTPException(400, "choose a file to attach")
    field = str(ctx.form.get("field") or "") or None
    try:
        ctx.store.attach(rv.acting_user(ctx), entity, id, found, field)
    except ValidationFailed as failed:
        # Shown next to the file input when the page comes back.
        ctx.request.session[ERROR_KEY] = "; ".join(m for ms in failed.errors.values()
                                                   for m in ms)
        return ctx.redirect(f"/e/{entity}/{id}#attachments")
    ctx.flash(ctx.t("attachment_added"))
    return ctx.redirect(f"/e/{entity}/{id}#attachments")


@handler()
def fetch(ctx: Ctx, entity: str, id: int, attachment: int) -> Response:
    ctx.entity(entity)
    found, content = ctx.store.attachment(rv.acting_user(ctx), entity, id, attachment)
    return download(found, content)


@handler()
def remove(ctx: Ctx, entity: str, id: int, attachment: int) -> Response:
    ctx.entity(entity)
    ctx.store.detach(rv.acting_user(ctx), entity, id, attachment)
    ctx.flash(ctx.t("attachment_removed"))
    return ctx.redirect(f"/e/{entity}/{id}")


def routes() -> list[Route]:
    return [
        Route("/e/{entity}/{id:int}/attachments", upload, methods=["POST"]),
        Route("/e/{entity}/{id:int}/attachments/{attachment:int}", fetch),
        Route("/e/{entity}/{id:int}/attachments/{attachment:int}/delete", remove,
              methods=["POST"]),
    ]
