"""The import pages: `/import` uploads a CSV or XLSX file and shows the mapping screen
(what each column fills, suggested from the project's `mappings/<file name>.yaml` or by
names and labels, and each column's value map, offering the values of the file no
option takes); a preview (a dry run: the counts and every row's problems); the
mapping as YAML to download; and the run, queued as a job (`guanxi.data.queue`) whose
page `/import/{batch}` shows its progress (refreshed every two seconds while it runs;
`/import/{batch}/progress` answers the same in JSON). Past imports are listed, with
undo for administrators.

The upload, and the mapping edited for it, are kept in a private folder under a random
name tied to the user until they are imported; the mapping passes the same checks as a
mapping file (`guanxi.data.mapping`) before anything runs.
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from guanxi.data import batches, draft, mapping, plug, queue
from guanxi.data.importer import MODES, Importer, Problem, undo
from guanxi.data.readers import XLSX_SUFFIXES
from guanxi.errors import GuanxiError, NotFound
from guanxi.server import records as rv
from guanxi.server.context import Ctx, handler, is_admin
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

SHOWN = 100
REFRESH_SECONDS = 2
_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")
_PAIR = re.compile(r"from_(\d+)_(\d+)")
_SUFFIXES = frozenset({".csv", ".txt", *XLSX_SUFFIXES})
_RUNNING = ("queued", "running")

plug.install()


def _upload_path(ctx: Ctx, token: str) -> Path:
    """The kept upload of `token`, which must be the signed-in user's."""
    assert ctx.user is not None
    if not _TOKEN.fullmatch(token):
        raise HTTPException(400, "no such upload")
    for path in queue.folder().glob(f"{ctx.user.id}-{token}.*"):
        return path
    raise HTTPException(400, "the upload is gone; send the file again")


def _mapping_path(upload: Path) -> Path:
    return upload.with_name(f"{upload.stem}-mapping.yaml")


def _keep(ctx: Ctx, upload: UploadFile) -> tuple[str, Path]:
    assert ctx.user is not None
    suffix = Path(upload.filename or "").suffix.lower()
    if suffix not in _SUFFIXES:
        upload.file.close()
        raise HTTPException(400, "send a .csv or .xlsx file")
    token = secrets.token_urlsafe(18)
    path = queue.folder() / f"{ctx.user.id}-{token}{suffix}"
    try:
        with open(path, "wb") as handle:
            handle.write(upload.file.read())
    finally:
        upload.file.close()
    os.chmod(path, 0o600)
    return token, path


def _base(ctx: Ctx, entity: str, name: str) -> mapping.ImportMapping | None:
    """The project's mapping for a file of this name, when it is for this entity."""
    candidate = Path(ctx.spec.root) / mapping.MAPPINGS_DIR / f"{Path(name).stem}.yaml"
    if candidate.is_file():
        loaded, _ = mapping.load(candidate, ctx.spec)
        if loaded is not None and loaded.entity == entity:
            return loaded
    return None


def _edited(form: Mapping[str, Any], width: int
            ) -> tuple[dict[str, str] | None, dict[str, dict[str, str]] | None]:
    """What the mapping screen sent, by column position: the targets and value maps
    (None when the form did not come from the screen)."""
    if form.get("mapped") != "1":
        return None, None
    targets = {str(i): str(form.get(f"col_{i}") or "") for i in range(width)}
    values: dict[str, dict[str, str]] = {str(i): {} for i in range(width)}
    for name in form:
        found = _PAIR.fullmatch(str(name))
        if found is None or int(found.group(1)) >= width:
            continue
        written = str(form.get(name) or "").strip()
        to = str(form.get(f"to_{found.group(1)}_{found.group(2)}") or "").strip()
        if written and to:
            values[found.group(1)][written] = to
    return targets, values


def _targets(ctx: Ctx, entity: str) -> list[tuple[str, str]]:
    """What a column may fill, for the screen's choice: the state, then the fields."""
    spec = ctx.entity(entity)
    out = [("", ctx.t("import_unused"))]
    if spec.workflow:
        out.append((draft.STATE, ctx.t("state")))
    out.extend((f.name, rv.label_of(ctx, spec, f.name)) for f in spec.fields if not f.compute)
    return out


def _options(ctx: Ctx, entity: str, target: str) -> list[tuple[str, str]]:
    """The values a column filling `target` may be mapped to (empty: any text)."""
    compiled = ctx.store.app.entity(entity)
    if target == draft.STATE and compiled.machine is not None:
        return [(s.name, ctx.text(s.label, s.name)) for s in compiled.machine.spec.states]
    spec = compiled.fields.get(target)
    if spec is not None and spec.type in ("choice", "tags"):
        return [(o.value, ctx.text(o.label, o.value)) for o in spec.options]
    return []


def _screen(ctx: Ctx, entity: str, path: Path, name: str, keys: list[str]
            ) -> tuple[list[draft.ColumnDraft], str, Path, mapping.ImportMapping | None,
                       list[str]]:
    """The columns as edited, the mapping's YAML (kept beside the upload), the checked
    mapping (None when it has errors) and its problems."""
    assert ctx.form is not None
    base = _base(ctx, entity, name)
    compiled = ctx.store.app.entity(entity)
    probe = draft.columns(ctx.store.app, compiled, base, path)
    by_index, values_by_index = _edited(ctx.form, len(probe))
    chosen = values = None
    if by_index is not None and values_by_index is not None:
        chosen = {c.header: by_index[str(c.index)] for c in probe}
        values = {c.header: values_by_index[str(c.index)] for c in probe}
        probe = draft.columns(ctx.store.app, compiled, base, path, chosen, values)
    document = draft.document(entity, base, {c.header: c.target for c in probe},
                              {c.header: dict(c.values) for c in probe}, tuple(keys))
    text = draft.as_yaml(document)
    where = _mapping_path(path)
    where.write_text(text, encoding="utf-8")
    os.chmod(where, 0o600)
    loaded, found = mapping.load(where, ctx.spec, f"{Path(name).stem}.yaml")
    return probe, text, where, loaded, [str(p) for p in found if p.is_error]


def _preview(ctx: Ctx, entity: str, path: Path, chosen: mapping.ImportMapping, mode: str,
             keys: list[str]) -> dict[str, Any]:
    problems: list[Problem] = []

    def report(problem: Problem) -> None:
        if len(problems) < SHOWN:
            problems.append(problem)

    # A request never forks the server's process (`Importer`'s `ahead`).
    importer = Importer(ctx.store, rv.acting_user(ctx), entity, chosen, mode=mode, keys=keys,
                        dry_run=True, report=report, ahead=False)
    result = importer.run(path)
    return {"result": result, "problems": problems}


def _history(ctx: Ctx) -> list[batches.Batch]:
    assert ctx.user is not None
    listed = batches.listing(ctx.store.engine, 20)
    if is_admin(ctx.spec, ctx.user):
        return listed
    return [b for b in listed if b.user_id == ctx.user.id]


@handler()
def import_page(ctx: Ctx) -> Response:
    entities = [e for e in ctx.spec.entities if ctx.may(e.name, "create")]
    if not entities:
        raise HTTPException(403)
    assert ctx.user is not None
    values: dict[str, Any] = {"entities": [(e.name, rv.entity_label(ctx, e, plural=True))
                                           for e in entities],
                              "modes": MODES, "admin": is_admin(ctx.spec, ctx.user),
                              "outcome": None, "messages": [], "token": "", "columns": [],
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
        action = str(form.get("action") or "map")
        values.update(token=token, chosen={"entity": entity, "mode": mode,
                                           "key": ",".join(keys), "name": name})
        try:
            columns, text, where, chosen, problems = _screen(ctx, entity, path, name, keys)
            if action == "download":
                return Response(text, media_type="application/yaml; charset=utf-8",
                                headers={"Content-Disposition": 'attachment; filename="'
                                         f'{_safe_name(name)}.yaml"'})
            if problems:
                values["messages"] = problems
                status = 400
            elif action == "run":
                batch = queue.queue(ctx.store, rv.acting_user(ctx), entity, path, name, mode,
                                    keys, where)
                return ctx.redirect(f"/import/{batch}")
            elif action == "preview" and chosen is not None:
                values["outcome"] = _preview(ctx, entity, path, chosen, mode, keys)
        except GuanxiError as error:
            values["messages"] = [str(error)]
            status = 400
            columns = []
        values["columns"] = [{
            "index": c.index, "header": c.header, "target": c.target, "sample": c.sample,
            "values": [*c.values, *((u, "") for u in c.unmapped), ("", "")],
            "options": _options(ctx, entity, c.target) if c.target else [],
            "problems": [p for p in values["messages"] if f"column '{c.header}'" in p]}
            for c in columns]
        values["targets"] = _targets(ctx, entity)
    values["history"] = _history(ctx)
    return ctx.render("imports", None, status=status, title=ctx.t("import"), **values)


def _safe_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", Path(name).stem)[:80] or "mapping"


def _batch(ctx: Ctx, batch: int) -> batches.Batch:
    """Batch `batch`, when the signed-in user started it or administers (else 404)."""
    assert ctx.user is not None
    try:
        found = batches.get(ctx.store.engine, batch)
    except NotFound:
        raise HTTPException(404) from None
    if found.user_id != ctx.user.id and not is_admin(ctx.spec, ctx.user):
        raise HTTPException(404)
    return found


def _state(ctx: Ctx, found: batches.Batch) -> dict[str, Any]:
    progress = queue.read_progress(ctx.store.engine, found.id)
    share = (100 * progress.done // progress.total) if progress.total else (
        0 if found.status in _RUNNING else 100)
    return {"batch": found.id, "entity": found.entity, "file": found.file,
            "status": found.status, "done": progress.done, "total": progress.total,
            "percent": share, "created": found.created, "updated": found.updated,
            "unchanged": found.unchanged, "failed": found.failed, "error": progress.error,
            "problems": progress.as_json()["problems"]}


@handler()
def batch_page(ctx: Ctx, batch: int) -> Response:
    found = _batch(ctx, batch)
    assert ctx.user is not None
    state = _state(ctx, found)
    response = ctx.render("import_batch", None, title=ctx.t("import_batch", batch=batch),
                          state=state, admin=is_admin(ctx.spec, ctx.user),
                          running=found.status in _RUNNING)
    if found.status in _RUNNING:
        response.headers["Refresh"] = str(REFRESH_SECONDS)
    return response


@handler()
def batch_progress(ctx: Ctx, batch: int) -> Response:
    return JSONResponse(_state(ctx, _batch(ctx, batch)))


@handler()
def undo_import(ctx: Ctx, batch: int) -> Response:
    assert ctx.user is not None
    if not is_admin(ctx.spec, ctx.user):
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
            Route("/import/{batch:int}", batch_page, methods=["GET"]),
            Route("/import/{batch:int}/progress", batch_progress, methods=["GET"]),
            Route("/import/{batch:int}/undo", undo_import, methods=["POST"])]
