"""API tokens remembered between requests: a revoked token, a deactivated user or new
roles take effect on the very next request; unknown tokens are never remembered."""

from __future__ import annotations

from collections.abc import Iterator
from types import SimpleNamespace

import pytest
from guanxi.accounts import users
from guanxi.identity import User
from guanxi.server.auth import tokencache, tokens
from server_app import SHOP_PROJECT, Client, dispose, make_app


@pytest.fixture
def site(write_project, db_url: str) -> Iterator[SimpleNamespace]:
    app, made = make_app(write_project(SHOP_PROJECT), db_url, {"rita": ("rep",)})
    engine = app.state.holder.current().engine
    token = tokens.issue(engine, made["rita"].id, "tests")
    with Client(app, headers={"Authorization": f"Bearer {token}"}) as api:
        yield SimpleNamespace(app=app, engine=engine, rita=made["rita"], token=token, api=api)
    dispose(app)


def signed_in(api: Client) -> int:
    """The status of a request made with the token (after one that remembers it)."""
    return api.get("/api/me").status_code


def test_a_token_is_remembered_after_its_first_use(site):
    assert signed_in(site.api) == 200
    cache = tokencache.for_engine(site.engine, tokens.WATCHED_TABLES)
    assert cache.get(tokens.digest(site.token)) == users.get_user(site.engine, site.rita.id)


def test_a_token_revoked_on_the_tokens_page_stops_working_at_once(site):
    assert signed_in(site.api) == 200
    with Client(site.app) as page:
        page.login("rita", "long-secret-pw")
        listing = page.get("/account/tokens").text
        token_id = listing.split('name="revoke" value="')[1].split('"')[0]
        page.form("/account/tokens", {"revoke": token_id})
    assert signed_in(site.api) == 401


def test_a_token_revoked_through_the_python_api_stops_working_at_once(site):
    assert signed_in(site.api) == 200
    (info,) = tokens.list_for(site.engine, site.rita.id)
    assert tokens.revoke(site.engine, site.rita.id, info.id)
    assert signed_in(site.api) == 401


def test_new_roles_apply_to_the_next_request(site):
    assert site.api.get("/api/me").json()["roles"] == ["rep"]
    users.set_roles(site.engine, "rita", ["manager"])
    assert site.api.get("/api/me").json()["roles"] == ["manager"]


def test_a_deactivated_user_is_refused_at_once(site):
    assert signed_in(site.api) == 200
    users.set_active(site.engine, "rita", False)
    assert signed_in(site.api) == 401


def test_unknown_tokens_are_not_remembered(site):
    with Client(site.app, headers={"Authorization": "Bearer gx_guessed"}) as guesser:
        for _ in range(3):
            assert guesser.get("/api/me").status_code == 401
    cache = tokencache.for_engine(site.engine, tokens.WATCHED_TABLES)
    assert cache.get(tokens.digest("gx_guessed")) is None and len(cache) == 0


# ---------------------------------------------------------------- the cache itself

ANN = User(id=1, username="ann", roles=frozenset({"rep"}))
BOB = User(id=2, username="bob", roles=frozenset({"rep"}))


def test_an_entry_expires_after_its_lifetime():
    cache = tokencache.TokenCache(seconds=0.0)
    cache.put("h1", ANN, cache.generation)
    assert cache.get("h1") is None


def test_the_least_recently_used_entry_goes_first_when_full():
    cache = tokencache.TokenCache(size=2)
    cache.put("h1", ANN, cache.generation)
    cache.put("h2", BOB, cache.generation)
    assert cache.get("h1") is ANN  # h2 is now the least recently used
    cache.put("h3", BOB, cache.generation)
    assert cache.get("h2") is None and cache.get("h1") is ANN and cache.get("h3") is BOB


def test_a_user_read_before_an_invalidation_is_not_remembered_after_it():
    cache = tokencache.TokenCache()
    generation = cache.generation
    cache.forget_user(ANN.id)  # e.g. a token revoked while the user was being read
    cache.put("h1", ANN, generation)
    assert cache.get("h1") is None


def test_forgetting_a_user_keeps_other_users_tokens():
    cache = tokencache.TokenCache()
    cache.put("h1", ANN, cache.generation)
    cache.put("h2", BOB, cache.generation)
    cache.forget_user(ANN.id)
    assert cache.get("h1") is None and cache.get("h2") is BOB
