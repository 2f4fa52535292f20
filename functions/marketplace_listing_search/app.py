"""GET /api/listings/search: keyword search over published listings, with filters."""

from __future__ import annotations

from typing import Annotated

from eckospace.http.auth import requires
from eckospace.http.marketplace_routes import CURRENCY, CURSOR, LIMIT, MAX_PRICE, MIN_PRICE, body
from eckospace.http.params import Query
from eckospace.http.resolver import PROBLEM_RESPONSES, entrypoint, json_response, make_resolver
from eckospace.marketplace.catalogue import CATEGORIES, CONDITIONS
from eckospace.marketplace.kinds import LISTING
from eckospace.marketplace.search.documents import LISTINGS
from eckospace.marketplace.search.query import Criteria, search

app = make_resolver()


@app.get(
    "/api/listings/search",
    summary="Search listings",
    description=(
        "Published listings that match keywords `q` (English stems: `bicycle` finds `bicycles`; any word "
        "suffices, title matches count more) and every filter given. `sort=relevance` is the default with `q`, "
        "`newest` without (relevance without `q` is newest); `price_asc` and `price_desc` order by currency, "
        "then price (name one `currency` to compare prices). `min_price` and `max_price` (minor units, both "
        "included) bound the price; an empty range, or `q` with no word in it, matches nothing. `city` matches "
        "whatever its case. The index follows changes within seconds; each page is read as listings are now, so "
        "one withdrawn meanwhile is left out (a page may then be shorter than `limit` and still have a "
        "`next_cursor`). Pages stay stable while listings are published: pass `next_cursor` back as `cursor`."
    ),
    tags=["Marketplace"],
    responses={
        200: body("ListingPage", "`data` (listings) and `next_cursor` (null on the last page)"),
        **PROBLEM_RESPONSES,
    },
    **requires("marketplace:read"),
)
def search_listings(
    q: Annotated[str | None, Query(min_length=1, max_length=200, description="Keywords")] = None,
    category: Annotated[
        str | None, Query(pattern=f"^({'|'.join(CATEGORIES)})$", description="Only listings in this category")
    ] = None,
    condition: Annotated[
        str | None, Query(pattern=f"^({'|'.join(CONDITIONS)})$", description="Only listings in this condition")
    ] = None,
    country: Annotated[
        str | None, Query(pattern=r"^[A-Z]{2}$", description="Only listings in this country (ISO 3166-1 alpha-2)")
    ] = None,
    city: Annotated[str | None, Query(min_length=1, max_length=100, description="Only listings in this city")] = None,
    currency: Annotated[str | None, CURRENCY] = None,
    min_price: Annotated[str | None, MIN_PRICE] = None,
    max_price: Annotated[str | None, MAX_PRICE] = None,
    sort: Annotated[
        str | None,
        Query(
            pattern=f"^({'|'.join(LISTINGS.sorts)})$", description="`relevance`, `newest`, `price_asc` or `price_desc`"
        ),
    ] = None,
    limit: Annotated[str, LIMIT] = "20",
    cursor: Annotated[str | None, CURSOR] = None,
):
    criteria = Criteria(
        q=q,
        filters={"category": category, "condition": condition, "country": country, "city": city, "currency": currency},
        low=None if min_price is None else int(min_price),
        high=None if max_price is None else int(max_price),
        sort=sort,
    )
    page = search(LISTING, criteria, limit=int(limit), cursor=cursor)
    return json_response(page, headers={"Cache-Control": "private, no-cache"})


lambda_handler = entrypoint(app)
