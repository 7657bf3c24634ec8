"""`guanxi check`: read a project and report every problem in it."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from guanxi.cli.explain import LANGUAGES
from guanxi.diagnostics import Diagnostic
from guanxi.language.project import LoadResult, load_project
from guanxi.spec import ProjectSpec


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add this module's sub-commands."""
    check = subparsers.add_parser(
        "check",
        help="report every problem in a project (exit 1 on errors)",
        description="Read the project in PATH and report every problem, each as "
        "file:line:col: [ID] message (hint: ...). Exits 1 when there are errors; warnings "
        "alone exit 0. docs/errors.md explains every ID.",
    )
    check.add_argument("path", metavar="PATH", help="the project directory (holds guanxi.yaml)")
    check.add_argument("--json", action="store_true", help="print the result as JSON")
    check.add_argument("--pii", action="store_true",
                       help="also list the fields marked sensitive (personal data)")
    check.add_argument("--language", choices=LANGUAGES, default=None,
                       help="the language of the messages (zh: Chinese; default: the "
                       "project's first language, else English)")
    check.set_defaults(handler=run_check)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" + ("" if count == 1 else "s")


def summary(result: LoadResult, path: str, language: str = "en") -> str:
    """`3 errors, 1 warning in examples/acme` (`language` zh: in Chinese)."""
    if language == "zh":
        return f"{path} 中有 {len(result.errors)} 个错误、{len(result.warnings)} 个警告"
    return (f"{_plural(len(result.errors), 'error')}, "
            f"{_plural(len(result.warnings), 'warning')} in {path}")


def format_diagnostic(d: Diagnostic, language: str = "en") -> str:
    """A diagnostic as printed, in `language`: warnings say so after the location."""
    d = d.in_language(language)
    zh = language == "zh"
    warning = "" if d.is_error else "警告 " if zh else "warning "
    text = f"{d.loc}: {warning}[{d.id}] {d.message}"
    if not d.hint:
        return text
    return f"{text}（提示：{d.hint}）" if zh else f"{text} (hint: {d.hint})"


def sensitive_fields(spec: ProjectSpec) -> list[dict[str, Any]]:
    """Every field marked `sensitive`, with its entity, type and place."""
    return [
        {"entity": e.name, "field": f.name, "type": f.type, "file": f.loc.file,
         "line": f.loc.line, "col": f.loc.col}
        for e in spec.entities for f in e.fields if f.sensitive
    ]


def language_of(result: LoadResult, asked: str | None) -> str:
    """The language to report in: the one asked for, else the project's first language
    when the checker speaks it, else English."""
    if asked is not None:
        return asked
    first = result.spec.languages[0] if result.spec and result.spec.languages else "en"
    return first if first in LANGUAGES else "en"


def run_check(args: argparse.Namespace) -> int:
    result = load_project(args.path)
    language = language_of(result, args.language)
    pii = sensitive_fields(result.spec) if args.pii and result.spec else []
    if args.json:
        report: dict[str, Any] = {
            "project": args.path,
            "errors": len(result.errors),
            "warnings": len(result.warnings),
            "diagnostics": [d.in_language(language).as_json()
                            for d in result.diagnostics],
        }
        if args.pii:
            report["sensitive_fields"] = pii
        json.dump(report, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        for d in result.diagnostics:
            print(format_diagnostic(d, language))
        if args.pii:
            print(("敏感字段" if language == "zh" else "sensitive fields")
                  + f" ({len(pii)}):")
            for row in pii:
                print(f"  {row['file']}:{row['line']}:{row['col']}: "
                      f"{row['entity']}.{row['field']} ({row['type']})")
        print(summary(result, args.path, language))
    return 1 if result.errors or result.spec is None else 0
