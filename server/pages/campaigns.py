"""Marketing e-mail (`marketing:` in guanxi.yaml): POST /e/{campaign}/{id}/send queues a
campaign's e-mail to its members with consent (`guanxi.selfservice.campaigns`); GET and
POST /unsubscribe/{token} (no sign-in) withdraw a member's consent from the signed link
of an e-mail; GET /e/{entity}/{id}/consent shows a customer's consent history."""

from __future__ import annotations

from typing import Any

from guanxi.errors import AccessDenied
from guanxi.selfservice import campaigns, consent
from guanxi.server import public
from guanxi.server.context import Ctx, handler
from guanxi.server.records import acting_user, record_title
from guanxi.spec import MarketingSpec
from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.routing import Route


def _marketing(ctx: Ctx) -> MarketingSpec:
    if ctx.spec.marketing is None:
        raise HTTPException(404)
    return ctx.spec.marketing


def _secret(ctx: Ctx) -> str:
    return public.secret(ctx.request.app)


@handler()
def send(ctx: Ctx, entity: str, id: int) -> Response:
    marketing = _marketing(ctx)
    if entity != marketing.campaign:
        raise HTTPException(404)
    user = acting_user(ctx)
    held = ctx.store.get(user, entity, id, with_rights=True)
    if not held.may_update:
        raise AccessDenied("you may not send this campaign", code="may_not_change")
    done = campaigns.send(ctx.store, user, marketing, id,
                          base_url=str(ctx.request.base_url), secret=_secret(ctx))
    ctx.flash(ctx.t("campaign_sent", queued=done.queued, skipped=done.without_consent,
                    unreachable=done.without_address))
    return ctx.redirect(f"/e/{entity}/{id}")


@public.public_handler()
def unsubscribe(ctx: Ctx, token: str) -> Response:
    marketing = _marketing(ctx)
    member = consent.member_of(_secret(ctx), token)
    if member is None or member.entity != marketing.members:
        raise HTTPException(404)
    done = False
    if ctx.request.method == "POST":
        consent.withdraw(ctx.store, marketing, member, ctx.store.clock())
        done = True
    return ctx.render("unsubscribe", token=token, done=done)


@handler()
def consent_page(ctx: Ctx, entity: str, id: int) -> Response:
    spec = ctx.entity(entity)
    user = acting_user(ctx)
    record = ctx.store.get(user, entity, id)
    rows: list[dict[str, Any]] = [
        {"at": row["at"], "granted": row["granted"], "source": row["source"]}
        for row in consent.history(ctx.store.engine, entity, id)]
    field = ctx.spec.marketing.consent if ctx.spec.marketing is not None else None
    for item in ctx.store.history(user, entity, id):
        change = (item.get("changes") or {}).get(field) if field else None
        # A record created without consent has not withdrawn any.
        if change is not None and change.get("new") in (True, False) \
                and (change.get("new") is True or change.get("old") is not None):
            rows.append({"at": item["at"], "granted": change["new"] is True,
                         "source": str(item.get("user") or ctx.t("system"))})
    rows.sort(key=lambda row: row["at"])
    return ctx.render("consent", template_entity=entity, entity=spec, record=record,
                      title=record_title(ctx, spec, record), rows=rows)


def routes() -> list[Route]:
    return [
        Route("/e/{entity}/{id:int}/send", send, methods=["POST"]),
        Route("/e/{entity}/{id:int}/consent", consent_page),
        Route("/unsubscribe/{token:str}", unsubscribe, methods=["GET", "POST"]),
    ]
