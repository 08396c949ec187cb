"""The sync schedule: cron-like, five fields (minute hour day month day-of-week), in UTC.

Fields take ``*``, ``*/n``, ``a-b``, ``a-b/n`` and comma lists; day of week 0 or 7 is Sunday.
huey's ``crontab`` runs the periodic job; :func:`next_run` computes the next time for the feeds
page the same way (like huey, day of month and day of week must both match).
"""

from __future__ import annotations

import datetime as dt

from medvigil.core.errors import InputError

_FIELDS = (("minute", 0, 59), ("hour", 0, 23), ("day", 1, 31), ("month", 1, 12), ("day_of_week", 0, 7))


def _field(text: str, low: int, high: int, name: str) -> set[int]:
    values: set[int] = set()
    for part in text.split(","):
        spec, _, step_text = part.partition("/")
        try:
            step = int(step_text) if step_text else 1
            if spec == "*":
                lo, hi = low, high
            elif "-" in spec:
                lo, hi = (int(x) for x in spec.split("-", 1))
            else:
                lo = hi = int(spec)
        except ValueError:
            raise InputError(f"bad cron field {text!r}", field=name) from None
        if name == "day_of_week" and spec == "*" and step_text:
            raise InputError(f"cron field {text!r}: */n is not supported for the day of week", field=name)
        if step < 1 or lo < low or hi > high or lo > hi:
            raise InputError(f"cron field {text!r} is outside {low}-{high}", field=name)
        values.update(range(lo, hi + 1, step))
    return values


def parse_schedule(spec: str) -> dict[str, set[int]]:
    """The five cron fields of ``spec`` as sets of allowed values (day of week: 0 = Sunday)."""
    parts = spec.split()
    if len(parts) != len(_FIELDS):
        raise InputError(f"schedule {spec!r} needs five fields (minute hour day month day-of-week)")
    fields = {name: _field(part, lo, hi, name) for part, (name, lo, hi) in zip(parts, _FIELDS, strict=True)}
    fields["day_of_week"] = {d % 7 for d in fields["day_of_week"]}  # 7 is Sunday too
    return fields


def next_run(spec: str, after: dt.datetime) -> dt.datetime | None:
    """The first minute after ``after`` (UTC) that ``spec`` matches; None when empty or never
    within four years."""
    if not spec:
        return None
    fields = parse_schedule(spec)
    start = after.astimezone(dt.UTC).replace(second=0, microsecond=0) + dt.timedelta(minutes=1)
    day = start.date()
    for _ in range(4 * 366):
        if (
            day.month in fields["month"]
            and day.day in fields["day"]
            and day.isoweekday() % 7 in fields["day_of_week"]
        ):
            for hour in sorted(fields["hour"]):
                for minute in sorted(fields["minute"]):
                    moment = dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=dt.UTC)
                    if moment >= start:
                        return moment
        day += dt.timedelta(days=1)
    return None
