"""Real mail parts on loopback for the messaging tests: an SMTP mailbox (aiosmtpd) that
receives what Guanxi sends, an HTTP receiver that checks webhook signatures, and acme
with its web app, its Store and its mail gateway on one database."""

from __future__ import annotations

import email.policy
import json
import socket
import threading
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.parser import BytesParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from guanxi.accounts import users
from guanxi.identity import User
from guanxi.mail import plug
from guanxi.mail.gateway import Gateway
from guanxi.server.app import create_app
from guanxi.store.facade import Store
from guanxi.webhooks import signing

plug.install()
PASSWORD = "correct horse battery staple"
SECRET = "whsec_" + "c2VjcmV0LWZvci1hY21lLWVycC13ZWJob29rcw=="


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Mailbox:
    """An SMTP server on loopback keeping every message it is given."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.port = free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        data = envelope.original_content or b""
        parsed = BytesParser(policy=email.policy.default).parsebytes(data)
        assert isinstance(parsed, EmailMessage)
        self.messages.append(parsed)
        return "250 OK"

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def __enter__(self) -> Mailbox:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()


@dataclass
class Hit:
    headers: dict[str, str]
    body: str

    @property
    def json(self) -> Any:
        return json.loads(self.body)

    def signed_with(self, secret: str) -> bool:
        return signing.verify(secret, self.headers["webhook-id"],
                              self.headers["webhook-timestamp"], self.body,
                              self.headers["webhook-signature"])


@dataclass
class Receiver:
    """An HTTP server on loopback answering each POST with the next of `answers`
    (then 200), keeping what it was sent."""

    answers: list[int] = field(default_factory=list)
    hits: list[Hit] = field(default_factory=list)
    port: int = 0

    def __post_init__(self) -> None:
        receiver = self

        class Handle(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length).decode("utf-8")
                receiver.hits.append(Hit({k.lower(): v for k, v in self.headers.items()},
                                         body))
                status = receiver.answers.pop(0) if receiver.answers else 200
                self.send_response(status)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                del format, args

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handle)
        self.port = int(self.server.server_address[1])
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@dataclass
class Acme:
    app: Any
    store: Store
    gateway: Gateway
    people: dict[str, User]

    def stop(self) -> None:
        self.gateway.stop()
        self.store.dispose()


def point_webhook(project: Path, url: str, **extra: Any) -> None:
    path = project / "messages" / "webhooks.yaml"
    text = path.read_text(encoding="utf-8").replace("http://127.0.0.1:8099/guanxi/won", url)
    for key, value in extra.items():
        text += f"    {key}: {value}\n"
    path.write_text(text, encoding="utf-8")


def start_acme(project: Path, db_url: str) -> Acme:
    app = create_app(project, db_url, "test-secret-" + "x" * 20, create_schema=True)
    store = app.state.holder.current().store
    people = {
        "wei": users.add_user(store.engine, "wei", PASSWORD, ["service_agent"]),
        "mona": users.add_user(store.engine, "mona", PASSWORD, ["service_manager"]),
        "sam": users.add_user(store.engine, "sam", PASSWORD, ["sales_manager"]),
        "ada": users.add_user(store.engine, "ada", PASSWORD, ["admin"]),
    }
    gateway = Gateway(lambda: store, port=free_port())
    gateway.start()
    return Acme(app, store, gateway, people)
