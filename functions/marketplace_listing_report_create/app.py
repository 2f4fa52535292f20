"""POST /api/listings/{listing_id}/reports: report a listing to the moderators."""

from typing import Annotated

from eckospace.http.auth import current_principal, requires
from eckospace.http.marketplace_routes import LISTING_ID
from eckospace.http.moderation_routes import DAILY_ALLOWANCE, body, problem
from eckospace.http.resolver import PROBLEM_RESPONSES, entrypoint, json_response, make_resolver
from eckospace.marketplace.moderation import report_listing
from eckospace.moderation.models import NewReport

app = make_resolver()


@app.post(
    "/api/listings/<listing_id>/reports",
    summary="Report a listing",
    description=(
        "Queues someone else's published listing for moderation, with a snapshot of it as it is now. While your "
        "report is open, another by you on this listing is 409. Reports of every kind share one daily allowance."
    ),
    tags=["Moderation"],
    responses={
        201: body("Report", "The report, with the listing's `snapshot`"),
        404: problem("No such published listing"),
        409: problem(
            "The listing is your own, you already have an open report on it, or the report could not be written "
            "(retry after `Retry-After`)"
        ),
        **PROBLEM_RESPONSES,
        429: DAILY_ALLOWANCE,
    },
    **requires("marketplace:write", tokens=("user",)),
)
def create_report(listing_id: Annotated[str, LISTING_ID], report: NewReport):
    created = report_listing(listing_id, current_principal(app).subject, reason=report.reason, note=report.note)
    return json_response(created, status=201, headers={"Cache-Control": "no-store"})


lambda_handler = entrypoint(app)
