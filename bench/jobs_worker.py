"""A job-queue worker process for the claim-throughput case:
`python -m bench.jobs_worker URL NAME START_FILE`: waits until START_FILE exists, then
claims and completes jobs (20 at a time) until none is left, and prints how many it ran
and the moments (epoch seconds) it started and finished."""

from __future__ import annotations

import datetime as dt
import os
import sys
import time

from guanxi.automation import jobs
from guanxi.store.database import create_engine
from guanxi.store.unit import transaction


def main(url: str, name: str, start_file: str) -> None:
    engine = create_engine(url)
    while not os.path.exists(start_file):
        time.sleep(0.005)
    began = time.time()
    done = 0
    while True:
        now = dt.datetime.now(dt.UTC)
        claimed = jobs.claim(engine, name, now, limit=20)
        if not claimed:
            break
        for job in claimed:
            with transaction(engine, write=True) as conn:
                jobs.complete(conn, job, name, now)
            done += 1
    print(done, began, time.time(), flush=True)
    engine.dispose()


if __name__ == "__main__":
    main(*sys.argv[1:4])
