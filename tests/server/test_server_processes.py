"""`guanxi serve --workers N`: several real server processes on one port, PostgreSQL
only."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
from conftest import EXAMPLES
from guanxi.cli.main import main
from server_app import free_port

ACCESS_LINE = re.compile(r"^\[(\d+)\] INFO: .*\"GET /login HTTP/1.1\" 200", re.MULTILINE)




def test_several_processes_are_refused_on_sqlite(tmp_path: Path, capsys) -> None:
    url = f"sqlite:///{tmp_path / 'one.sqlite'}"
    assert main(["serve", str(EXAMPLES / "acme"), "--db", url, "--workers", "2"]) == 1
    assert "--workers 2 needs PostgreSQL" in capsys.readouterr().err


def test_two_processes_serve_requests_on_one_port(postgres_url: str) -> None:
    acme = str(EXAMPLES / "acme")
    assert main(["migrate", acme, "--db", postgres_url]) == 0
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "guanxi", "serve", acme, "--db", postgres_url,
         "--workers", "2", "--port", str(port), "--no-worker"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, "GUANXI_SECRET": "s" * 40})
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(server.stdout or ()), daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + 60
        while sum("Application startup complete" in line for line in list(lines)) < 2:
            assert time.monotonic() < deadline and server.poll() is None, "".join(lines)
            time.sleep(0.1)
        answered = 0
        for _ in range(40):  # a new connection each time, as separate browsers open them
            with httpx.Client(base_url=f"http://127.0.0.1:{port}") as client:
                answered += client.get("/login").status_code == 200
        assert answered == 40
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
        reader.join(timeout=10)
        if server.stdout is not None:
            server.stdout.close()
    output = "".join(lines)
    started = re.search(r"2 server processes: (\d+), (\d+)", output)
    assert started is not None, output
    children = {int(started.group(1)), int(started.group(2))}
    served = {int(pid) for pid in ACCESS_LINE.findall(output)}
    assert served == children
    assert server.returncode == 0
