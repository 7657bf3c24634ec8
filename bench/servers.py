"""Servers under test, run as subprocesses on 127.0.0.1 and stopped afterwards."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx

LOOPBACK = "127.0.0.1"
REPO = Path(__file__).resolve().parent.parent


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        return int(sock.getsockname()[1])


def uvicorn_command(app: str, port: int) -> list[str]:
    """uvicorn serving `app` with the settings `guanxi serve` uses (uvicorn.run with
    log_level="info", so the access log is on): 1 worker, loopback."""
    return [
        sys.executable, "-m", "uvicorn", app, "--host", LOOPBACK, "--port", str(port),
        "--workers", "1", "--log-level", "info", "--no-proxy-headers",
    ]


@dataclass
class Server:
    """A running server process and the seconds it took to answer its first request."""

    process: subprocess.Popen[bytes]
    base_url: str
    startup_seconds: float
    log_path: Path

    def rss_mb(self) -> float:
        """Resident memory of the server and its children, in MiB."""
        return process_tree_rss_kb(self.process.pid) / 1024

    def stop(self) -> None:
        """Ask the server to stop (SIGINT, as Ctrl-C), and kill it if it does not."""
        if self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)

    def log_tail(self, lines: int = 20) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])


def start(
    command: Sequence[str],
    port: int,
    ready_path: str,
    log_path: Path,
    env: dict[str, str] | None = None,
    timeout: float = 60.0,
    ready_headers: dict[str, str] | None = None,
) -> Server:
    """Start `command` and wait until GET `ready_path` on 127.0.0.1:`port` answers (any
    status below 500). The startup time runs from process creation to that answer."""
    full_env = {**os.environ, **(env or {})}
    full_env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(REPO), full_env.get("PYTHONPATH", "")) if p
    )
    log = log_path.open("wb")
    started = time.perf_counter()
    process = subprocess.Popen(
        list(command), cwd=REPO, env=full_env, stdout=log, stderr=subprocess.STDOUT,
    )
    log.close()
    base_url = f"http://{LOOPBACK}:{port}"
    server = Server(process, base_url, 0.0, log_path)
    deadline = started + timeout
    with httpx.Client(timeout=2.0) as client:
        while True:
            if process.poll() is not None:
                raise RuntimeError(
                    f"server exited with {process.returncode} before answering:\n"
                    + server.log_tail()
                )
            try:
                response = client.get(base_url + ready_path, headers=ready_headers)
                if response.status_code < 500:
                    break
            except httpx.TransportError:
                pass
            if time.perf_counter() > deadline:
                server.stop()
                raise RuntimeError(f"server did not answer within {timeout:.0f} s:\n"
                                   + server.log_tail())
            time.sleep(0.005)
    server.startup_seconds = time.perf_counter() - started
    return server


def process_tree_rss_kb(pid: int) -> int:
    """VmRSS of `pid` and all its descendants, from /proc, in KiB."""
    total = 0
    todo = [pid]
    while todo:
        current = todo.pop()
        try:
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
                    break
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        todo.extend(int(c) for c in children)
    return total
