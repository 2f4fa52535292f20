"""GET /api/blocks: the people you blocked."""

from __future__ import annotations

from typing import Annotated

from eckospace.chat.listings import blocks
from eckospace.http.auth import current_principal, requires
from eckospace.http.chat_routes import CURSOR, LIMIT, body
from eckospace.http.resolver import PROBLEM_RESPONSES, entrypoint, json_response, make_resolver

app = make_resolver()


@app.get(
    "/api/blocks",
    summary="The people you blocked",
    description="By user id. Pass `next_cursor` back as `cursor` for the next page.",
    tags=["Chat"],
    responses={200: body("BlockPage", "`data` and `next_cursor`"), **PROBLEM_RESPONSES},
    **requires("chat:read", tokens=("user",)),
)
def list_blocks(limit: Annotated[str, LIMIT] = "20", cursor: Annotated[str | None, CURSOR] = None):
    page = blocks(current_principal(app).subject, limit=int(limit), cursor=cursor)
    return json_response(page, headers={"Cache-Control": "private, no-cache"})


lambda_handler = entrypoint(app)
