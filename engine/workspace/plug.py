"""Plugging the search index into the automation worker: each pass indexes what was
written since the last one (`searchindex.follow`). Importing this module plugs it in
(once); the command line and the server import it."""

from __future__ import annotations

from guanxi.automation.worker import FOLLOWERS
from guanxi.workspace import searchindex


def install() -> None:
    if searchindex.follow not in FOLLOWERS:
        FOLLOWERS.append(searchindex.follow)


install()
