"""`serve --reload`: YAML edits are picked up on the next request; a broken edit keeps
the last good project running and shows its errors to administrators only."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
from server_app import SHOP_PROJECT, Client, dispose, make_app


@pytest.fixture
def dev(write_project, sqlite_url: str) -> Iterator[SimpleNamespace]:
    root = write_project(SHOP_PROJECT)
    app, _ = make_app(root, sqlite_url, {"rita": ("rep",), "max": ("manager",)}, reload=True)
    yield SimpleNamespace(app=app, root=root)
    dispose(app)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")
    stamp = path.stat().st_mtime_ns + 2_000_000_000  # a later mtime, however coarse the clock
    os.utime(path, ns=(stamp, stamp))


def test_added_field_appears_on_the_next_request(dev):
    with Client(dev.app) as client:
        client.login("rita", "long-secret-pw")
        assert "Phone number" not in client.get("/e/lead/new").text
        edit(dev.root / "entities" / "crm.yaml", "    source: {type: choice",
             "    phone: {type: phone, label: {en: Phone number}}\n    source: {type: choice")
        page = client.get("/e/lead/new").text
        assert "Phone number" in page and 'type="tel"' in page
        created = client.form("/e/lead/new", {"name": "Bo", "phone": "+1 555 0100 22"})
        assert created.status_code == 303


def test_broken_edit_keeps_the_last_good_project_and_tells_admins(dev):
    edit(dev.root / "entities" / "crm.yaml", "to: account}", "to: acount}")
    with Client(dev.app) as admin:
        admin.login("max", "long-secret-pw")
        page = admin.get("/e/lead/new")
        assert page.status_code == 200 and 'name="account"' in page.text
        assert "configuration errors" in page.text
        assert "crm.yaml:" in page.text and "acount" in page.text
    with Client(dev.app) as rep:
        rep.login("rita", "long-secret-pw")
        page = rep.get("/e/lead/new").text
        assert "configuration errors" not in page and "acount" not in page


def test_fixing_the_edit_clears_the_errors(dev):
    crm = dev.root / "entities" / "crm.yaml"
    edit(crm, "to: account}", "to: acount}")
    with Client(dev.app) as admin:
        admin.login("max", "long-secret-pw")
        assert "configuration errors" in admin.get("/").text
        edit(crm, "to: acount}", "to: account}")
        assert "configuration errors" not in admin.get("/").text


def test_without_reload_edits_are_ignored(write_project, sqlite_url):
    root = write_project(SHOP_PROJECT)
    app, _ = make_app(root, sqlite_url, {"rita": ("rep",)})
    try:
        with Client(app) as client:
            client.login("rita", "long-secret-pw")
            edit(root / "entities" / "crm.yaml", "label: {en: Name, zh: 姓名}",
                 "label: {en: Full name, zh: 姓名}")
            assert "Full name" not in client.get("/e/lead/new").text
    finally:
        dispose(app)
