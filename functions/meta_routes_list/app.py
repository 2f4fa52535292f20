"""GET /api/meta/routes: the routes and scopes live on this deployment, and which the caller may call."""

from __future__ import annotations

from pathlib import Path

from eckospace.http.auth import current_principal, requires
from eckospace.http.resolver import PROBLEM_RESPONSES, entrypoint, json_response, make_resolver
from eckospace.platform.routes import live_routes

app = make_resolver()

# Written by `make openapi` beside this file, checked in CI like the OpenAPI document.
MANIFEST = Path(__file__).with_name("routes.json")


@app.get(
    "/api/meta/routes",
    summary="Live routes and scopes",
    description=(
        "The routes this deployment serves (modules switched off are left out), each with its module, the scopes "
        "and the kinds of token it needs, and `callable`: whether the token you sent may call it. Any valid token "
        "may ask. One page: `next_cursor` is always null."
    ),
    tags=["Platform"],
    responses={
        200: {
            "description": "The live routes",
            "content": {"application/json": {"model": "eckospace.platform.models:LiveRouteList"}},
        },
        **PROBLEM_RESPONSES,
    },
    **requires(),
)
def list_routes():
    principal = current_principal(app)
    return json_response(
        live_routes(MANIFEST, scopes=principal.scopes, token_use=principal.token_use),
        headers={"Cache-Control": "private, max-age=300"},
    )


lambda_handler = entrypoint(app)
