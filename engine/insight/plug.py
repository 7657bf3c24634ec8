"""Plugging segments and tiers into the worker: the `classify` job kind and the follower
that queues it (`guanxi.insight.classify`). Importing this module plugs them in (once);
the command line and the server import it."""

from __future__ import annotations

from guanxi.automation.handlers import HANDLERS
from guanxi.automation.worker import FOLLOWERS
from guanxi.insight import classify


def install() -> None:
    HANDLERS.setdefault(classify.JOB_KIND, classify.run_job)
    if classify.follow not in FOLLOWERS:
        FOLLOWERS.append(classify.follow)


install()
