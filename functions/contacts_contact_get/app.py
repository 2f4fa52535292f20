"""GET /api/contacts/{contact_id}: one contact, to its asker or the posting's owner."""

from typing import Annotated

from eckospace.http.auth import current_principal, requires
from eckospace.http.marketplace_routes import CONTACT_ID, body, problem
from eckospace.http.resolver import PROBLEM_RESPONSES, entrypoint, json_response, make_resolver
from eckospace.marketplace.contact import read, view

app = make_resolver()


@app.get(
    "/api/contacts/<contact_id>",
    summary="A contact",
    description="To its asker and to the posting's owner alone (404 to anyone else).",
    tags=["Contacts"],
    responses={
        200: body("Contact", "The contact"),
        404: problem("No such contact that you are part of"),
        **PROBLEM_RESPONSES,
    },
    **requires("marketplace:read", tokens=("user",)),
)
def get_contact(contact_id: Annotated[str, CONTACT_ID]):
    return json_response(
        view(read(contact_id, current_principal(app).subject)), headers={"Cache-Control": "private, no-store"}
    )


lambda_handler = entrypoint(app)
