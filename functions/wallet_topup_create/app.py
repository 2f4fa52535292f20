"""POST /api/wallet/top-ups: start topping up the caller's wallet (Idempotency-Key required)."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field

from eckospace.http.auth import current_principal, requires
from eckospace.http.idempotency import once
from eckospace.http.params import Header
from eckospace.http.resolver import PROBLEM_RESPONSES, entrypoint, json_response, make_resolver
from eckospace.payments.topups import MAX_AMOUNT, MIN_AMOUNT, create_top_up

app = make_resolver()
PROBLEM = PROBLEM_RESPONSES[400]["content"]


class TopUpRequest(BaseModel):
    amount: int = Field(ge=MIN_AMOUNT, le=MAX_AMOUNT, description="Minor units (cents): 100 to 100000.")
    currency: str = Field(
        min_length=3,
        max_length=3,
        description="ISO 4217, for example eur: one of the currencies `GET /api/wallet` lists (this deployment's "
        "wallet currencies); another is a 400 naming `currency`",
    )
    payment_method: str | None = Field(
        default=None,
        pattern=r"^pm_[A-Za-z0-9_]{1,100}$",
        description="A payment method Stripe.js created, to confirm with.",
    )


@app.post(
    "/api/wallet/top-ups",
    summary="Top up your wallet",
    description=(
        "Creates a Stripe PaymentIntent for the amount and returns its `client_secret` for the front end "
        "to confirm with Stripe. The wallet is credited when Stripe reports the payment. Send an "
        "`Idempotency-Key`: a replay returns the same top-up; the same key with another body is refused."
    ),
    tags=["Wallet"],
    responses={
        201: {
            "description": "The top-up, with `payment_intent` and `client_secret`",
            "content": {"application/json": {"model": "eckospace.payments.models:TopUp"}},
        },
        409: {
            "description": "A request with this Idempotency-Key is still being processed (see Retry-After)",
            "content": PROBLEM,
        },
        422: {
            "description": "This Idempotency-Key was used with a different request body, or Stripe knows no "
            "such `payment_method`",
            "content": PROBLEM,
        },
        **PROBLEM_RESPONSES,
    },
    **requires("wallet:write", tokens=("user",)),
)
def create(
    request: TopUpRequest,
    idempotency_key: Annotated[str, Header(alias="Idempotency-Key", min_length=1, max_length=255)],
):
    user = current_principal(app).subject
    top_up = once(
        idempotency_key,
        caller=user,
        body=request.model_dump(),
        lambda_context=app.lambda_context,
        produce=lambda body: create_top_up(
            user,
            body["amount"],
            body["currency"],
            payment_method=body["payment_method"],
            idempotency_key=idempotency_key or "",
        ),
    )
    return json_response(top_up, status=201, headers={"Cache-Control": "no-store"})


lambda_handler = entrypoint(app)
