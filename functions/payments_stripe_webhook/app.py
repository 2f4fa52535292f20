"""POST /payment/stripe/webhook: Stripe's deliveries, verified, recorded once and queued."""

from __future__ import annotations

from eckospace.http.auth import headers
from eckospace.http.body import raw_body
from eckospace.http.resolver import entrypoint, json_response, make_resolver
from eckospace.payments.stripe_webhooks import accept, verified_event

app = make_resolver()


@app.post(
    "/payment/stripe/webhook",
    summary="Stripe webhook deliveries",
    description=(
        "For Stripe only: the `Stripe-Signature` header is the authentication (no API key, no token). "
        "400 when the signature is missing, wrong or older than five minutes (nothing is recorded); "
        "200 once the event is queued, or for a duplicate or an event type we do not handle; 5xx when it "
        "could not be queued, so Stripe retries."
    ),
    tags=["Webhooks"],
    security=[],
    responses={200: {"description": "`received: true` and the `outcome`: queued, duplicate or ignored"},
               400: {"description": "Signature missing, malformed, wrong or stale"}},
)
def stripe_webhook():
    event = verified_event(raw_body(app.current_event.raw_event), headers(app, "stripe-signature")[0])
    return json_response({"received": True, "outcome": accept(event)})


lambda_handler = entrypoint(app)
