"""Requests beyond the application's Store threads wait their turn; none is lost or
stuck, whatever the number of concurrent clients."""

from __future__ import annotations

import anyio
import httpx
import pytest
from guanxi.server.app import create_app
from guanxi.server.auth import tokens
from guanxi.server.context import STORE_THREADS, store_limiter
from server_app import SHOP_PROJECT, dispose, make_app

CLIENTS = 24


async def _create_many(app, token: str) -> tuple[list[int], int, float]:
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
    headers = {"Authorization": f"Bearer {token}"}
    statuses: list[int] = []
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver",
                                 headers=headers) as client:

        async def one(n: int) -> None:
            response = await client.post("/api/lead", json={"name": f"Lead {n}",
                                                            "email": f"l{n}@example.com"})
            statuses.append(response.status_code)

        # A generous bound only to turn a deadlock into a failure instead of a hang.
        with anyio.fail_after(120):
            async with anyio.create_task_group() as group:
                for n in range(CLIENTS):
                    group.start_soon(one, n)
            listing = await client.get("/api/lead", params={"limit": 200})
        limiter = store_limiter(app)
    return statuses, listing.json()["total"], limiter.total_tokens


@pytest.mark.parametrize("threads", [1, 2])
def test_concurrent_creates_all_succeed_through_a_few_store_threads(write_project, db_url,
                                                                    threads):
    app, made = make_app(write_project(SHOP_PROJECT), db_url, {"rita": ("rep",)},
                         store_threads=threads)
    try:
        token = tokens.issue(app.state.holder.current().engine, made["rita"].id)
        statuses, total, size = anyio.run(_create_many, app, token)
    finally:
        dispose(app)
    assert statuses == [201] * CLIENTS
    assert total == CLIENTS
    assert size == threads


def test_store_threads_must_be_at_least_one(write_project, sqlite_url):
    with pytest.raises(ValueError, match="store_threads must be at least 1"):
        create_app(write_project(SHOP_PROJECT), sqlite_url, store_threads=0)


def test_by_default_sqlite_runs_one_request_at_a_time_and_postgresql_several(write_project,
                                                                             db_url):
    app, _ = make_app(write_project(SHOP_PROJECT), db_url)
    try:
        expected = 1 if db_url.startswith("sqlite") else STORE_THREADS
        assert app.state.store_threads == expected
    finally:
        dispose(app)
