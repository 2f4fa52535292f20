"""GET /api/wallet/ledger: the entries behind a balance, newest first, cursor paginated."""

from __future__ import annotations

from typing import Annotated

from eckospace.http.auth import current_principal, requires
from eckospace.http.params import Query
from eckospace.http.resolver import PROBLEM_RESPONSES, entrypoint, json_response, make_resolver
from eckospace.payments.wallet import ledger_page

app = make_resolver()


@app.get(
    "/api/wallet/ledger",
    summary="Your wallet's ledger entries",
    description="The entries of one currency's balance (`currency`), newest first. Pass `next_cursor` back as "
    "`cursor` for the next page; amounts in minor units.",
    tags=["Wallet"],
    responses={
        200: {
            "description": "A page of entries",
            "content": {"application/json": {"model": "eckospace.payments.models:LedgerPage"}},
        },
        **PROBLEM_RESPONSES,
    },
    **requires("wallet:read", tokens=("user",)),
)
def list_ledger(
    # The deployment's currencies are a setting, read per request: the document holds for every deployment.
    currency: Annotated[
        str,
        Query(
            pattern="^[a-z]{3}$",
            description="ISO 4217, lower case: one of the currencies `GET /api/wallet` lists (this deployment's "
            "wallet currencies); another is a 400 naming `currency`",
        ),
    ] = "eur",
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Query(max_length=2048)] = None,
):
    page = ledger_page(current_principal(app).subject, currency, limit=limit, cursor=cursor)
    return json_response(page, headers={"Cache-Control": "private, no-store"})


lambda_handler = entrypoint(app)
