"""E-mail on a record's page: its messages (received and sent), the reply templates
suggested for the last message received, and the reply form (POST
`/e/{entity}/{id}/reply`, with the CSRF token), which queues the e-mail for the job
runner (`guanxi.mail.sending`)."""

from __future__ import annotations

from typing import Any

from guanxi.errors import AccessDenied
from guanxi.mail import conversation, plug, replies, sending
from guanxi.mail.definitions import messages_of
from guanxi.mail.templates import TemplateRefused
from guanxi.server.context import Ctx, handler
from guanxi.store.rights import RecordRights
from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.routing import Route

plug.install()
MAX_BODY = 100_000


def section(ctx: Ctx, entity: str, record_id: int, may_update: bool) -> dict[str, Any] | None:
    """What the record's page shows of its e-mail; None when it has none."""
    messages = conversation.timeline(ctx.store.engine, entity, record_id)
    if not messages:
        return None
    last_in = next((m for m in reversed(messages) if m.direction == "in"), None)
    suggestions = []
    if last_in is not None and may_update:
        assert ctx.user is not None
        # As the agent sees it: a template naming a field hidden from her does not render.
        record = dict(ctx.store.get(ctx.user, entity, record_id))
        found = messages_of(ctx.spec)
        language = replies.guess_language(f"{last_in.subject}\n{last_in.body}",
                                          ctx.spec.languages)
        for item in last_in.suggestions or ():
            reply = found.reply(str(item["name"]))
            if reply is None:
                continue
            try:
                subject, body = replies.draft(reply, record, language)
            except TemplateRefused:
                continue
            suggestions.append({"name": reply.name, "hits": item["hits"],
                                "label": ctx.text(reply.label, reply.name),
                                "subject": subject, "body": body})
    return {"messages": messages, "suggestions": suggestions, "may_reply": may_update,
            "subject": f"Re: {last_in.subject}" if last_in else ""}


@handler()
def reply(ctx: Ctx, entity: str, id: int) -> Response:
    ctx.entity(entity)
    assert ctx.user is not None and ctx.form is not None
    held: RecordRights = ctx.store.get(ctx.user, entity, id, with_rights=True)
    if not held.may_update:
        raise AccessDenied("you may not answer on this record", code="may_not_change")
    body = str(ctx.form.get("body") or "").strip()
    subject = str(ctx.form.get("subject") or "").strip()
    if not body:
        raise HTTPException(400, "the reply is empty")
    if len(body) > MAX_BODY:
        raise HTTPException(400, f"the reply is longer than {MAX_BODY} characters")
    sending.reply(ctx.store, ctx.user, entity, id, body, subject)
    ctx.flash(ctx.t("mail_queued"))
    return ctx.redirect(f"/e/{entity}/{id}")


def routes() -> list[Route]:
    return [Route("/e/{entity}/{id:int}/reply", reply, methods=["POST"])]
