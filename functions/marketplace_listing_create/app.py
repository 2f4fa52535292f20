"""POST /api/listings: create a listing, as a draft (Idempotency-Key supported)."""

from typing import Annotated

from eckospace.http.auth import current_principal, requires
from eckospace.http.idempotency import once
from eckospace.http.marketplace_routes import ETAG, body, problem
from eckospace.http.params import Header
from eckospace.http.resolver import PROBLEM_RESPONSES, entrypoint, json_response, make_resolver
from eckospace.marketplace.inputs import ListingFields
from eckospace.marketplace.listings import create, etag, view

app = make_resolver()


@app.post(
    "/api/listings",
    summary="Create a listing",
    description=(
        "Saves a draft, visible to you alone; `POST /api/listings/{listing_id}/submit` sends it to review. "
        "Attachments must be your own `ready` media; any other media id is refused with 422 naming it. Send an "
        "`Idempotency-Key` to make retries safe: a replay returns the same listing."
    ),
    tags=["Marketplace"],
    responses={
        201: body(
            "Listing",
            "The draft (a replay with the same `Idempotency-Key`: the same listing)",
            ETAG | {"Location": {"description": "The listing's path", "schema": {"type": "string"}}},
        ),
        409: problem(
            "A request with this `Idempotency-Key` is still in progress, or the listing could not be written; "
            "retry after `Retry-After`"
        ),
        422: problem("A field or an attachment breaks a rule, or this `Idempotency-Key` came with another body"),
        **PROBLEM_RESPONSES,
        429: problem(
            "Your daily allowance of new listings is used up until midnight UTC, or the API key's rate limit or "
            "quota is exceeded; see `Retry-After`"
        ),
    },
    **requires("marketplace:write", tokens=("user",)),
)
def create_listing(
    fields: ListingFields,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key", max_length=255)] = None,
):
    seller = current_principal(app).subject

    def produce(sent: dict) -> dict:
        return view(create(seller, sent))

    sent = fields.model_dump()
    listing = (
        once(idempotency_key, caller=seller, body=sent, produce=produce, lambda_context=app.lambda_context)
        if idempotency_key
        else produce(sent)
    )
    return json_response(
        listing,
        status=201,
        headers={"Location": f"/api/listings/{listing['id']}", "ETag": etag(listing), "Cache-Control": "no-store"},
    )


lambda_handler = entrypoint(app)
