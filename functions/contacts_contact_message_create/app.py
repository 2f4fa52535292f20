"""POST /api/contacts/{contact_id}/messages: write in a relayed contact, as its asker or owner."""

from typing import Annotated, Any

from eckospace.http.auth import current_principal, requires
from eckospace.http.idempotency import created
from eckospace.http.marketplace_routes import CONTACT_ID, body, problem
from eckospace.http.params import Header
from eckospace.http.resolver import PROBLEM_RESPONSES, entrypoint, json_response, make_resolver
from eckospace.marketplace.contact import message_view, write
from eckospace.marketplace.contact_inputs import ContactText

app = make_resolver()


@app.post(
    "/api/contacts/<contact_id>/messages",
    summary="Write in a contact",
    description=(
        "For a contact whose `channel` is `relay`, by its asker or the posting's owner; the other is notified. The "
        "asker's messages count against the same limits as asking through the posting (429), and need the posting "
        "still published (409); the owner's answers do neither. Send an `Idempotency-Key` to make retries safe."
    ),
    tags=["Contacts"],
    responses={
        201: body("ContactMessage", "The message"),
        404: problem("No such contact that you are part of"),
        409: problem(
            "The contact is a chat conversation (`conversation_id`), the posting is no longer published "
            "(`current_status`), or a request with this `Idempotency-Key` is in progress"
        ),
        422: problem("`text` breaks the text rules, or this `Idempotency-Key` came with another body"),
        **PROBLEM_RESPONSES,
        429: problem(
            "You sent as many messages about this posting as anyone may (`per_posting_limit`), your daily allowance "
            "is used up (`daily_limit`), or the API key's rate limit or quota is exceeded; see `Retry-After`"
        ),
    },
    **requires("marketplace:write", tokens=("user",)),
)
def create_contact_message(
    contact_id: Annotated[str, CONTACT_ID],
    sent: ContactText,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key", max_length=255)] = None,
):
    author = current_principal(app).subject

    def produce(sent_body: dict[str, Any]) -> dict[str, Any]:
        return message_view(write(contact_id, author, sent_body["text"]))

    made = created(
        idempotency_key,
        caller=author,
        body={"contact": contact_id, **sent.model_dump()},
        produce=produce,
        lambda_context=app.lambda_context,
    )
    return json_response(made, status=201, headers={"Cache-Control": "no-store"})


lambda_handler = entrypoint(app)
