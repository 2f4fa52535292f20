"""GET /api/listings: browse a category's published listings, newest first or by price."""

from __future__ import annotations

from typing import Annotated

from eckospace.http.auth import requires
from eckospace.http.marketplace_routes import CURRENCY, CURSOR, LIMIT, MAX_PRICE, MIN_PRICE, body
from eckospace.http.params import Query
from eckospace.http.resolver import PROBLEM_RESPONSES, entrypoint, json_response, make_resolver
from eckospace.marketplace.browse import Criteria, browse
from eckospace.marketplace.catalogue import CATEGORIES
from eckospace.marketplace.kinds import LISTING

app = make_resolver()


@app.get(
    "/api/listings",
    summary="Browse listings",
    description=(
        "A category's published listings. `sort=newest` (the default): newest first. `sort=price_asc` or "
        "`price_desc`: by price, grouped by currency (alphabetically) unless you name one `currency`. "
        "`min_price` and `max_price` (minor units, both included) bound the price; a range that is empty "
        "(`min_price` above `max_price`) holds nothing. A category by newest, and a category in one currency by "
        "price (with a range or not), are one query per page; other combinations filter that query, so a page "
        "may be shorter than `limit` and still have a `next_cursor`. Ties keep one order, so pages stay stable "
        "while listings are published. Pass `next_cursor` back as `cursor` for the next page."
    ),
    tags=["Marketplace"],
    responses={
        200: body("ListingPage", "`data` (listings) and `next_cursor` (null on the last page)"),
        **PROBLEM_RESPONSES,
    },
    **requires("marketplace:read"),
)
def browse_listings(
    category: Annotated[str, Query(pattern=f"^({'|'.join(CATEGORIES)})$", description="The category")],
    sort: Annotated[
        str, Query(pattern="^(newest|price_asc|price_desc)$", description="`newest`, `price_asc` or `price_desc`")
    ] = "newest",
    currency: Annotated[str | None, CURRENCY] = None,
    min_price: Annotated[str | None, MIN_PRICE] = None,
    max_price: Annotated[str | None, MAX_PRICE] = None,
    limit: Annotated[str, LIMIT] = "20",
    cursor: Annotated[str | None, CURSOR] = None,
):
    criteria = Criteria(
        category,
        sort,
        amount="price",
        position=currency,
        low=None if min_price is None else int(min_price),
        high=None if max_price is None else int(max_price),
        equal={"currency": currency} if currency else {},
    )
    page = browse(LISTING, criteria, limit=int(limit), cursor=cursor)
    return json_response(page, headers={"Cache-Control": "private, no-cache"})


lambda_handler = entrypoint(app)
