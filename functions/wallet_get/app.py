"""GET /api/wallet: the signed-in user's balances."""

from __future__ import annotations

from eckospace.http.auth import current_principal, requires
from eckospace.http.resolver import PROBLEM_RESPONSES, entrypoint, json_response, make_resolver
from eckospace.payments.wallet import balances

app = make_resolver()


@app.get(
    "/api/wallet",
    summary="Your wallet's balances",
    description="Balances in minor units (cents) per currency. Only ever the caller's own wallet.",
    tags=["Wallet"],
    responses={
        200: {
            "description": "Your balances, one per currency",
            "content": {"application/json": {"model": "eckospace.payments.models:Wallet"}},
        },
        **PROBLEM_RESPONSES,
    },
    **requires("wallet:read", tokens=("user",)),
)
def get_wallet():
    return json_response(balances(current_principal(app).subject), headers={"Cache-Control": "private, no-store"})


lambda_handler = entrypoint(app)
