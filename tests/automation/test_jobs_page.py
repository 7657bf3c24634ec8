"""The job queue as administrators see it: failed jobs with their error, and a retry
button; the CLI's list, retry and cancel."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from desk_project import write
from guanxi.automation import jobs
from guanxi.cli.main import main
from guanxi.store.unit import transaction
from server_app import PASSWORD, Client, dispose, make_app

NOW = dt.datetime(2026, 12, 1, 8, tzinfo=dt.UTC)


@pytest.fixture
def site(tmp_path: Path, db_url: str) -> Iterator[tuple[Any, sa.Engine]]:
    app, _ = make_app(write(tmp_path / "desk"), db_url, {"boss": ("boss",), "ann": ("agent",)})
    engine = app.state.holder.current().engine
    yield app, engine
    dispose(app)


def _failed(engine: sa.Engine) -> int:
    with transaction(engine, write=True) as conn:
        job_id = jobs.enqueue(conn, "nope", {}, now=NOW, max_attempts=1)
    [job] = jobs.claim(engine, "w", NOW)
    jobs.fail(engine, job, "w", NOW, "no handler for jobs of kind 'nope'")
    assert job_id is not None
    return job_id


def test_an_administrator_sees_a_failed_job_with_its_error(site) -> None:  # type: ignore[no-untyped-def]
    app, engine = site
    _failed(engine)
    with Client(app) as client:
        client.login("boss", PASSWORD)
        page = client.get("/admin/jobs?state=failed").text
    assert "no handler for jobs of kind &#39;nope&#39;" in page


def test_the_retry_button_queues_a_failed_job_again(site) -> None:  # type: ignore[no-untyped-def]
    app, engine = site
    job_id = _failed(engine)
    with Client(app) as client:
        client.login("boss", PASSWORD)
        client.form(f"/admin/jobs/{job_id}/retry", {}, page="/admin/jobs")
    [job] = jobs.list_jobs(engine)
    assert (job.state, job.attempts) == ("queued", 0)


def test_the_job_queue_is_for_administrators_only(site) -> None:  # type: ignore[no-untyped-def]
    app, _ = site
    with Client(app) as client:
        client.login("ann", PASSWORD)
        assert client.get("/admin/jobs").status_code == 403


def test_the_jobs_command_lists_retries_and_cancels(
        site, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _, engine = site
    job_id = _failed(engine)
    url = engine.url.render_as_string(hide_password=False)
    project = str(tmp_path / "desk")
    assert main(["jobs", "list", project, "--db", url, "--state", "failed"]) == 0
    assert "no handler for jobs of kind 'nope'" in capsys.readouterr().out
    assert main(["jobs", "retry", project, str(job_id), "--db", url]) == 0
    assert main(["jobs", "cancel", project, str(job_id), "--db", url]) == 0
    assert [j.state for j in jobs.list_jobs(engine)] == ["cancelled"]
    assert main(["jobs", "cancel", project, str(job_id), "--db", url]) == 1
