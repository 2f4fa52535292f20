"""The marketplace's routes, declared once for listings and jobs alike (`Postings` says what differs:
the path, the id parameter, the model, the owner's name): reading one, editing it, its owner's
moves, saving, and reviewers' decisions; creating (`marketplace_create`) and pages
(`marketplace_pages`) are apart, since they need settings the others must not. Each function
declares the one route it serves; browsing (whose filters differ by kind) is declared by its own
function. Bodies name `eckospace.marketplace.models` lazily, and pydantic is loaded only by the
routes that take a body.

The handlers' annotations name the kind's own parameters, so they are evaluated where they are
written (no `from __future__ import annotations` here)."""

import inspect
import typing
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any

from eckospace.http import documented
from eckospace.http.auth import current_principal, requires
from eckospace.http.params import Header, Path, Query
from eckospace.http.resolver import PROBLEM_RESPONSES, json_response
from eckospace.marketplace.catalogue import CURRENCIES
from eckospace.marketplace.kinds import JOB, LISTING, Kind

if TYPE_CHECKING:
    from pydantic import BaseModel

MODELS = "eckospace.marketplace.models"

LIMIT = Query(pattern=r"^(100|[1-9][0-9]?)$", description="Page size, 1 to 100 (default 20)")
AMOUNT = r"^(0|[1-9][0-9]{0,9})$"
CURRENCY = Query(pattern=f"^({'|'.join(CURRENCIES)})$", description="Only those priced (or paid) in this currency")
CURSOR = Query(max_length=2048, description="The previous page's `next_cursor`")
MIN_PRICE = Query(pattern=AMOUNT, description="Lowest price, minor units")
MAX_PRICE = Query(pattern=AMOUNT, description="Highest price, minor units")


@dataclass(frozen=True)
class Postings:
    """How one kind of posting shows in the API."""

    kind: Kind
    collection: str  # its path: /api/<collection>
    model: str  # its schema in `eckospace.marketplace.models`
    tag: str

    @property
    def noun(self) -> str:
        return self.kind.noun

    @property
    def id_param(self) -> str:
        return f"{self.kind.noun}_id"

    @property
    def owner(self) -> str:
        return self.kind.owner

    def path(self, suffix: str = "") -> str:
        return f"/api/{self.collection}/<{self.id_param}>{suffix}"

    def id(self) -> Any:
        return Path(max_length=64, description=f"The {self.noun}'s id")

    def if_match(self) -> Any:
        return Header(
            alias="If-Match",
            max_length=200,
            description=f"The {self.noun}'s `ETag`: the change is refused (412) if it changed since you read it",
        )

    def etag(self) -> dict[str, Any]:
        return {
            "ETag": {
                "description": f"The {self.noun}'s strong entity tag: send it as `If-None-Match` on `GET`, or as "
                "`If-Match` on a change",
                "schema": {"type": "string"},
            }
        }

    def not_found(self) -> dict[str, Any]:
        return documented.problem(f"No such {self.noun} that you can see")

    def illegal(self) -> dict[str, Any]:
        return documented.problem(
            f"The {self.noun}'s status does not allow this (`current_status` and `allowed_actions` say what does), "
            "or it changed meanwhile (retry after `Retry-After`)"
        )

    def changed(self) -> dict[str, Any]:
        return documented.problem(f"`If-Match` names another version of the {self.noun}")

    def not_yours(self, what: str = "not yours") -> dict[str, Any]:
        return documented.problem(f"Missing API key, the token lacks a required scope, or the {self.noun} is {what}")


LISTINGS = Postings(LISTING, collection="listings", model="Listing", tag="Marketplace")
JOBS = Postings(JOB, collection="jobs", model="Job", tag="Jobs")
LISTING_ID = LISTINGS.id()
CONTACT_ID = Path(max_length=64, description="The contact's id")
CONTACT_MESSAGE_ID = Path(max_length=64, description="The message's id (`cmg_`)")
APPLICATION_ETAG = {
    "ETag": {
        "description": "The application's entity tag: send it as `If-Match` when you move it on",
        "schema": {"type": "string"},
    }
}


def body(model: str, description: str, headers: dict[str, Any] | None = None) -> dict[str, Any]:
    return documented.body(f"{MODELS}:{model}", description, headers)


empty, problem = documented.empty, documented.problem


def taking_id_as(handler: Callable[..., Any], name: str) -> Callable[..., Any]:
    """`handler`, whose first argument is `posting_id`, taking it as `name` instead: a path
    parameter is named for its kind (`listing_id`), and the route's validation and OpenAPI
    document read the names off the signature."""
    hints = typing.get_type_hints(handler, include_extras=True)

    def named(**arguments: Any) -> Any:
        return handler(arguments.pop(name), **arguments)

    signature = inspect.signature(handler)
    parameters = [
        parameter.replace(
            name=name if parameter.name == "posting_id" else parameter.name,
            annotation=hints.get(parameter.name, parameter.annotation),
        )
        for parameter in signature.parameters.values()
    ]
    named.__signature__ = signature.replace(parameters=parameters)  # type: ignore[attr-defined]
    named.__annotations__ = {
        (name if key == "posting_id" else key): value for key, value in hints.items() if key != "return"
    }
    named.__name__ = handler.__name__
    return named


def _answer(posting: dict[str, Any], *, status: int = 200, headers: dict[str, str] | None = None) -> Any:
    from eckospace.marketplace.postings import etag, view

    return json_response(
        view(posting), status=status, headers={"ETag": etag(posting), "Cache-Control": "no-store", **(headers or {})}
    )


# ------------------------------------------------------------------------------- one posting
def read_route(app: Any, postings: Postings) -> None:
    """`GET /api/<collection>/<id>`, with `ETag` and `If-None-Match`."""

    def get_posting(
        posting_id: Annotated[str, postings.id()],
        if_none_match: Annotated[str | None, Header(alias="If-None-Match", max_length=1000)] = None,
    ) -> Any:
        from aws_lambda_powertools.event_handler import Response

        from eckospace.http.conditional import if_none_match_hits
        from eckospace.marketplace.postings import etag, read, view

        posting = read(posting_id, postings.kind, current_principal(app).subject)
        headers = {"ETag": etag(posting), "Cache-Control": "private, no-cache"}
        if if_none_match_hits(if_none_match, headers["ETag"]):
            return Response(status_code=304, body="", headers=headers)
        return json_response(view(posting), headers=headers)

    app.get(
        postings.path(),
        summary=f"A {postings.noun}",
        description=(
            f"A published {postings.noun} is anyone's to read; any other is its {postings.owner}'s alone (404 to "
            "everyone else). Send the `ETag` back as `If-None-Match` for a 304 while nothing changed, or as "
            "`If-Match` on a change."
        ),
        tags=[postings.tag],
        responses={
            200: body(postings.model, f"The {postings.noun}", postings.etag()),
            304: empty("Unchanged since the ETag you sent in `If-None-Match`", postings.etag()),
            404: postings.not_found(),
            **PROBLEM_RESPONSES,
        },
        **requires("marketplace:read"),
    )(taking_id_as(get_posting, postings.id_param))


def edit_route(
    app: Any,
    postings: Postings,
    changes: "type[BaseModel]",
    update: Callable[..., dict[str, Any]],
    *,
    description: str,
) -> None:
    """`PATCH /api/<collection>/<id>`: the owner edits, `update(id, owner, changes, if_match=...)`
    (`description` says what sends it back to review)."""

    def edit_posting(
        posting_id: Annotated[str, postings.id()],
        sent: Any,
        if_match: Annotated[str | None, postings.if_match()] = None,
    ) -> Any:
        owner = current_principal(app).subject
        return _answer(update(posting_id, owner, sent.model_dump(exclude_unset=True), if_match=if_match))

    edit_posting.__annotations__["sent"] = changes
    app.patch(
        postings.path(),
        summary=f"Edit your {postings.noun}",
        description=description
        + f" Send `If-Match` with the {postings.noun}'s `ETag` to refuse the edit (412) if it changed since you "
        "read it.",
        tags=[postings.tag],
        responses={
            200: body(
                postings.model, f"The edited {postings.noun} (unchanged if nothing sent differs)", postings.etag()
            ),
            404: postings.not_found(),
            409: postings.illegal(),
            412: postings.changed(),
            422: problem("A field breaks a rule"),
            **PROBLEM_RESPONSES,
            403: postings.not_yours(),
        },
        **requires("marketplace:write", tokens=("user",)),
    )(taking_id_as(edit_posting, postings.id_param))


def owner_action(app: Any, postings: Postings, action: str, *, path: str, summary: str, description: str) -> None:
    """`POST /api/<collection>/<id>/<path>`: the owner moves their posting by `action`."""

    def move(
        posting_id: Annotated[str, postings.id()], if_match: Annotated[str | None, postings.if_match()] = None
    ) -> Any:
        from eckospace.marketplace.postings import act

        return _answer(act(posting_id, postings.kind, current_principal(app).subject, action, if_match=if_match))

    app.post(
        postings.path(f"/{path}"),
        summary=summary,
        description=description,
        tags=[postings.tag],
        responses={
            200: body(postings.model, f"The {postings.noun} after the move", postings.etag()),
            404: postings.not_found(),
            409: postings.illegal(),
            412: postings.changed(),
            **PROBLEM_RESPONSES,
            403: postings.not_yours(),
        },
        **requires("marketplace:write", tokens=("user",)),
    )(taking_id_as(move, postings.id_param))


def review_decision_route(app: Any, postings: Postings) -> None:
    """`POST /api/review/<collection>/<id>/decisions`: publish or reject what waits for review."""
    from eckospace.marketplace.decisions import ReviewDecision

    def create_decision(
        posting_id: Annotated[str, postings.id()],
        decision: ReviewDecision,
        if_match: Annotated[str | None, postings.if_match()] = None,
    ) -> Any:
        from eckospace.marketplace.review import decide

        reviewer = current_principal(app).subject
        made = decide(
            posting_id, postings.kind, reviewer, action=decision.action, reason=decision.reason, if_match=if_match
        )
        return json_response(made, status=201, headers={"Cache-Control": "no-store"})

    noun = postings.noun
    app.post(
        f"/api/review/{postings.collection}/<{postings.id_param}>/decisions",
        summary=f"Decide on a {noun} in review",
        description=(
            f"Publishes or rejects a {noun} in `pending_review` and publishes `{noun}.published` or "
            f"`{noun}.rejected`. Send the `ETag` you reviewed as `If-Match`: if the {postings.owner} edited the "
            f"{noun} since, the decision is refused (412) rather than applied to what you did not see."
        ),
        tags=["Marketplace review"],
        responses={
            201: body(f"{postings.model}Decision", f"The decision, with the {noun} as it left it"),
            404: postings.not_found(),
            409: postings.illegal(),
            412: postings.changed(),
            **PROBLEM_RESPONSES,
            403: postings.not_yours("your own"),
        },
        **requires("review:write"),
    )(taking_id_as(create_decision, postings.id_param))


# ------------------------------------------------------------------------------- saved items
def save_route(app: Any, postings: Postings) -> None:
    """`PUT /api/<collection>/<id>/save`: save a published posting (idempotent)."""

    def put_saved_item(posting_id: Annotated[str, postings.id()]) -> Any:
        from aws_lambda_powertools.event_handler import Response

        from eckospace.marketplace.saved import save

        save(current_principal(app).subject, posting_id, postings.kind)
        return Response(status_code=204, body="")

    noun = postings.noun
    app.put(
        postings.path("/save"),
        summary=f"Save a {noun}",
        description=f"Idempotent: saving again keeps the first save. Only a published {noun} can be saved; your "
        f"saved items are yours alone, and the {noun} shows how many people saved it (`save_count`).",
        tags=["Saved items"],
        responses={
            204: empty("Saved"),
            404: postings.not_found(),
            409: problem(f"Your own {noun} is not published (`current_status` says what it is)"),
            **PROBLEM_RESPONSES,
        },
        **requires("marketplace:write", tokens=("user",)),
    )(taking_id_as(put_saved_item, postings.id_param))


def unsave_route(app: Any, postings: Postings) -> None:
    """`DELETE /api/<collection>/<id>/save`: forget a saved posting (idempotent)."""

    def delete_saved_item(posting_id: Annotated[str, postings.id()]) -> Any:
        from aws_lambda_powertools.event_handler import Response

        from eckospace.marketplace.saved import unsave

        unsave(current_principal(app).subject, posting_id, postings.kind)
        return Response(status_code=204, body="")

    app.delete(
        postings.path("/save"),
        summary=f"Unsave a {postings.noun}",
        description=f"Idempotent: a {postings.noun} you have not saved stays unsaved.",
        tags=["Saved items"],
        responses={204: empty("Not saved (any more)"), **PROBLEM_RESPONSES},
        **requires("marketplace:write", tokens=("user",)),
    )(taking_id_as(delete_saved_item, postings.id_param))
