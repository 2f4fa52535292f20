"""GET /api/analytics/platform: every view and click on the platform, for operators."""

from typing import Annotated

from eckospace.analytics.reports import platform_report, utc_now
from eckospace.http.analytics_routes import FROM, GRANULARITY, PRIVATE, REPORT_RESPONSES, TO
from eckospace.http.auth import requires
from eckospace.http.resolver import entrypoint, json_response, make_resolver

app = make_resolver()


@app.get(
    "/api/analytics/platform",
    summary="Platform-wide figures",
    description=(
        "Events by type and distinct people per UTC hour or day, across the platform, under the same rules as every "
        "report: closed buckets only, and none made by fewer than `minimum_crowd` people. Aggregates only: no "
        "person, object or owner appears."
    ),
    tags=["Analytics"],
    responses=REPORT_RESPONSES,
    **requires("platform_analytics:read"),
)
def get_platform_report(
    granularity: Annotated[str | None, GRANULARITY] = None,
    from_: Annotated[str | None, FROM] = None,
    to: Annotated[str | None, TO] = None,
):
    query = {"granularity": granularity, "from": from_, "to": to}
    return json_response(platform_report(query, now=utc_now()), headers=PRIVATE)


lambda_handler = entrypoint(app)
