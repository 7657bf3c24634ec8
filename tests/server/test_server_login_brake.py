"""The brake on password guessing: attempts are counted in the database before they are
checked, per username and per address, shared by server processes; few checks run at once."""

from __future__ import annotations

import re
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from types import SimpleNamespace

import argon2
import httpx
import pytest
from guanxi.server import serving
from guanxi.server.app import create_app
from guanxi.server.auth import brake as brake_module
from guanxi.server.auth.brake import LoginBrake
from guanxi.store.database import create_engine
from server_app import SHOP_PROJECT, Client, dispose, make_app, start_server

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
SECRET = "test-secret-" + "x" * 20


class FakeClock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def checks(monkeypatch) -> SimpleNamespace:
    """Counts Argon2 password checks (the real ones still run), and can hold them."""
    seen = SimpleNamespace(count=0, entered=threading.Event(), release=threading.Event())
    seen.release.set()
    real = argon2.PasswordHasher.verify
    lock = threading.Lock()

    def verify(self, hashed, password):  # type: ignore[no-untyped-def]
        with lock:
            seen.count += 1
        seen.entered.set()
        seen.release.wait(10)
        return real(self, hashed, password)

    monkeypatch.setattr(argon2.PasswordHasher, "verify", verify)
    return seen


@pytest.fixture
def project(write_project):
    return write_project(SHOP_PROJECT)


def serve(app) -> tuple[str, object, threading.Thread]:

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    server, thread = start_server(serving.config(app, "127.0.0.1", port, log_level="warning",
                                           ws="none", lifespan="off"))
    return f"http://127.0.0.1:{port}", server, thread


@pytest.fixture
def live(project, db_url: str) -> Iterator[SimpleNamespace]:
    brake = LoginBrake(limit=3, address_limit=100, max_checks=50)
    app, _ = make_app(project, db_url, {"rita": ("rep",)}, brake=brake)
    url, server, thread = serve(app)
    yield SimpleNamespace(url=url, app=app)
    server.should_exit = True  # type: ignore[attr-defined]
    thread.join(timeout=10)
    dispose(app)


def post_login(url: str, username: str, password: str,
               start: threading.Barrier | None = None,
               headers: dict[str, str] | None = None) -> httpx.Response:
    with httpx.Client(base_url=url, headers=headers or {}, timeout=60) as client:
        token = CSRF.search(client.get("/login").text).group(1)  # type: ignore[union-attr]
        if start is not None:
            start.wait(30)
        return client.post("/login", data={"username": username, "password": password,
                                           "csrf_token": token})


def attempt(client: Client, password: str, username: str = "rita") -> httpx.Response:
    return client.form("/login", {"username": username, "password": password})


def test_concurrent_wrong_passwords_are_checked_at_most_limit_times(live, checks):
    start = threading.Barrier(12)
    answers: list[int] = []

    def guess(n: int) -> None:
        answers.append(post_login(live.url, "rita", f"guess-{n}", start).status_code)

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(answers) == 12
    assert checks.count <= 3
    assert answers.count(429) >= 9 and set(answers) <= {401, 429}


def test_random_usernames_from_one_address_are_braked(project, db_url, checks):
    brake = LoginBrake(limit=5, address_limit=4)
    app, _ = make_app(project, db_url, brake=brake)
    with Client(app) as client:
        answers = [attempt(client, "pw", username=f"user-{uuid.uuid4().hex[:8]}").status_code
                   for _ in range(8)]
    dispose(app)
    assert answers[:3] == [401, 401, 401]
    assert answers[3:] == [429] * 5
    assert checks.count == 4


def test_brake_is_shared_by_two_apps_on_one_database(project, db_url):
    first, _ = make_app(project, db_url, {"rita": ("rep",)}, brake=LoginBrake(limit=3))
    second = create_app(project, db_url, SECRET, brake=LoginBrake(limit=3))
    try:
        with Client(first) as one:
            for _ in range(3):
                attempt(one, "wrong")
        with Client(second) as two:
            response = attempt(two, "long-secret-pw")
        assert response.status_code == 429
        assert "Too many failed sign-ins" in response.text
    finally:
        dispose(second)
        dispose(first)


def test_password_checks_beyond_the_cap_are_turned_away_at_once(project, db_url, checks):
    app, _ = make_app(project, db_url, {"rita": ("rep",)},
                      brake=LoginBrake(max_checks=1, address_limit=100))
    url, server, thread = serve(app)
    checks.release.clear()
    holder = threading.Thread(target=post_login, args=(url, "rita", "wrong"))
    holder.start()
    try:
        assert checks.entered.wait(20), "the first sign-in never reached its check"
        began = time.monotonic()
        busy = post_login(url, "rita", "long-secret-pw", headers={"Accept-Language": "zh"})
        elapsed = time.monotonic() - began
    finally:
        checks.release.set()
        holder.join(30)
        server.should_exit = True  # type: ignore[attr-defined]
        thread.join(timeout=10)
        dispose(app)
    assert busy.status_code == 503
    assert int(busy.headers["retry-after"]) >= 1
    assert "服务器正在处理大量登录请求" in busy.text
    assert elapsed < 5
    assert checks.count == 1


def test_refused_attempts_say_when_to_retry(project, db_url):
    # A clock that stands still: on a loaded machine a real second may pass between the
    # refusal and its Retry-After, which would then say 39.
    app, _ = make_app(project, db_url, {"rita": ("rep",)},
                      brake=LoginBrake(limit=2, wait_seconds=40, clock=FakeClock()))
    with Client(app) as client:
        attempt(client, "wrong")
        response = attempt(client, "wrong")
    dispose(app)
    assert response.status_code == 429 and response.headers["retry-after"] == "40"


def test_right_password_gives_the_address_its_attempt_back(project, db_url):
    app, _ = make_app(project, db_url, {"rita": ("rep",)},
                      brake=LoginBrake(limit=10, address_limit=3))
    with Client(app) as client:
        for _ in range(6):  # signing in again and again never engages the brake
            assert attempt(client, "long-secret-pw").status_code == 303
        assert attempt(client, "wrong").status_code == 401
    dispose(app)


# ---------------------------------------------------------------- the brake itself


@pytest.fixture
def engine(db_url: str):
    made = create_engine(db_url)
    brake_module.create_table(made)
    yield made
    made.dispose()


def test_brake_counts_unknown_usernames_too(engine):
    brake = LoginBrake(limit=2, wait_seconds=10, clock=FakeClock())
    assert brake.reserve(engine, "ghost", "1.2.3.4") == 0
    assert brake.reserve(engine, "GHOST ", "1.2.3.4") == 0
    assert brake.seconds_to_wait(engine, "ghost", "1.2.3.4") == 10
    assert brake.seconds_to_wait(engine, "ghost", "5.6.7.8") == 10  # per user, any address
    assert brake.seconds_to_wait(engine, "casper", "1.2.3.4") == 0


def test_brake_wait_doubles_with_further_failures(engine):
    clock = FakeClock()
    brake = LoginBrake(limit=1, wait_seconds=10, clock=clock)
    brake.reserve(engine, "rita", "ip")
    assert brake.reserve(engine, "rita", "ip") == 10  # refused, not counted
    clock.now += 10
    assert brake.reserve(engine, "rita", "ip") == 0
    assert brake.seconds_to_wait(engine, "rita", "ip") == 20


def test_old_failures_are_forgotten(engine):
    clock = FakeClock()
    brake = LoginBrake(limit=2, wait_seconds=10, forget_seconds=3600, clock=clock)
    brake.reserve(engine, "rita", "ip")
    clock.now += 3601
    brake.reserve(engine, "rita", "ip")
    assert brake.seconds_to_wait(engine, "rita", "ip") == 0


def test_success_clears_the_usernames_count(engine):
    brake = LoginBrake(limit=2, clock=FakeClock())
    brake.reserve(engine, "rita", "ip")
    brake.reserve(engine, "rita", "ip")
    brake.succeeded(engine, "rita", "ip")
    assert brake.seconds_to_wait(engine, "rita", "ip") == 0
