"""Segments (RFM) and tiers, as declared in insight/*.yaml (`segments:`, `tiers:`), and
how a record's values become its scores, its segment and its tier.

Both classify the records of one entity (`entity`, e.g. account) by what its related
records (`of`, through their reference `via`) did in a sliding `window` (e.g. 365d, by
the date field `date`), counting those meeting `when`:

- a **segment** scores recency (days since the latest), frequency (how many) and
  monetary value (`sum:` of a field) 1–5 — by `thresholds` or by `quintiles` among the
  records with any — and names the first of its `rules` (conditions on `r`, `f`, `m`)
  that holds;
- a **tier** takes the `sum:` over the window and a list of `levels`, highest first,
  each reached `from` a value and left only when the value falls `down_below` another
  (hysteresis); a change may run actions (`on_change:`).

Everything here is pure: the aggregates come from `guanxi.insight.classify`.
"""

from __future__ import annotations

import bisect
import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from guanxi.expr.types import FieldInfo
from guanxi.language.automation import actions as read_actions
from guanxi.language.build import expression_text
from guanxi.language.durations import parse_duration
from guanxi.language.tree import LocDict, LocList
from guanxi.spec import NOWHERE, ActionSpec, Loc, Text

SCORES = ("recency", "frequency", "monetary")
# The names a segment rule may use: the three scores.
RULE_NAMES = {"r": "recency", "f": "frequency", "m": "monetary"}
RULE_FIELDS = {name: FieldInfo(name, "integer", "number") for name in RULE_NAMES}


@dataclass(frozen=True, slots=True)
class Window:
    """Where the aggregates come from: the records of `of` whose reference `via` points
    at the classified record, meeting `when`, dated by `date` within `days` of today."""

    of: str
    via: str
    date: str
    days: int
    loc: Loc
    when: str | None = None
    when_loc: Loc | None = None


@dataclass(frozen=True, slots=True)
class Scoring:
    """How one of R, F, M becomes 1–5: four ascending `thresholds`, or `quintiles`."""

    thresholds: tuple[Decimal, ...] = ()
    quintiles: bool = False
    loc: Loc = NOWHERE


@dataclass(frozen=True, slots=True)
class SegmentRule:
    name: str
    when: str
    loc: Loc


@dataclass(frozen=True, slots=True)
class SegmentSpec:
    name: str
    entity: str
    field: str
    window: Window
    value: str
    loc: Loc
    label: Text = dataclasses.field(default_factory=dict)
    recency: Scoring = Scoring()
    frequency: Scoring = Scoring()
    monetary: Scoring = Scoring()
    rules: tuple[SegmentRule, ...] = ()
    # Fields that keep each score (recency/frequency/monetary -> field), optional.
    score_fields: tuple[tuple[str, str], ...] = ()
    every: str | None = None
    field_loc: Loc = NOWHERE


@dataclass(frozen=True, slots=True)
class Level:
    name: str
    loc: Loc
    at_least: Decimal | None = None
    down_below: Decimal | None = None

    @property
    def keep(self) -> Decimal | None:
        """The value below which a record leaves the level (default: its `from`)."""
        return self.down_below if self.down_below is not None else self.at_least


@dataclass(frozen=True, slots=True)
class TierSpec:
    name: str
    entity: str
    field: str
    window: Window
    value: str
    loc: Loc
    label: Text = dataclasses.field(default_factory=dict)
    levels: tuple[Level, ...] = ()
    on_change: tuple[ActionSpec, ...] = ()
    every: str | None = None
    field_loc: Loc = NOWHERE


@dataclass(frozen=True, slots=True)
class Classes:
    segments: tuple[SegmentSpec, ...] = ()
    tiers: tuple[TierSpec, ...] = ()

    def all(self) -> tuple[SegmentSpec | TierSpec, ...]:
        return (*self.segments, *self.tiers)


# ------------------------------------------------------------ scoring


def threshold_score(value: Any, thresholds: Sequence[Decimal], lower_is_better: bool) -> int:
    """1–5 by four ascending thresholds: for frequency and money, 1 + how many the value
    reaches; for recency (days, fewer is better), 5 − how many it exceeds."""
    if value is None:
        return 1
    number = Decimal(value)
    if lower_is_better:
        return 5 - sum(1 for t in thresholds if number > t)
    return 1 + sum(1 for t in thresholds if number >= t)


def quintile_scores(values: Mapping[int, Any], lower_is_better: bool) -> dict[int, int]:
    """1–5 by quintile among the records with a value (equal values, equal scores);
    records without one score 1."""
    present = sorted(Decimal(v) for v in values.values() if v is not None)
    count = len(present)
    scores: dict[int, int] = {}
    for key, value in values.items():
        if value is None or not count:
            scores[key] = 1
            continue
        number = Decimal(value)
        better = (count - bisect.bisect_right(present, number) if lower_is_better
                  else bisect.bisect_left(present, number))
        scores[key] = 1 + min(4, 5 * better // count)
    return scores


def tier_level(levels: Sequence[Level], current: Any, value: Any) -> str | None:
    """The level a record with `value` ends in, coming from `current`: up to the highest
    level whose `from` it reaches; down, only when it falls below its level's
    `down_below`, to the highest lower level whose `down_below` (else `from`) it keeps."""
    number = Decimal(value) if value is not None else Decimal(0)
    names = [level.name for level in levels]

    def reached(level: Level, bound: Decimal | None) -> bool:
        return bound is None or number >= bound

    up = next((i for i, level in enumerate(levels) if reached(level, level.at_least)), None)
    if current not in names:
        return names[up] if up is not None else None
    here = names.index(current)
    if up is not None and up < here:
        return names[up]
    if reached(levels[here], levels[here].keep):
        return str(current)
    lower = next((i for i in range(here + 1, len(levels))
                  if reached(levels[i], levels[i].keep)), None)
    return names[lower] if lower is not None else names[-1]


# ------------------------------------------------------------ reading


def _number(value: Any) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        return Decimal(str(value))
    except ArithmeticError:
        return None


def _text(value: Any, language: str, name: str) -> Text:
    if isinstance(value, str):
        return {language: value}
    if isinstance(value, dict):
        return {str(k): str(v) for k, v in value.items() if isinstance(v, str)}
    return {language: name.replace("_", " ").capitalize()}


def _window(data: LocDict) -> Window:
    def text(key: str) -> str:
        value = data.get(key)
        return value if isinstance(value, str) else ""

    days = parse_duration(data.get("window"))
    return Window(text("of"), text("via"), text("date"),
                  max(1, (days or 86400 * 365) // 86400),
                  data.value_loc("window") if "window" in data else data.loc,
                  expression_text(data.get("when")),
                  data.value_loc("when") if "when" in data else None)


def _scoring(value: Any, loc: Loc) -> Scoring:
    if not isinstance(value, LocDict):
        return Scoring(quintiles=True, loc=loc)
    given = value.get("thresholds")
    if isinstance(given, LocList):
        numbers = tuple(n for n in (_number(v) for v in given) if n is not None)
        return Scoring(thresholds=numbers, loc=value.value_loc("thresholds"))
    return Scoring(quintiles=True, loc=value.loc)


def _every(data: LocDict) -> str | None:
    every = data.get("every")
    return every if isinstance(every, str) else None


def _field(data: LocDict) -> tuple[str, Loc]:
    value = data.get("field")
    return (value if isinstance(value, str) else "",
            data.value_loc("field") if "field" in data else data.loc)


def read_segment(name: str, data: LocDict, language: str) -> SegmentSpec:
    entity = data.get("entity")
    money = data.get("monetary")
    value = money.get("sum") if isinstance(money, LocDict) else None
    rules = data.get("rules")
    found: list[SegmentRule] = []
    if isinstance(rules, LocDict):
        for key, text in rules.items():
            when = expression_text(text)
            if isinstance(key, str) and when is not None:
                found.append(SegmentRule(key, when, rules.value_loc(key)))
    scores = data.get("scores")
    score_fields = tuple((k, v) for k, v in scores.items()
                         if isinstance(k, str) and isinstance(v, str)) \
        if isinstance(scores, LocDict) else ()
    field_name, field_loc = _field(data)
    return SegmentSpec(
        name=name, entity=entity if isinstance(entity, str) else "", field=field_name,
        window=_window(data), value=value if isinstance(value, str) else "", loc=data.loc,
        label=_text(data.get("label"), language, name),
        recency=_scoring(data.get("recency"), data.loc),
        frequency=_scoring(data.get("frequency"), data.loc),
        monetary=_scoring(money, data.loc), rules=tuple(found),
        score_fields=score_fields, every=_every(data), field_loc=field_loc)


def read_tier(name: str, data: LocDict, language: str) -> TierSpec:
    entity = data.get("entity")
    value = data.get("sum")
    levels = data.get("levels")
    found: list[Level] = []
    if isinstance(levels, LocDict):
        for key, item in levels.items():
            if not isinstance(key, str):
                continue
            given = item if isinstance(item, LocDict) else {}
            found.append(Level(key, levels.value_loc(key), _number(given.get("from")),
                               _number(given.get("down_below"))))
    on_change = read_actions(data.get("on_change"),
                             data.value_loc("on_change") if "on_change" in data else data.loc,
                             lambda v: _text(v, language, "") if v is not None else {})
    field_name, field_loc = _field(data)
    return TierSpec(
        name=name, entity=entity if isinstance(entity, str) else "", field=field_name,
        window=_window(data), value=value if isinstance(value, str) else "", loc=data.loc,
        label=_text(data.get("label"), language, name), levels=tuple(found),
        on_change=on_change, every=_every(data), field_loc=field_loc)
