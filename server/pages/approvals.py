"""Approvals: the inbox page (`/approvals`: what the user is asked to decide, with a
comment box and Approve / Reject buttons; the decisions they made below), and the JSON
API `GET /api/me/approvals` (`?decided=true` adds decided ones) and
`POST /api/me/approvals/{id}/decide` with `{"decision": "approve"|"reject",
"comment": …}`. Deciding is `Store.decide_approval`: the rules hold as everywhere."""

from __future__ import annotations

from guanxi.errors import GuanxiError, NotFound, RequestInvalid
from guanxi.server.api.routes import ApiError, json_body
from guanxi.server.context import Ctx, handler
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

PAGE = "/approvals"
MAX_COMMENT = 2000


def _page(ctx: Ctx, status: int = 200, error: str | None = None,
          failed: int | None = None) -> Response:
    assert ctx.user is not None
    listed = ctx.store.approvals(ctx.user, decided=True)
    return ctx.render("approvals", status=status, error=error, failed=failed,
                      pending=[a for a in listed if a["decision"] is None],
                      decided=[a for a in listed if a["decision"] is not None][:50])


@handler()
def approvals_page(ctx: Ctx) -> Response:
    return _page(ctx)


@handler()
def decide_page(ctx: Ctx, id: int) -> Response:
    assert ctx.form is not None and ctx.user is not None
    decision = str(ctx.form.get("decision") or "")
    comment = str(ctx.form.get("comment") or "").strip()
    if len(comment) > MAX_COMMENT:
        return _page(ctx, 400, error=ctx.t("approval_comment_too_long"), failed=id)
    try:
        ctx.store.decide_approval(ctx.user, id, decision, comment)
    except GuanxiError as error:
        status = 404 if isinstance(error, NotFound) else \
            400 if isinstance(error, RequestInvalid) else 409
        return _page(ctx, status, error=str(error), failed=id)
    ctx.flash(ctx.t("approval_decided"))
    return ctx.redirect(PAGE)


@handler(api=True)
def my_approvals(ctx: Ctx) -> Response:
    assert ctx.user is not None
    decided = ctx.request.query_params.get("decided") in ("true", "1")
    return JSONResponse({"items": ctx.store.approvals(ctx.user, decided=decided)})


@handler(api=True)
def decide(ctx: Ctx, id: int) -> Response:
    assert ctx.user is not None
    body = json_body(ctx)
    decision, comment = body.get("decision"), body.get("comment", "")
    if not isinstance(decision, str):
        raise ApiError(400, "bad_request", "decision must be \"approve\" or \"reject\"",
                       {"decision": ["approve or reject"]})
    if not isinstance(comment, str) or len(comment) > MAX_COMMENT:
        raise ApiError(400, "bad_request", f"comment must be text of at most {MAX_COMMENT} "
                       "characters", {"comment": [f"at most {MAX_COMMENT} characters"]})
    return JSONResponse(ctx.store.decide_approval(ctx.user, id, decision, comment.strip()))


def routes() -> list[Route]:
    return [Route(PAGE, approvals_page),
            Route(PAGE + "/{id:int}", decide_page, methods=["POST"]),
            Route("/api/me/approvals", my_approvals),
            Route("/api/me/approvals/{id:int}/decide", decide, methods=["POST"])]
