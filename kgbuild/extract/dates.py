"""Time: dates of the article and relative dates in its sentences."""
from __future__ import annotations

import datetime
import re

WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]


def as_date(value) -> datetime.date | None:
    if isinstance(value, datetime.date):
        return value
    if not value:
        return None
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        return None


def resolve_date(text: str, anchor: datetime.date) -> datetime.date | None:
    """'on Saturday', 'late Saturday', 'yesterday', 'today' against the article date: the most
    recent such day on or before it. Returns None for spans that are not one day ('last week').

    >>> resolve_date("on Saturday", datetime.date(2019, 3, 24)).isoformat()
    '2019-03-23'
    """
    low = text.lower()
    if "today" in low:
        return anchor
    if "yesterday" in low:
        return anchor - datetime.timedelta(days=1)
    for n, name in enumerate(WEEKDAYS):
        if re.search(r"\b" + name + r"\b", low) and "last" not in low and "next" not in low:
            delta = (anchor.weekday() - n) % 7
            return anchor - datetime.timedelta(days=delta)
    m = re.fullmatch(r"\s*(\d{4})-(\d\d)-(\d\d)\s*", text)
    if m:
        return datetime.date(int(m[1]), int(m[2]), int(m[3]))
    return None


