"""Several server processes on one port (`guanxi serve --workers N`, PostgreSQL only).

The parent forks N children before it has opened a database connection or started a
thread. Each child opens its own listening socket on the address with `SO_REUSEPORT`,
so the kernel spreads new connections over the children, builds its own application
(its own connection pool and automation worker thread) and runs uvicorn. The parent only
supervises: it forwards SIGINT and SIGTERM to the children, starts a child again when
one dies unexpectedly, and returns when all have stopped. Log lines carry the process
id (`[1234]`), so an operator sees which process answered.

SQLite takes one writer at a time and its file locks do not mix with forked
connection pools, so several processes are refused there (`guanxi.cli.server`).
"""

from __future__ import annotations

import copy
import os
import signal
import socket
import sys
import time
from collections.abc import Callable
from types import FrameType
from typing import Any

import uvicorn
from uvicorn.config import LOGGING_CONFIG

# A child that dies this soon after it started is not started again (it would only die
# again: a port taken, a database refused).
MIN_LIFETIME_SECONDS = 5.0


def logging_config() -> dict[str, Any]:
    """uvicorn's logging, each line prefixed with the process id."""
    config = copy.deepcopy(LOGGING_CONFIG)
    for formatter in config["formatters"].values():
        formatter["fmt"] = "[%(process)d] " + formatter["fmt"]
    return config


def listening_socket(host: str, port: int) -> socket.socket:
    """A socket listening on host:port that other processes may share (SO_REUSEPORT)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def _child(build: Callable[[], uvicorn.Config], host: str, port: int) -> None:
    code = 0
    try:
        sock = listening_socket(host, port)
        uvicorn.Server(build()).run(sockets=[sock])
    except BaseException as error:  # the child must never return into the parent's code
        print(f"guanxi: server process {os.getpid()} stopped: {error}", file=sys.stderr)
        code = 1
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def run(build: Callable[[], uvicorn.Config], host: str, port: int, workers: int) -> int:
    """Serve with `workers` processes, each running the uvicorn config `build()` makes
    (called in the child). Returns when every child has stopped."""
    probe = listening_socket(host, port)  # fails here, once, when the port is taken
    probe.close()
    children: dict[int, float] = {}
    stopping = False

    def start() -> None:
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            _child(build, host, port)
        children[pid] = time.monotonic()

    def stop(signum: int, frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True
        for pid in list(children):
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                children.pop(pid, None)

    previous = {s: signal.signal(s, stop) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        for _ in range(workers):
            start()
        print(f"guanxi: {workers} server processes: {', '.join(map(str, children))}",
              flush=True)
        failed = False
        while children:
            try:
                pid, status = os.wait()
            except ChildProcessError:
                break
            except InterruptedError:
                continue
            started = children.pop(pid, None)
            if started is None or stopping:
                continue
            if os.waitstatus_to_exitcode(status) != 0 and \
                    time.monotonic() - started >= MIN_LIFETIME_SECONDS:
                print(f"guanxi: server process {pid} died; starting another", file=sys.stderr)
                start()
            elif not children:
                failed = os.waitstatus_to_exitcode(status) != 0
        return 1 if failed and not stopping else 0
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
