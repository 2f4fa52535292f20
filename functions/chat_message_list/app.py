"""GET /api/conversations/{conversation_id}/messages: a conversation's history."""

from __future__ import annotations

from typing import Annotated

from eckospace.chat.listings import history
from eckospace.http.auth import current_principal, requires
from eckospace.http.chat_routes import CONVERSATION, CURSOR, LIMIT, NOT_A_MEMBER, body
from eckospace.http.resolver import PROBLEM_RESPONSES, entrypoint, json_response, make_resolver

app = make_resolver()


@app.get(
    "/api/conversations/<conversation_id>/messages",
    summary="A conversation's messages",
    description=(
        "Newest first. Pages follow the messages' numbers, so messages sent while you page through do not shift "
        "them: pass `next_cursor` back as `cursor` for older ones."
    ),
    tags=["Chat"],
    responses={200: body("MessagePage", "`data` and `next_cursor`"), 404: NOT_A_MEMBER, **PROBLEM_RESPONSES},
    **requires("chat:read", tokens=("user",)),
)
def list_messages(
    conversation_id: Annotated[str, CONVERSATION],
    limit: Annotated[str, LIMIT] = "20",
    cursor: Annotated[str | None, CURSOR] = None,
):
    page = history(conversation_id, current_principal(app).subject, limit=int(limit), cursor=cursor)
    return json_response(page, headers={"Cache-Control": "private, no-cache"})


lambda_handler = entrypoint(app)
