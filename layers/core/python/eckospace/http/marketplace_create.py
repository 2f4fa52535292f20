"""`POST /api/<collection>`, declared once for listings and jobs (`marketplace_routes.Postings`);
apart, since only the create functions hold idempotency records.

The handlers' annotations name the kind's own parameters, so they are evaluated where they are
written (no `from __future__ import annotations` here)."""

from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any

from eckospace.http.auth import current_principal, requires
from eckospace.http.marketplace_routes import Postings, body, problem
from eckospace.http.params import Header
from eckospace.http.resolver import PROBLEM_RESPONSES, json_response

if TYPE_CHECKING:
    from pydantic import BaseModel


def create_route(
    app: Any,
    postings: Postings,
    fields: "type[BaseModel]",
    create: Callable[[str, dict[str, Any]], dict[str, Any]],
    *,
    description: str,
    invalid: str,
) -> None:
    """`POST /api/<collection>`: a new draft, `create(owner, fields sent)` (`Idempotency-Key` supported)."""

    def create_posting(
        sent: Any, idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key", max_length=255)] = None
    ) -> Any:
        from eckospace.http.idempotency import created
        from eckospace.marketplace import postings as shared

        owner = current_principal(app).subject

        def produce(body: dict[str, Any]) -> dict[str, Any]:
            return shared.view(create(owner, body))

        body = sent.model_dump()
        made = created(idempotency_key, caller=owner, body=body, produce=produce, lambda_context=app.lambda_context)
        return json_response(
            made,
            status=201,
            headers={
                "Location": f"/api/{postings.collection}/{made['id']}",
                "ETag": shared.etag(made),
                "Cache-Control": "no-store",
            },
        )

    create_posting.__annotations__["sent"] = fields
    app.post(
        f"/api/{postings.collection}",
        summary=f"Create a {postings.noun}",
        description=description
        + f" Send an `Idempotency-Key` to make retries safe: a replay returns the same {postings.noun}.",
        tags=[postings.tag],
        responses={
            201: body(
                postings.model,
                f"The draft (a replay with the same `Idempotency-Key`: the same {postings.noun})",
                postings.etag()
                | {"Location": {"description": f"The {postings.noun}'s path", "schema": {"type": "string"}}},
            ),
            409: problem(
                "A request with this `Idempotency-Key` is still in progress, or the "
                f"{postings.noun} could not be written; retry after `Retry-After`"
            ),
            422: problem(f"{invalid}, or this `Idempotency-Key` came with another body"),
            **PROBLEM_RESPONSES,
            429: problem(
                f"Your daily allowance of new {postings.collection} is used up until midnight UTC, or the API key's "
                "rate limit or quota is exceeded; see `Retry-After`"
            ),
        },
        **requires("marketplace:write", tokens=("user",)),
    )(create_posting)
