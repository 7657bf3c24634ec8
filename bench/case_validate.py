"""Validating one lead record: Guanxi's compiled entity validator against jsonschema's
Draft 2020-12 validator, compiled once, on a schema saying the same things (types,
lengths, bounds, options, e-mail and phone shapes, the referral rule)."""

from __future__ import annotations

from typing import Any

from jsonschema import Draft202012Validator

from bench import guanxi_side
from bench.harness import Context, Measurement, Target, Unavailable, measure, unavailable
from bench.projects import lead_rows

CASE = "validate"
TARGET = Target("abs_max", 5.0, "≤ 5 µs")

_TEXT = {"type": ["string", "null"]}
LEAD_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "properties": {
        "name": {"type": "string", "minLength": 1, "maxLength": 200},
        "email": {**_TEXT, "maxLength": 255, "pattern": r"^[^@\s]+@[^@\s]+\.[^@\s.]+$"},
        "phone": {**_TEXT, "maxLength": 255, "pattern": r"^[0-9 +\-().]+$"},
        "source": {"enum": ["web", "phone", "referral", "expo", None]},
        "referrer": {**_TEXT, "maxLength": 200},
        "value": {"type": ["number", "null"], "minimum": 0},
        "probability": {"type": ["number", "null"], "minimum": 0, "maximum": 100},
        "company": {**_TEXT, "maxLength": 200},
        "city": {**_TEXT, "maxLength": 100},
        "expected_close": {**_TEXT, "format": "date"},
    },
    "required": ["name"],
    "additionalProperties": False,
    "if": {"properties": {"source": {"const": "referral"}}, "required": ["source"]},
    "then": {"properties": {"referrer": {"type": "string", "minLength": 1}},
             "required": ["referrer"]},
}


def jsonschema_validator() -> Draft202012Validator:
    return Draft202012Validator(LEAD_SCHEMA,
                                format_checker=Draft202012Validator.FORMAT_CHECKER)


def per_record(validate: Any, records: list[dict[str, Any]], rounds: int) -> float:
    """Best-of-`rounds` microseconds per record of `validate(record)` over `records`."""
    from bench.harness import time_once

    best = float("inf")
    for _ in range(rounds):
        def batch() -> None:
            for record in records:
                validate(record)
        seconds, _ = time_once(batch)
        best = min(best, seconds / len(records))
    return best * 1e6


def run(ctx: Context) -> list[Measurement]:
    records = lead_rows(ctx.sizes.validate_records)
    rounds = max(3, ctx.sizes.repeat * 2)
    checker = jsonschema_validator()
    if not all(checker.is_valid(r) for r in records):
        raise AssertionError("the benchmark rows must be valid under the jsonschema baseline")
    baseline = per_record(checker.is_valid, records, rounds)
    name = "jsonschema Draft 2020-12 (compiled)"
    try:
        validate = guanxi_side.record_validator(ctx.workdir)
        problems = [e for e in (validate(r) for r in records[:50]) if e]
        if problems:
            raise AssertionError(f"Guanxi refused a benchmark row: {problems[0]}")
        guanxi = per_record(validate, records, rounds)
    except Unavailable as reason:
        return unavailable(CASE, "-", str(reason), [
            measure(CASE, "-", "µs/record", "µs", None, name, baseline, TARGET)])
    return [measure(CASE, "-", "µs/record", "µs", guanxi, name, baseline, TARGET,
                    details={"records": len(records), "rounds": rounds})]
