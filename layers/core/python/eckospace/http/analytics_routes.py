"""What the analytics report routes share: their query parameters and answers."""

from __future__ import annotations

from typing import Any

from eckospace.http.documented import body, problem
from eckospace.http.params import Query
from eckospace.http.resolver import PROBLEM_RESPONSES

MODELS = "eckospace.analytics.models"
_DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
GRANULARITY = Query(pattern=r"^(hour|day)$", description="`day` (default) or `hour`")
FROM = Query(
    alias="from",
    pattern=_DATE,
    description="First UTC day (YYYY-MM-DD). Default: six days before `to` for days, `to` itself for hours",
)
TO = Query(pattern=_DATE, description="Last UTC day (YYYY-MM-DD), today at the latest. Default: yesterday")
REPORT_RESPONSES: dict[int, Any] = {
    200: body(f"{MODELS}:AnalyticsReport", "The figures of every hour or day of the range"),
    400: problem(
        "`urn:eckospace:problem:invalid-request`: a malformed date, `from` after `to`, `to` after today, or a range "
        "of more than 92 days (7 for hours)"
    ),
    **PROBLEM_RESPONSES,
}
PRIVATE = {"Cache-Control": "private, no-store"}
