"""`guanxi schemas`: the JSON Schemas of the YAML language, written where an editor finds
them, with the settings that tell VS Code's YAML language server which files each fits.

    guanxi schemas                                   list the schemas and the files they fit
    guanxi schemas --write .schemas                  write them into .schemas/
    guanxi schemas --write .schemas --settings .vscode/settings.json
                                                     … and point VS Code at them
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from importlib.resources import files
from pathlib import Path
from typing import Any

# The files of a project each schema fits; a schema named after a folder fits the YAML
# files in that folder.
GLOBS = {"project": "**/guanxi.yaml"}


def shipped() -> dict[str, str]:
    """Name ("entities") -> text of every schema shipped with Guanxi."""
    found = {}
    for item in files("guanxi.schemas").iterdir():
        if item.name.endswith(".schema.json"):
            found[item.name.removesuffix(".schema.json")] = item.read_text("utf-8")
    return dict(sorted(found.items()))


def glob_of(name: str) -> str:
    return GLOBS.get(name, f"**/{name}/*.yaml")


def settings_for(folder: Path, base: Path) -> dict[str, str]:
    """The `yaml.schemas` setting: each schema file (relative to `base`) -> its glob."""
    out = {}
    for name in shipped():
        path = Path(os.path.relpath(folder / f"{name}.schema.json", base))
        out[path.as_posix()] = glob_of(name)
    return out


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `schemas` sub-command."""
    parser = subparsers.add_parser(
        "schemas", help="write the JSON Schemas of the YAML language for editors",
        description="Write the JSON Schemas (project, entities, workflows, scenarios, …) "
                    "into a folder and print the VS Code setting that applies them, so "
                    "the YAML language server completes keys and underlines mistakes.")
    parser.add_argument("--write", metavar="DIR", help="the folder to write the schemas to")
    parser.add_argument("--settings", metavar="FILE",
                        help="also add the yaml.schemas setting to this VS Code settings "
                             "file (e.g. .vscode/settings.json; other settings are kept)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    schemas = shipped()
    if not args.write:
        for name in schemas:
            print(f"{name}.schema.json  {glob_of(name)}")
        return 0
    folder = Path(args.write)
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in schemas.items():
        (folder / f"{name}.schema.json").write_text(text, encoding="utf-8")
    print(f"wrote {len(schemas)} schema(s) to {folder}")
    if args.settings:
        target = Path(args.settings)
        # VS Code reads schema paths relative to the opened folder: the one that holds
        # .vscode/, or else the settings file's own folder.
        base = target.parent.parent if target.parent.name == ".vscode" else target.parent
        current: dict[str, Any] = {}
        if target.exists():
            try:
                current = json.loads(target.read_text(encoding="utf-8") or "{}")
            except json.JSONDecodeError as error:
                print(f"guanxi: {target} is not plain JSON ({error}); add the setting by "
                      "hand", file=sys.stderr)
                return 1
        merged = dict(current.get("yaml.schemas") or {})
        merged.update(settings_for(folder.resolve(), base.resolve()))
        current["yaml.schemas"] = merged
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(current, indent=2, ensure_ascii=False) + "\n",
                          encoding="utf-8")
        print(f"added yaml.schemas to {target}")
        return 0
    print("With VS Code's YAML extension, add to .vscode/settings.json of the folder you "
          "open (paths relative to it):")
    print(json.dumps({"yaml.schemas": settings_for(folder.resolve(), Path.cwd())}, indent=2))
    return 0
