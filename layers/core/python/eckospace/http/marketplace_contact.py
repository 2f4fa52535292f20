"""`POST /api/<collection>/<id>/contacts`, declared once for listings and jobs
(`marketplace_routes.Postings`); apart, since only these functions hold idempotency records and
reach the chat table.

The handlers' annotations name the kind's own parameters, so they are evaluated where they are
written (no `from __future__ import annotations` here)."""

from typing import Annotated, Any

from eckospace.http.auth import current_principal, requires
from eckospace.http.marketplace_routes import Postings, body, problem, taking_id_as
from eckospace.http.params import Header
from eckospace.http.resolver import PROBLEM_RESPONSES, json_response
from eckospace.marketplace.contact_inputs import ContactText


def contact_route(app: Any, postings: Postings) -> None:
    """`POST /api/<collection>/<id>/contacts`: ask the owner of a published posting about it."""

    def create_contact(
        posting_id: Annotated[str, postings.id()],
        sent: ContactText,
        idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key", max_length=255)] = None,
    ) -> Any:
        from eckospace.http.idempotency import created
        from eckospace.marketplace.asking import ask
        from eckospace.marketplace.contact import view

        asker = current_principal(app).subject

        def produce(sent_body: dict[str, Any]) -> dict[str, Any]:
            return view(ask(postings.kind, posting_id, asker, sent_body["text"], retry_key=idempotency_key))

        made = created(
            idempotency_key,
            caller=asker,
            body={"posting": posting_id, **sent.model_dump()},
            produce=produce,
            lambda_context=app.lambda_context,
        )
        return json_response(
            made, status=201, headers={"Location": f"/api/contacts/{made['id']}", "Cache-Control": "no-store"}
        )

    noun, owner = postings.noun, postings.owner
    app.post(
        postings.path("/contacts"),
        summary=f"Ask the {owner} about a {noun}",
        description=(
            f"Sends your message to the {noun}'s {owner} without either of you seeing the other's email or phone. "
            "With chat on (`channel` `chat`), it is a message in your direct conversation with them "
            "(`conversation_id`), naming this posting as its `about`; blocks apply (403), and you answer each other "
            "there. Otherwise (`channel` `relay`) it is relayed: both of you read and write the contact's messages "
            "at `/api/contacts/{contact_id}/messages`, and each message notifies the other. One contact per asker "
            f"and {noun}: later messages join it. Limits per asker: the `per_posting_limit` messages about one "
            "posting (429 `contact-limit-reached`, which does not renew) and the `daily_limit` a UTC day about any "
            "(429 `rate-limited` with `Retry-After`). Send an `Idempotency-Key` to make retries safe: a replay "
            "sends nothing again and returns the same answer."
        ),
        tags=[postings.tag],
        responses={
            201: body(
                "Contact",
                "The contact, with your message as its `last_message`",
                {"Location": {"description": "The contact's path", "schema": {"type": "string"}}},
            ),
            404: postings.not_found(),
            409: problem(
                f"The {noun} is your own or not published (`current_status`), or a request with this "
                "`Idempotency-Key` is still in progress (retry after `Retry-After`)"
            ),
            422: problem("`text` breaks the text rules, or this `Idempotency-Key` came with another body"),
            **PROBLEM_RESPONSES,
            403: problem("Missing API key, the token lacks a required scope, or one of you blocked the other"),
            429: problem(
                "You sent as many messages about this posting as anyone may (`per_posting_limit`), your daily "
                "allowance is used up (`daily_limit`, until midnight UTC), or the API key's rate limit or quota is "
                "exceeded; see `Retry-After`"
            ),
        },
        **requires("marketplace:write", tokens=("user",)),
    )(taking_id_as(create_contact, postings.id_param))
