"""GET /api/analytics/objects/{object_id}: the owner's figures on one post, listing, job or their profile."""

from typing import Annotated

from eckospace.analytics.reports import object_report, utc_now
from eckospace.http.analytics_routes import FROM, GRANULARITY, PRIVATE, REPORT_RESPONSES, TO
from eckospace.http.auth import current_principal, requires
from eckospace.http.documented import problem
from eckospace.http.params import Path
from eckospace.http.resolver import entrypoint, json_response, make_resolver

app = make_resolver()

OBJECT_ID = Path(
    pattern=r"^((pst|lst|job)_[0-9a-z]{26}|[0-9a-f]{32})$",
    description="A post, listing or job of yours, or your own id for your profile",
)


@app.get(
    "/api/analytics/objects/<object_id>",
    summary="Figures on one of your things",
    description=(
        "Views, link clicks and distinct people per UTC hour or day, for your post, listing, job or profile. A "
        "bucket shows once its day has ended, and only if at least `minimum_crowd` distinct people made it (and, "
        "for a day, each of its hours had none or that many): otherwise it is `suppressed`, so no figure tells "
        "what any one person did. Your own views are not counted."
    ),
    tags=["Analytics"],
    responses={**REPORT_RESPONSES, 404: problem("Not yours, or no such thing")},
    **requires("analytics:read", tokens=("user",)),
)
def get_object_report(
    object_id: Annotated[str, OBJECT_ID],
    granularity: Annotated[str | None, GRANULARITY] = None,
    from_: Annotated[str | None, FROM] = None,
    to: Annotated[str | None, TO] = None,
):
    query = {"granularity": granularity, "from": from_, "to": to}
    answer = object_report(object_id, current_principal(app).subject, query, now=utc_now())
    return json_response(answer, headers=PRIVATE)


lambda_handler = entrypoint(app)
