"""`guanxi check` reads a project within bounds: only regular files inside the project
directory, never more than a file's limit and one byte, and no more than MAX_PROJECT_FILES
files or MAX_PROJECT_BYTES bytes in all. Each case runs the real command in a process of
its own, with a time limit, so a hang is a failure rather than a stuck test run."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import EXAMPLES
from guanxi.language.project import MAX_PROJECT_BYTES, MAX_PROJECT_FILES
from guanxi.language.yamlload import MAX_FILE_BYTES

TIME_LIMIT = 60


def check(project: Path) -> tuple[int, list[dict], float]:
    """Exit code, diagnostics and seconds taken by `guanxi check --json PROJECT`."""
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-c", "from guanxi.cli.main import main; "
                           "raise SystemExit(main())", "check", str(project), "--json"],
                          capture_output=True, text=True, timeout=TIME_LIMIT)
    report = json.loads(done.stdout) if done.stdout.strip() else {"diagnostics": []}
    return done.returncode, report["diagnostics"], time.monotonic() - started


def ids(diagnostics: list[dict]) -> list[str]:
    return [d["id"] for d in diagnostics]


@pytest.fixture
def acme(tmp_path: Path) -> Path:
    target = tmp_path / "acme"
    shutil.copytree(EXAMPLES / "acme", target)
    return target


def test_acme_copy_checks_clean(acme):
    code, diagnostics, _ = check(acme)
    assert code == 0 and "GX11" not in " ".join(ids(diagnostics))


def test_symlink_to_dev_zero_is_refused_without_reading_it(acme):
    (acme / "entities" / "zero.yaml").symlink_to("/dev/zero")
    code, diagnostics, seconds = check(acme)
    assert code == 1
    [found] = [d for d in diagnostics if d["id"] == "GX112"]
    assert found["file"].endswith("entities/zero.yaml") and found["line"] == 1
    assert "/dev/zero" in found["message"]
    assert seconds < TIME_LIMIT / 2


def test_fifo_is_refused_without_waiting_for_a_writer(acme):
    os.mkfifo(acme / "entities" / "pipe.yaml")
    code, diagnostics, _ = check(acme)
    assert code == 1
    [found] = [d for d in diagnostics if d["id"] == "GX111"]
    assert found["file"].endswith("entities/pipe.yaml")
    assert "FIFO" in found["message"]


def test_directory_named_like_a_yaml_file_is_refused(acme):
    (acme / "entities" / "folder.yaml").mkdir()
    code, diagnostics, _ = check(acme)
    assert code == 1 and "GX111" in ids(diagnostics)


def test_symlink_to_a_file_outside_the_project_is_refused(acme, tmp_path):
    outside = tmp_path / "elsewhere.yaml"
    outside.write_text((acme / "entities" / "lead.yaml").read_text())
    (acme / "entities" / "lead.yaml").unlink()
    (acme / "entities" / "lead.yaml").symlink_to(outside)
    code, diagnostics, _ = check(acme)
    assert code == 1
    [found] = [d for d in diagnostics if d["id"] == "GX112"]
    assert found["file"].endswith("entities/lead.yaml")
    assert str(outside.resolve()) in found["message"]


def test_symlinked_project_file_to_outside_is_refused(acme, tmp_path):
    outside = tmp_path / "guanxi.yaml"
    (acme / "guanxi.yaml").rename(outside)
    (acme / "guanxi.yaml").symlink_to(outside)
    code, diagnostics, _ = check(acme)
    assert code == 1 and "GX112" in ids(diagnostics)


def test_symlink_inside_the_project_is_read(acme):
    (acme / "shared").mkdir()
    (acme / "entities" / "lead.yaml").rename(acme / "shared" / "lead.yaml")
    (acme / "entities" / "lead.yaml").symlink_to(Path("..") / "shared" / "lead.yaml")
    code, diagnostics, _ = check(acme)
    assert code == 0, diagnostics


def test_more_files_than_the_bound_is_one_located_error(acme):
    for n in range(MAX_PROJECT_FILES):
        (acme / "entities" / f"zz{n:04}.yaml").write_text("")
    code, diagnostics, _ = check(acme)
    assert code == 1
    [found] = [d for d in diagnostics if d["id"] == "GX114"]
    assert found["file"].endswith(".yaml") and str(MAX_PROJECT_FILES) in found["message"]


def test_forty_files_of_a_megabyte_are_refused_quickly(acme):
    filler = "# " + "x" * (MAX_FILE_BYTES - 100) + "\n"
    for n in range(40):
        (acme / "entities" / f"big{n:02}.yaml").write_text(filler)
    code, diagnostics, seconds = check(acme)
    assert code == 1
    [found] = [d for d in diagnostics if d["id"] == "GX115"]
    assert found["file"].endswith(".yaml")
    assert str(MAX_PROJECT_BYTES // (1024 * 1024)) in found["message"]
    assert seconds < 20  # before: 50 s and 910 MB for the 40 files


def test_a_file_over_its_limit_is_refused(acme):
    (acme / "entities" / "huge.yaml").write_text("# " + "x" * MAX_FILE_BYTES + "\n")
    code, diagnostics, _ = check(acme)
    assert code == 1 and "GX104" in ids(diagnostics)
