"""The caller, as the Lambda authorizer described it in `requestContext.authorizer`.

API Gateway passes the authorizer's context as flat strings; the authorizer in
`functions/auth_authorizer` writes `sub`, `scope` (space separated), `token_use`, `client_id` and,
for a user's session, `sid`.
Routes declare the scopes they need with `requires(...)`; the declaration documents them in OpenAPI
and `enforce_route_scopes` enforces the same list before the route reads any input.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from eckospace.errors import MissingScope, NotAuthenticated, NotPermitted

if TYPE_CHECKING:
    from aws_lambda_powertools.event_handler import APIGatewayRestResolver

BEARER_SCHEME = "bearerAuth"
API_KEY_SCHEME = "apiKey"


@dataclass(frozen=True)
class Principal:
    subject: str
    scopes: frozenset[str]
    token_use: str
    client_id: str | None
    session_id: str | None = None

    def has_scopes(self, required: tuple[str, ...]) -> bool:
        return all(scope in self.scopes for scope in required)


_principals: dict[tuple[Any, ...], Principal] = {}


def principal_from_authorizer(authorizer: dict[str, Any] | None) -> Principal:
    if not authorizer or not authorizer.get("sub"):
        # Only reachable when a route was deployed without the authorizer: fail closed.
        raise NotAuthenticated("No verified bearer token reached this function.")
    key = (
        authorizer["sub"],
        authorizer.get("scope"),
        authorizer.get("token_use"),
        authorizer.get("client_id"),
        authorizer.get("sid"),
    )
    found = _principals.get(key)
    if found is None:
        if len(_principals) >= 1024:
            _principals.clear()
        found = _principals[key] = Principal(
            subject=str(key[0]),
            scopes=frozenset(str(key[1] or "").split()),
            token_use=str(key[2] or ""),
            client_id=key[3] or None,
            session_id=key[4] or None,
        )
    return found


def headers(app: APIGatewayRestResolver, *names: str) -> tuple[str | None, ...]:
    """Request headers by name, case-insensitively, in one pass and without copying the headers
    into a new mapping (which is what `current_event.headers` does on every access)."""
    wanted = [name.lower() for name in names]
    found: list[str | None] = [None] * len(wanted)
    for key, value in (app.current_event.raw_event.get("headers") or {}).items():
        lowered = key.lower()
        if lowered in wanted:
            found[wanted.index(lowered)] = value
    return tuple(found)


def current_principal(app: APIGatewayRestResolver) -> Principal:
    authorizer = (app.current_event.raw_event.get("requestContext") or {}).get("authorizer")
    return principal_from_authorizer(authorizer)


TOKEN_USES = ("user", "client")  # a person's session, or an integration (client credentials)
_TOKEN_USE_EXTENSION = "x-eckospace-token-use"


def requires(*scopes: str, tokens: tuple[str, ...] = TOKEN_USES) -> dict[str, Any]:
    """Route options declaring what a caller needs, `@app.get("/path", **requires("posts:read"))`:
    the bearer scopes, and which kinds of token the route accepts (`tokens=("user",)` for routes
    that act for a signed-in person). OpenAPI documents both; `enforce_route_scopes` enforces them."""
    unknown = set(tokens) - set(TOKEN_USES)
    if unknown or not tokens:
        raise ValueError(f"tokens must be among {TOKEN_USES}")
    return {
        "security": [{BEARER_SCHEME: list(scopes), API_KEY_SCHEME: []}],
        "openapi_extensions": {_TOKEN_USE_EXTENSION: list(tokens)},
    }


def required_scopes(route: Any) -> tuple[str, ...] | None:
    """The bearer scopes a route declared, or None for a route without bearer auth (webhooks)."""
    for requirement in route.security or ():
        if BEARER_SCHEME in requirement:
            return tuple(requirement[BEARER_SCHEME])
    return None


def enforce_route_scopes(app: APIGatewayRestResolver) -> None:
    """403 for a caller whose kind of token the route does not take, or whose token lacks a scope
    the route declared."""
    route = app.context["_route"]
    scopes = required_scopes(route)
    if scopes is None:
        return
    principal = current_principal(app)
    accepted = (route.openapi_extensions or {}).get(_TOKEN_USE_EXTENSION, TOKEN_USES)
    if principal.token_use not in accepted:
        raise NotPermitted(
            f"This route does not accept {principal.token_use or 'unknown'} tokens; it takes: {', '.join(accepted)}."
        )
    if not principal.has_scopes(scopes):
        raise MissingScope(scopes)
