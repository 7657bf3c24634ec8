"""The import pages: `/import` uploads a CSV or XLSX file, previews it (a dry run: what
each column fills, the counts, every row's problems), runs it, and lists past imports
with undo (administrators).

The upload is kept in the temporary directory under a random name tied to the user
until it is imported; the import itself is `guanxi.data.importer`, the same as the
command line's, as the signed-in user, with the project's `mappings/<file name>.yaml`
when there is one.
"""

from __future__ import annotations

import os
import re
import secrets
import tempfile
from pathlib import Path
from typing import Any

from guanxi.data import batches, mapping
from guanxi.data.importer import MODES, Importer, Problem, undo
from guanxi.data.readers import XLSX_SUFFIXES
from guanxi.errors import GuanxiError
from guanxi.server import records as rv
from guanxi.server.context import Ctx, handler
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.routing import Route

SHOWN = 100
_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")
_SUFFIXES = frozenset({".csv", ".txt", *XLSX_SUFFIXES})


def _folder() -> Path:
    folder = Path(tempfile.gettempdir()) / "guanxi-imports"
    folder.mkdir(mode=0o700, exist_ok=True)
    return folder


def _upload_path(ctx: Ctx, token: str) -> Path:
    """The kept upload of `token`, which must be the signed-in user's."""
    assert ctx.user is not None
    if not _TOKEN.fullmatch(token):
        raise HTTPException(400, "no such upload")
    for path in _folder().glob(f"{ctx.user.id}-{token}.*"):
        return path
    raise HTTPException(400, "the upload is gone; send the file again")


def _keep(ctx: Ctx, upload: UploadFile) -> tuple[str, Path]:
    assert ctx.user is not None
    suffix = Path(upload.filename or "").suffix.lower()
    if suffix not in _SUFFIXES:
        upload.file.close()
        raise HTTPException(400, "send a .csv or .xlsx file")
    token = secrets.token_urlsafe(18)
    path = _folder() / f"{ctx.user.id}-{token}{suffix}"
    try:
        with open(path, "wb") as handle:
            handle.write(upload.file.read())
    finally:
        upload.file.close()
    os.chmod(path, 0o600)
    return token, path


def _is_admin(ctx: Ctx) -> bool:
    assert ctx.user is not None
    spec = ctx.spec
    return any(role.admin for name in spec.expand_roles(ctx.user.roles)
               if (role := spec.role(name)))


def _run(ctx: Ctx, entity: str, path: Path, name: str, mode: str, keys: list[str],
         dry_run: bool) -> dict[str, Any]:
    chosen = None
    candidate = Path(ctx.spec.root) / mapping.MAPPINGS_DIR / f"{Path(name).stem}.yaml"
    if candidate.is_file():
        loaded, _ = mapping.load(candidate, ctx.spec)
        if loaded is not None and loaded.entity == entity:
            chosen = loaded
    problems: list[Problem] = []

    def report(problem: Problem) -> None:
        if len(problems) < SHOWN:
            problems.append(problem)

    importer = Importer(ctx.store, rv.acting_user(ctx), entity, chosen, mode=mode, keys=keys,
                        dry_run=dry_run, report=report)
    result = importer.run(path)
    spec = ctx.entity(entity)
    plan = [{"column": p.header, "field": "state" if p.target == "state" else
             rv.label_of(ctx, spec, p.target) if spec.field(p.target) else p.target}
            for p in importer.plan.columns]
    return {"result": result, "problems": problems, "plan": plan,
            "mapping": str(candidate.name) if chosen else ""}


@handler()
def import_page(ctx: Ctx) -> Response:
    entities = [e for e in ctx.spec.entities if ctx.may(e.name, "create")]
    if not entities:
        raise HTTPException(403)
    admin = _is_admin(ctx)
    values: dict[str, Any] = {"entities": [(e.name, rv.entity_label(ctx, e, plural=True))
                                           for e in entities],
                              "modes": MODES, "admin": admin, "outcome": None,
                              "messages": [], "token": "",
                              "chosen": {"entity": "", "mode": MODES[0], "key": "", "name": ""}}
    status = 200
    if ctx.request.method == "POST":
        assert ctx.form is not None
        form = ctx.form
        entity = str(form.get("entity") or "")
        mode = str(form.get("mode") or "all-or-nothing")
        keys = [k.strip() for k in str(form.get("key") or "").split(",") if k.strip()]
        if entity not in {e.name for e in entities} or mode not in MODES:
            raise HTTPException(400, "choose an entity and a mode")
        upload = form.get("file")
        if isinstance(upload, UploadFile) and upload.filename:
            token, path = _keep(ctx, upload)
            name = upload.filename
        else:
            if isinstance(upload, UploadFile):
                upload.file.close()
            token = str(form.get("token") or "")
            path = _upload_path(ctx, token)
            name = str(form.get("name") or path.name)
        run = form.get("action") == "run"
        try:
            outcome = _run(ctx, entity, path, name, mode, keys, dry_run=not run)
        except GuanxiError as error:
            values["messages"] = [str(error)]
            status = 400
        else:
            values["outcome"] = outcome
            if run:
                path.unlink(missing_ok=True)
                token = ""
        values.update(token=token, chosen={"entity": entity, "mode": mode,
                                           "key": ",".join(keys), "name": name})
    engine = ctx.store.engine
    values["history"] = batches.listing(engine, 20)
    return ctx.render("imports", None, status=status, title=ctx.t("import"), **values)


@handler()
def undo_import(ctx: Ctx, batch: int) -> Response:
    if not _is_admin(ctx):
        raise HTTPException(403)
    try:
        undo(ctx.store, rv.acting_user(ctx), batch)
    except GuanxiError as error:
        ctx.flash(str(error))
        return ctx.redirect("/import")
    ctx.flash(ctx.t("import_undone", batch=batch))
    return ctx.redirect("/import")


def routes() -> list[Route]:
    return [Route("/import", import_page, methods=["GET", "POST"]),
            Route("/import/{batch:int}/undo", undo_import, methods=["POST"])]
