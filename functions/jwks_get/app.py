"""GET /.well-known/jwks.json: the public keys that verify the platform's access tokens."""

from __future__ import annotations

import json

from aws_lambda_powertools.event_handler import Response

from eckospace.http.identity_routes import body, header
from eckospace.http.resolver import entrypoint, make_resolver
from eckospace.identity.jwks import published_jwks

app = make_resolver()


@app.get(
    "/.well-known/jwks.json",
    summary="The platform's public signing keys (JWKS)",
    description="Public: verify access tokens with these keys, matching the token's `kid`.",
    tags=["OAuth"],
    security=[],
    responses={
        200: body("JsonWebKeySet", "A JSON Web Key Set (RFC 7517)", {"Cache-Control": header("`public, max-age=300`")})
    },
)
def jwks():
    return Response(
        status_code=200,
        content_type="application/json",
        body=json.dumps(published_jwks()),
        headers={"Cache-Control": "public, max-age=300"},
    )


lambda_handler = entrypoint(app)
