"""GET /api/contacts/{contact_id}/messages: a relayed contact's messages, newest first."""

from typing import Annotated

from eckospace.http.auth import current_principal, requires
from eckospace.http.marketplace_routes import CONTACT_ID, CURSOR, LIMIT, body, problem
from eckospace.http.resolver import PROBLEM_RESPONSES, entrypoint, json_response, make_resolver
from eckospace.marketplace.browse import contact_messages

app = make_resolver()


@app.get(
    "/api/contacts/<contact_id>/messages",
    summary="A contact's messages",
    description=(
        "For a contact whose `channel` is `relay`, to its two people alone. A `chat` contact's messages are in its "
        "conversation (409 `contact-in-chat`, naming `conversation_id`)."
    ),
    tags=["Contacts"],
    responses={
        200: body("ContactMessagePage", "`data` (messages) and `next_cursor`"),
        404: problem("No such contact that you are part of"),
        409: problem("The contact is a chat conversation (`conversation_id`)"),
        **PROBLEM_RESPONSES,
    },
    **requires("marketplace:read", tokens=("user",)),
)
def list_contact_messages(
    contact_id: Annotated[str, CONTACT_ID],
    limit: Annotated[str, LIMIT] = "20",
    cursor: Annotated[str | None, CURSOR] = None,
):
    page = contact_messages(contact_id, current_principal(app).subject, limit=int(limit), cursor=cursor)
    return json_response(page, headers={"Cache-Control": "private, no-store"})


lambda_handler = entrypoint(app)
