"""GET /api/conversations: your inbox."""

from __future__ import annotations

from typing import Annotated

from eckospace.chat.listings import inbox
from eckospace.http.auth import current_principal, requires
from eckospace.http.chat_routes import CURSOR, LIMIT, body
from eckospace.http.resolver import PROBLEM_RESPONSES, entrypoint, json_response, make_resolver

app = make_resolver()


@app.get(
    "/api/conversations",
    summary="Your conversations",
    description=(
        "Latest activity first, each with its unread count and newest message, and on the first page your "
        "unread total over all of them. Pass `next_cursor` back as `cursor` for the next page."
    ),
    tags=["Chat"],
    responses={200: body("ConversationPage", "`data`, `next_cursor` and `unread_total`"), **PROBLEM_RESPONSES},
    **requires("chat:read", tokens=("user",)),
)
def list_conversations(limit: Annotated[str, LIMIT] = "20", cursor: Annotated[str | None, CURSOR] = None):
    page = inbox(current_principal(app).subject, limit=int(limit), cursor=cursor)
    return json_response(page, headers={"Cache-Control": "private, no-cache"})


lambda_handler = entrypoint(app)
