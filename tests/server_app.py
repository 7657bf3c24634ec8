"""A synchronous HTTP client for the ASGI app, for tests and scripts.

It drives the real application through httpx's ASGI transport on an event loop in a
background thread (so it can be called from plain synchronous code), keeps cookies like a
browser, and can sign in through the real login form.
"""

from __future__ import annotations

import re
import socket
import threading
import time
from contextlib import AbstractContextManager, ExitStack
from typing import Any

import anyio.from_thread
import httpx
import uvicorn

# The password `make_app` gives its users (it passes the password policy).
PASSWORD = "long-secret-pw"
CSRF_INPUT = re.compile(r'name="csrf_token" value="([^"]+)"')
SCRIPT_TAG = re.compile(r"<script\b([^>]*)>(.*?)</script>", re.S | re.I)
OUR_SCRIPT = re.compile(r'\ssrc="/static/[\w/.-]+\.js"')


def foreign_scripts(html: str) -> list[str]:
    """The scripts of a page other than our own static files loaded with `src` (inline
    scripts, or scripts from elsewhere): the strict CSP allows none of them."""
    return [m.group(0) for m in SCRIPT_TAG.finditer(html)
            if not OUR_SCRIPT.search(m.group(1)) or m.group(2).strip()]


class Client(AbstractContextManager["Client"]):
    """`with Client(app) as client: client.get("/")` — requests go to the app in-process."""

    def __init__(self, app: Any, base_url: str = "http://testserver",
                 headers: dict[str, str] | None = None) -> None:
        self._stack = ExitStack()
        self._portal = self._stack.enter_context(anyio.from_thread.start_blocking_portal())
        transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
        self._client = httpx.AsyncClient(transport=transport, base_url=base_url,
                                         headers=headers or {})

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        return self._portal.call(lambda: self._client.request(method, url, **kwargs))

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("POST", url, **kwargs)

    def patch(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("PATCH", url, **kwargs)

    def delete(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("DELETE", url, **kwargs)

    @property
    def cookies(self) -> httpx.Cookies:
        return self._client.cookies

    def csrf(self, page: str = "/login") -> str:
        """The CSRF token of this client's session, read from a page's form."""
        match = CSRF_INPUT.search(self.get(page).text)
        if match is None:
            raise AssertionError(f"no CSRF token on {page}")
        return match.group(1)

    def form(self, url: str, data: dict[str, Any], page: str | None = None) -> httpx.Response:
        """POST a form the way a browser would: with the session's CSRF token."""
        token = self.csrf(page or url)
        return self.post(url, data={**data, "csrf_token": token})

    def login(self, username: str, password: str) -> httpx.Response:
        response = self.form("/login", {"username": username, "password": password})
        if response.status_code != 303:
            raise AssertionError(f"sign-in as {username} failed: {response.status_code}")
        return response

    def close(self) -> None:
        self._portal.call(self._client.aclose)
        self._stack.close()

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def make_app(project: Any, db_url: str, users: dict[str, tuple[str, ...]] | None = None, *,
             password: str = PASSWORD, language: dict[str, str] | None = None,
             **options: Any) -> tuple[Any, dict[str, Any]]:
    """The web app over a fresh database (schema created) with `users` {name: roles}
    added; returns (app, {username: User})."""
    from guanxi.accounts import users as accounts
    from guanxi.server.app import create_app

    app = create_app(project, db_url, "test-secret-" + "x" * 20, create_schema=True, **options)
    engine = app.state.holder.current().engine
    made = {}
    for username, roles in (users or {}).items():
        made[username] = accounts.add_user(
            engine, username, password, roles, display_name=username.capitalize(),
            language=(language or {}).get(username, "en"))
    return app, made


def dispose(app: Any) -> None:
    """Close the app's database connections."""
    app.state.holder.current().store.dispose()


# A small project exercising what the web layer shows: a workflow with a role-restricted
# transition and one that asks for a field, a hidden field, a reference, two languages.
SHOP_PROJECT: dict[str, str] = {
    "guanxi.yaml": """\
project: shop
label: {en: Shop CRM, zh: 商店客户管理}
languages: [en, zh]
roles:
  rep: {label: {en: Rep, zh: 销售}}
  manager: {includes: [rep], admin: true}
""",
    "entities/crm.yaml": """\
lead:
  label: {en: Lead, zh: 线索}
  plural: {en: Leads, zh: 线索}
  title: name
  workflow: pipeline
  fields:
    name: {type: string, required: true, max_length: 80, label: {en: Name, zh: 姓名}}
    email: {type: email, label: {en: E-mail, zh: 邮箱}}
    value: {type: money, min: 0, label: {en: Value, zh: 金额}}
    income: {type: money, sensitive: true, label: {en: Income, zh: 收入}}
    source: {type: choice, options: [web, phone]}
    loss_reason: {type: string, label: {en: Loss reason, zh: 丢失原因}}
    account: {type: reference, to: account}
  list:
    columns: [name, email, value, source]
  access:
    rep: {create: all, read: owner == current_user, update: owner == current_user,
          hide: [income]}
    manager: {create: all, read: all, update: all, delete: all}
account:
  label: {en: Account, zh: 客户}
  plural: {en: Accounts, zh: 客户}
  fields:
    name: {type: string, required: true, label: {en: Company, zh: 公司}}
  access:
    rep: {read: all, create: all}
    manager: {create: all, read: all, update: all, delete: all}
""",
    "workflows/pipeline.yaml": """\
pipeline:
  initial: new
  states:
    new: {label: {en: New, zh: 新建}}
    contacted: {label: {en: Contacted, zh: 已联系}}
    won: {label: {en: Won, zh: 赢单}, final: true}
    lost: {label: {en: Lost, zh: 丢失}, final: true}
  transitions:
    contact: {from: new, to: contacted, label: {en: Mark contacted, zh: 标记已联系}}
    win: {from: contacted, to: won, roles: [manager], label: {en: Win, zh: 赢单}}
    lose: {from: [new, contacted], to: lost, require: [loss_reason],
           label: {en: Lose, zh: 丢失}}
""",
}


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_server(config: uvicorn.Config) -> tuple[uvicorn.Server, threading.Thread]:
    """A real uvicorn server for `config`, running in a daemon thread, once it listens.
    Stop it with `server.should_exit = True` and join the thread."""
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(400):
        if server.started:
            break
        time.sleep(0.025)
    assert server.started, "uvicorn did not start"
    return server, thread
