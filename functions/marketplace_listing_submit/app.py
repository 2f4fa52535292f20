"""POST /api/listings/{listing_id}/submit: submit your listing for review."""

from eckospace.http.marketplace_routes import LISTINGS, owner_action
from eckospace.http.resolver import entrypoint, make_resolver

app = make_resolver()
owner_action(
    app,
    LISTINGS,
    "submit",
    path="submit",
    summary="Submit your listing for review",
    description="A draft or rejected listing goes to `pending_review`; reviewers publish or reject it.",
)

lambda_handler = entrypoint(app)
