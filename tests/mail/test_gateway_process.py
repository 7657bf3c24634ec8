"""`guanxi mail-gateway` as its own process: a message sent with smtplib is a ticket in
the database once the gateway has answered."""

from __future__ import annotations

import os
import smtplib
import socket
import subprocess
import sys
import time
from email.message import EmailMessage
from pathlib import Path

from guanxi.compile.app import compile_app
from guanxi.language.project import load_project_or_raise
from guanxi.store.facade import Store
from mail_world import free_port


def wait_for(port: int, process: subprocess.Popen[bytes]) -> None:
    for _ in range(300):
        assert process.poll() is None, process.stderr.read() if process.stderr else ""
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise AssertionError("the gateway did not start listening")


def test_the_gateway_command_files_a_message_as_a_ticket(acme_copy: Path,
                                                         db_url: str) -> None:
    store = Store(compile_app(load_project_or_raise(acme_copy)), db_url)
    store.create_schema()
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "guanxi", "mail-gateway", str(acme_copy), "--db", db_url,
         "--port", str(port)], stderr=subprocess.PIPE, env={**os.environ})
    try:
        wait_for(port, process)
        message = EmailMessage()
        message["From"], message["To"] = "li.lei@customer.example", "service@acme.example"
        message["Subject"] = "屏幕坏了"
        message.set_content("需要维修")
        with smtplib.SMTP("127.0.0.1", port) as client:
            client.send_message(message)
        [ticket] = store.list(store.system, "ticket").items
        assert (ticket["subject"], ticket["channel"]) == ("屏幕坏了", "email")
    finally:
        process.terminate()
        process.communicate(timeout=20)
        store.dispose()
