"""The answer to a create that looks like a duplicate: 409 with links to the records it
resembles, unless the caller insists (`?duplicates=allow`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from guanxi.identity import User
from guanxi.messages import render
from guanxi.spec import EntitySpec
from guanxi.store.facade import Store
from starlette.requests import Request
from starlette.responses import JSONResponse

ALLOW = "allow"


def duplicate_warning(store: Store, user: User, spec: EntitySpec, request: Request,
                      values: Mapping[str, Any]) -> JSONResponse | None:
    """A 409 naming the likely duplicates of `values`, or None (no rules, none found, or
    the caller insists)."""
    if not spec.duplicates or request.query_params.get("duplicates") == ALLOW:
        return None
    likely = store.likely_duplicates(user, spec.name, values)
    if not likely:
        return None
    return JSONResponse({
        "error": "likely_duplicate",
        "detail": render("likely_duplicate", {"entity": spec.name, "count": len(likely)},
                         user.language),
        "duplicates": [{"id": found.record_id, "title": found.title,
                        "fields": list(found.fields),
                        "url": f"/api/{spec.name}/{found.record_id}",
                        "page": f"/e/{spec.name}/{found.record_id}"} for found in likely],
    }, status_code=409)
