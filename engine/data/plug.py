"""Plugging the data layer into the worker: the `import` job kind (an import queued from
the web page, `guanxi.data.queue`) and the `duplicates` job kind (a scheduled clean-up,
`guanxi.data.cleanup`). Importing this module plugs them in (once); the command line's
worker and the server import it."""

from __future__ import annotations

from guanxi.automation.handlers import HANDLERS
from guanxi.data import cleanup, queue


def install() -> None:
    HANDLERS.setdefault(queue.IMPORT_JOB, queue.run_import)
    HANDLERS.setdefault(cleanup.DUPLICATES_JOB, cleanup.run_duplicates)


install()
