"""What the marketplace routes share: their parameters, the seller's lifecycle routes (one function
each, all alike), and pieces of their OpenAPI `responses` (bodies name `eckospace.marketplace.models`
lazily)."""

from __future__ import annotations

from typing import Annotated, Any

from eckospace.http import documented
from eckospace.http.auth import current_principal, requires
from eckospace.http.params import Header, Path, Query
from eckospace.http.resolver import PROBLEM_RESPONSES, json_response
from eckospace.marketplace.catalogue import CURRENCIES

MODELS = "eckospace.marketplace.models"

LIMIT = Query(pattern=r"^(100|[1-9][0-9]?)$", description="Page size, 1 to 100 (default 20)")
PRICE = r"^(0|[1-9][0-9]{0,9})$"
MIN_PRICE = Query(pattern=PRICE, description="Lowest price, minor units")
MAX_PRICE = Query(pattern=PRICE, description="Highest price, minor units")
CURRENCY = Query(pattern=f"^({'|'.join(CURRENCIES)})$", description="Only listings priced in this currency")
CURSOR = Query(max_length=2048, description="The previous page's `next_cursor`")
LISTING = Path(max_length=64, description="The listing's id")
IF_MATCH = Header(
    alias="If-Match",
    max_length=200,
    description="The listing's `ETag`: the change is refused (412) if the listing changed since you read it",
)
ETAG = {
    "ETag": {
        "description": "The listing's strong entity tag: send it as `If-None-Match` on `GET`, or as `If-Match` "
        "on a change",
        "schema": {"type": "string"},
    }
}
NOT_FOUND = documented.problem("No such listing that you can see")
ILLEGAL = documented.problem(
    "The listing's status does not allow this (`current_status` and `allowed_actions` say what does), or it changed "
    "meanwhile (retry after `Retry-After`)"
)
CHANGED = documented.problem("`If-Match` names another version of the listing")


def body(model: str, description: str, headers: dict[str, Any] | None = None) -> dict[str, Any]:
    return documented.body(f"{MODELS}:{model}", description, headers)


empty, problem = documented.empty, documented.problem


def seller_action(app: Any, action: str, *, path: str, summary: str, description: str) -> None:
    """Declare `POST /api/listings/{listing_id}/<path>`: the seller moves their listing by `action`."""
    from eckospace.marketplace.listings import act, etag, view

    @app.post(  # type: ignore[untyped-decorator]
        f"/api/listings/<listing_id>/{path}",
        summary=summary,
        description=description,
        tags=["Marketplace"],
        responses={
            200: body("Listing", "The listing after the move", ETAG),
            404: NOT_FOUND,
            409: ILLEGAL,
            412: CHANGED,
            **PROBLEM_RESPONSES,
            403: problem("Missing API key, the token lacks a required scope, or the listing is not yours"),
        },
        **requires("marketplace:write", tokens=("user",)),
    )
    def move(listing_id: Annotated[str, LISTING], if_match: Annotated[str | None, IF_MATCH] = None) -> Any:
        listing = act(listing_id, current_principal(app).subject, action, if_match=if_match)
        return json_response(view(listing), headers={"ETag": etag(listing), "Cache-Control": "no-store"})
