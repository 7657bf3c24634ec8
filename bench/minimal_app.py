"""The least a Python JSON API can do on the same server stack: a Starlette app that parses
the posted JSON and answers 201 without storing anything. It gives the ceiling of the
load generator + uvicorn on this machine, and the start time and memory of an empty app.

    uvicorn bench.minimal_app:app
"""

from __future__ import annotations

import itertools

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

_ids = itertools.count(1)


async def create(request: Request) -> JSONResponse:
    payload = await request.json()
    return JSONResponse({"id": next(_ids), **payload}, status_code=201)


async def health(request: Request) -> JSONResponse:
    return JSONResponse({"ok": True})


app = Starlette(routes=[Route("/api/lead", create, methods=["POST"]), Route("/", health)])
