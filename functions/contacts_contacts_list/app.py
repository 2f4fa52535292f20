"""GET /api/contacts: the contacts you started, or those you were asked in."""

from typing import Annotated

from eckospace.http.auth import current_principal, requires
from eckospace.http.marketplace_routes import CURSOR, LIMIT, body
from eckospace.http.params import Query
from eckospace.http.resolver import PROBLEM_RESPONSES, entrypoint, json_response, make_resolver
from eckospace.marketplace.browse import contacts_of

app = make_resolver()


@app.get(
    "/api/contacts",
    summary="Your contacts",
    description=(
        "`role=sent` (the default): the contacts you started about others' listings and jobs; `role=received`: "
        "those others started about yours. Newest first."
    ),
    tags=["Contacts"],
    responses={200: body("ContactPage", "`data` (contacts) and `next_cursor`"), **PROBLEM_RESPONSES},
    **requires("marketplace:read", tokens=("user",)),
)
def list_contacts(
    role: Annotated[str, Query(pattern="^(sent|received)$", description="`sent` or `received`")] = "sent",
    limit: Annotated[str, LIMIT] = "20",
    cursor: Annotated[str | None, CURSOR] = None,
):
    page = contacts_of(current_principal(app).subject, role, limit=int(limit), cursor=cursor)
    return json_response(page, headers={"Cache-Control": "private, no-store"})


lambda_handler = entrypoint(app)
