"""The project's time zone (`time_zone:` in guanxi.yaml) is one the system knows (an
IANA name such as Asia/Shanghai), so `today()` and the date parts of moments can be
taken in it."""

from __future__ import annotations

import zoneinfo

from guanxi.checks.registry import Context, register, suggest


@register(36)
def check_time_zone(ctx: Context) -> None:
    zone = ctx.project.get("time_zone")
    if not isinstance(zone, str) or not zone:
        return  # the schema reports a value of the wrong kind
    try:
        zoneinfo.ZoneInfo(zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        ctx.add("GX334", ctx.project.value_loc("time_zone"),
                suggest(zone, zoneinfo.available_timezones(), "time zones"), name=zone)
