"""The caller, as the Lambda authorizer described it in `requestContext.authorizer`.

API Gateway passes the authorizer's context as flat strings; the authorizer in
`functions/auth_authorizer` writes `sub`, `scope` (space separated), `token_use` and `client_id`.
Routes declare the scopes they need with `requires(...)`, which both documents them in OpenAPI and
enforces them before the route runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from eckospace.http.problems import InsufficientScope, Unauthorized

if TYPE_CHECKING:
    from aws_lambda_powertools.event_handler import APIGatewayRestResolver
    from aws_lambda_powertools.event_handler.middlewares import NextMiddleware

BEARER_SCHEME = "bearerAuth"
API_KEY_SCHEME = "apiKey"
_PRINCIPAL_KEY = "eckospace.principal"


@dataclass(frozen=True)
class Principal:
    subject: str
    scopes: frozenset[str]
    token_use: str
    client_id: str | None

    def has_scopes(self, required: tuple[str, ...]) -> bool:
        return all(scope in self.scopes for scope in required)


def principal_from_authorizer(authorizer: dict[str, Any] | None) -> Principal:
    if not authorizer or not authorizer.get("sub"):
        # Only reachable when a route was deployed without the authorizer: fail closed.
        raise Unauthorized("No verified bearer token reached this function.")
    return Principal(
        subject=str(authorizer["sub"]),
        scopes=frozenset(str(authorizer.get("scope", "")).split()),
        token_use=str(authorizer.get("token_use", "")),
        client_id=authorizer.get("client_id") or None,
    )


def current_principal(app: APIGatewayRestResolver) -> Principal:
    found = app.context.get(_PRINCIPAL_KEY)
    if found is None:
        found = principal_from_authorizer(app.current_event.request_context.authorizer.raw_event)
        app.append_context(**{_PRINCIPAL_KEY: found})
    return found


def requires(*scopes: str) -> dict[str, Any]:
    """Route options that document and enforce the scopes a route needs:
    `@app.get("/path", **requires("posts:read"))`."""

    def enforce_scopes(app: APIGatewayRestResolver, next_middleware: NextMiddleware) -> Any:
        if not current_principal(app).has_scopes(scopes):
            raise InsufficientScope(scopes)
        return next_middleware(app)

    return {
        "security": [{BEARER_SCHEME: list(scopes), API_KEY_SCHEME: []}],
        "middlewares": [enforce_scopes],
    }
