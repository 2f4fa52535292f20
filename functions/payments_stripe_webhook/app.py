"""POST /payment/stripe/webhook: Stripe's deliveries, verified, recorded once and queued."""

from __future__ import annotations

from eckospace.http.auth import headers
from eckospace.http.body import raw_body
from eckospace.http.problems import PROBLEM_CONTENT_TYPE
from eckospace.http.resolver import entrypoint, json_response, make_resolver, with_request_body
from eckospace.payments.stripe_webhooks import accept, verified_event

app = make_resolver()

# A Stripe Event object (https://docs.stripe.com/api/events/object), as Stripe sends it. The body is
# verified over its exact bytes, so it is read by hand rather than validated as a model.
STRIPE_EVENT = {
    "type": "object",
    "description": "A Stripe Event; other members Stripe adds are accepted.",
    "required": ["id", "object", "type", "data"],
    "properties": {
        "id": {"type": "string", "pattern": "^evt_", "description": "Deliveries are deduplicated by it"},
        "object": {"type": "string", "const": "event"},
        "type": {"type": "string", "minLength": 1, "description": "e.g. `payment_intent.succeeded`"},
        "api_version": {"anyOf": [{"type": "string"}, {"type": "null"}]},
        "created": {"type": "integer", "description": "Stripe's: epoch seconds"},
        "livemode": {"type": "boolean"},
        "pending_webhooks": {"type": "integer"},
        "request": {"anyOf": [{"type": "object"}, {"type": "null"}]},
        "data": {
            "type": "object",
            "required": ["object"],
            "properties": {
                "object": {"type": "object", "description": "The object the event is about"},
                "previous_attributes": {"type": "object"},
            },
        },
    },
}


@app.post(
    "/payment/stripe/webhook",
    summary="Stripe webhook deliveries",
    description=(
        "For Stripe only: the `Stripe-Signature` header is the authentication (no API key, no token). "
        "401 when the signature is missing, wrong or older than five minutes (nothing is recorded); "
        "200 once the event is queued, or for a duplicate or an event type we do not handle; 5xx when it "
        "could not be queued, so Stripe retries."
    ),
    tags=["Webhooks"],
    responses={
        200: {
            "description": "Received: queued, a duplicate, or a type we do not act on",
            "content": {"application/json": {"model": "eckospace.payments.models:StripeWebhookReceipt"}},
        },
        400: {
            "description": "`urn:eckospace:problem:invalid-request`: the signed body is not a Stripe event "
            "(or, base64-encoded, not valid base64). Nothing is recorded",
            "content": {PROBLEM_CONTENT_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        },
        401: {
            "description": "`urn:eckospace:problem:invalid-signature`: the signature is missing, malformed, "
            "wrong or older than five minutes. Nothing is recorded",
            "content": {PROBLEM_CONTENT_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        },
    },
    **with_request_body(
        {
            "security": [],
            "openapi_extensions": {
                "parameters": [
                    {
                        "name": "Stripe-Signature",
                        "in": "header",
                        "required": True,
                        "schema": {"type": "string"},
                        "description": (
                            '`t=<epoch seconds>,v1=<hex HMAC-SHA256 of "t.body">`, one `v1` per signing secret'
                        ),
                    }
                ]
            },
        },
        {"application/json": {"schema": STRIPE_EVENT}},
    ),
)
def stripe_webhook():
    event = verified_event(raw_body(app.current_event.raw_event), headers(app, "stripe-signature")[0])
    return json_response({"received": True, "outcome": accept(event)})


lambda_handler = entrypoint(app)
